import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ShareableConnection } from './contract.ts';

const SHAREABLE_PARTITION = 'SHAREABLE_CONNECTIONS';

/** The hub connections offered for sharing, one per GHES URL and organization. */
export class ShareableConnectionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async find(providerEndpoint: string, organization: string): Promise<ShareableConnection | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key(providerEndpoint, organization), ConsistentRead: true }));
    return Item ? fromItem(Item) : undefined;
  }

  async put(connection: ShareableConnection): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...key(connection.providerEndpoint, connection.organization), gsi2pk: SHAREABLE_PARTITION, gsi2sk: `${connection.providerEndpoint}|${connection.organization}`, ...connection },
      }),
    );
  }

  async list(): Promise<ShareableConnection[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({ TableName: this.tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': SHAREABLE_PARTITION } }),
    );
    return Items.map(fromItem);
  }
}

/** Organization names are case-insensitive on GitHub. */
function key(providerEndpoint: string, organization: string): { pk: string; sk: string } {
  return { pk: `SHAREABLE#${providerEndpoint}|${organization.toLowerCase()}`, sk: 'SHAREABLE' };
}

function fromItem(item: Record<string, unknown>): ShareableConnection {
  const { pk: _pk, sk: _sk, gsi2pk: _g, gsi2sk: _s, ...connection } = item;
  return connection as ShareableConnection;
}

/**
 * Which requests use a spoke account's association with a resource share, and whether the broker
 * made that association: one item per share and account, changed by single-item updates (a
 * string set), so two requests for one account never take the association from each other.
 */
export class ShareUsersStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** This request uses the association (repeating it changes nothing). */
  async join(shareArn: string, accountId: string, requestId: string, options: { associatingNow?: boolean } = {}): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: usersKey(shareArn, accountId),
        UpdateExpression: options.associatingNow ? 'ADD requestIds :request SET associatedByBroker = :yes' : 'ADD requestIds :request',
        ExpressionAttributeValues: { ':request': new Set([requestId]), ...(options.associatingNow ? { ':yes': true } : {}) },
      }),
    );
  }

  /** This request no longer uses it: who still does, and whether the broker made the association. */
  async leave(shareArn: string, accountId: string, requestId: string): Promise<{ stillUsedBy: string[]; associatedByBroker: boolean }> {
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: usersKey(shareArn, accountId),
        UpdateExpression: 'DELETE requestIds :request',
        ExpressionAttributeValues: { ':request': new Set([requestId]) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { stillUsedBy: [...((Attributes?.requestIds as Set<string> | undefined) ?? [])].sort(), associatedByBroker: Attributes?.associatedByBroker === true };
  }

  /** The association is gone: the next request to associate makes it anew. */
  async forgetAssociation(shareArn: string, accountId: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({ TableName: this.tableName, Key: usersKey(shareArn, accountId), UpdateExpression: 'REMOVE associatedByBroker' }),
    );
  }
}

function usersKey(shareArn: string, accountId: string): { pk: string; sk: string } {
  return { pk: `SHARE_USERS#${shareArn}|${accountId}`, sk: 'USERS' };
}
