import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
