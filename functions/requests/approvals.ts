import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

/**
 * The server-side half of an approval: a random id (what Slack buttons and links carry) mapped to
 * the Step Functions task token (which never leaves the backend).
 */
export interface ApprovalRecord {
  approvalId: string;
  requestId: string;
  taskToken: string;
  status: ApprovalStatus;
  createdAt: string;
  /** Epoch seconds; DynamoDB TTL removes the record (and its token) after this. */
  expiresAt: number;
  slack?: { channel: string; ts: string };
  decidedBy?: string;
  decidedAt?: string;
}

/** 128 bits of randomness, URL-safe. */
export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

export class ApprovalStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(approval: ApprovalRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `APPROVAL#${approval.approvalId}`, sk: 'APPROVAL', gsi1pk: `APPROVALS#${approval.requestId}`, gsi1sk: approval.createdAt, ...approval },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' }, ConsistentRead: true }),
    );
    return Item ? strip(Item) : undefined;
  }

  /** The request's approvals, newest first (the index is eventually consistent). */
  async forRequest(requestId: string): Promise<ApprovalRecord[]> {
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `APPROVALS#${requestId}` },
        ScanIndexForward: false,
      }),
    );
    return (Items ?? []).map(strip);
  }

  async attachSlackMessage(approvalId: string, slack: { channel: string; ts: string }): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' },
        UpdateExpression: 'SET slack = :slack',
        ExpressionAttributeValues: { ':slack': slack },
      }),
    );
  }

  /**
   * PENDING → decision, exactly once: of any number of simultaneous deciders only one wins, and
   * only the winner may resume the workflow. Returns the decided record, or undefined if lost.
   */
  async decide(approvalId: string, status: Exclude<ApprovalStatus, 'PENDING'>, decidedBy: string, at = new Date()): Promise<ApprovalRecord | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' },
          UpdateExpression: 'SET #status = :decision, decidedBy = :by, decidedAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':decision': status, ':by': decidedBy, ':at': at.toISOString(), ':pending': 'PENDING' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? strip(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}

function strip(item: Record<string, unknown>): ApprovalRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...approval } = item;
  return approval as unknown as ApprovalRecord;
}
