import { DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AccountRegistration } from './contract.ts';

/** Every registered account shares one gsi2 partition, listed by account id. */
const ACCOUNTS_PARTITION = 'ACCOUNTS';

/** The accounts registry, in the broker's table (one item per account). */
export class AccountStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(accountId: string): Promise<AccountRegistration | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key(accountId), ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  /** Registers or replaces; `registeredAt`/`registeredBy` stay those of the first registration. */
  async put(account: AccountRegistration): Promise<AccountRegistration> {
    const previous = await this.get(account.accountId);
    const stored = previous ? { ...account, registeredAt: previous.registeredAt, registeredBy: previous.registeredBy } : account;
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { ...key(account.accountId), gsi2pk: ACCOUNTS_PARTITION, gsi2sk: account.accountId, ...stored } }));
    return stored;
  }

  async list(): Promise<AccountRegistration[]> {
    const accounts: AccountRegistration[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :accounts',
          ExpressionAttributeValues: { ':accounts': ACCOUNTS_PARTITION },
          ExclusiveStartKey: start,
        }),
      );
      accounts.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return accounts;
  }

  /** True when there was a registration to remove. */
  async delete(accountId: string): Promise<boolean> {
    const { Attributes } = await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: key(accountId), ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }
}

function key(accountId: string): { pk: string; sk: string } {
  return { pk: `ACCOUNT#${accountId}`, sk: 'ACCOUNT' };
}

function fromItem(item: Record<string, unknown>): AccountRegistration {
  const { pk: _pk, sk: _sk, gsi2pk: _g, gsi2sk: _s, ...account } = item;
  return account as AccountRegistration;
}
