import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

/** Where a message with the approval's buttons was posted, so it can be updated later (chat.update). */
export interface PostedApprovalMessage {
  channel: string;
  ts: string;
}

/**
 * The server-side half of an approval: a random id (what Slack buttons and links carry) mapped to
 * the Step Functions task token (which never leaves the backend). One approval lives through the
 * whole wait; a retried wait state re-points it at its new token.
 */
export interface ApprovalRecord {
  approvalId: string;
  requestId: string;
  /** The waiting state's token: a bearer credential for resuming the workflow. Never log or show it. */
  taskToken: string;
  status: ApprovalStatus;
  createdAt: string;
  updatedAt?: string;
  /** Epoch seconds; DynamoDB TTL removes the record (and its token) after this. */
  expiresAt: number;
  /** The approval request in the approvers' channel. */
  requestMessage?: PostedApprovalMessage;
  /** The escalation, posted with the same buttons to the escalation channel. */
  escalationMessage?: PostedApprovalMessage;
  /** Set once by whichever sweep sends the reminder / escalation, so neither is sent twice. */
  remindedAt?: string;
  escalatedAt?: string;
  decidedBy?: string;
  decidedAt?: string;
  /** What is being approved: absent, the connection's handshake; `decommission`, deleting a connection (functions/decommission). */
  purpose?: 'decommission';
}

/** 128 bits of randomness, URL-safe. */
export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

const PENDING = 'PENDING';

export class ApprovalStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates the approval, or re-points an existing one at a retried wait state's task token, in
   * one write. The answer is the record as it now is: if someone decided while no attempt was
   * listening, its status says so and the caller passes the decision on with the new token. Of a
   * decider and a retry, exactly one of them sends it: whichever writes second sees the other's write.
   */
  async open(opening: { approvalId: string; requestId: string; taskToken: string; expiresAt: number; at?: Date; purpose?: ApprovalRecord['purpose'] }): Promise<ApprovalRecord> {
    const at = (opening.at ?? new Date()).toISOString();
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(opening.approvalId),
        UpdateExpression:
          'SET taskToken = :token, updatedAt = :at, approvalId = :id, ' +
          'requestId = if_not_exists(requestId, :request), #status = if_not_exists(#status, :pending), ' +
          'createdAt = if_not_exists(createdAt, :at), expiresAt = if_not_exists(expiresAt, :expiresAt), ' +
          'gsi1pk = if_not_exists(gsi1pk, :byRequest), gsi1sk = if_not_exists(gsi1sk, :at)' +
          (opening.purpose ? ', purpose = :purpose' : ''),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': opening.taskToken,
          ':at': at,
          ':id': opening.approvalId,
          ':request': opening.requestId,
          ':pending': PENDING,
          ':expiresAt': opening.expiresAt,
          ':byRequest': `APPROVALS#${opening.requestId}`,
          ...(opening.purpose ? { ':purpose': opening.purpose } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return strip(Attributes!);
  }

  async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key(approvalId), ConsistentRead: true }));
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

  async attachMessage(approvalId: string, which: 'requestMessage' | 'escalationMessage', message: PostedApprovalMessage): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(approvalId),
        UpdateExpression: 'SET #message = :message',
        ExpressionAttributeNames: { '#message': which },
        ExpressionAttributeValues: { ':message': { channel: message.channel, ts: message.ts } },
      }),
    );
  }

  /** Claims the one-time reminder or escalation notice; true for the one attempt that should send it. */
  async claimNotice(approvalId: string, notice: 'remindedAt' | 'escalatedAt', at = new Date()): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(approvalId),
          UpdateExpression: 'SET #notice = :at',
          ConditionExpression: 'attribute_not_exists(#notice) AND #status = :pending',
          ExpressionAttributeNames: { '#notice': notice, '#status': 'status' },
          ExpressionAttributeValues: { ':at': at.toISOString(), ':pending': PENDING },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * PENDING → decision, exactly once: of any number of simultaneous deciders only one wins, and
   * only the winner may resume the workflow. Returns the decided record (with the token current at
   * that moment), or undefined if lost.
   */
  async decide(approvalId: string, status: Exclude<ApprovalStatus, 'PENDING'>, decidedBy: string, at = new Date()): Promise<ApprovalRecord | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(approvalId),
          UpdateExpression: 'SET #status = :decision, decidedBy = :by, decidedAt = :at',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':decision': status, ':by': decidedBy, ':at': at.toISOString(), ':pending': PENDING },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? strip(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * A decision that reached a closed token and that no later stage will pick up (the wait is over):
   * the record must say EXPIRED, as the request does. Conditional on the record being exactly as
   * that decision left it, so nothing newer is overwritten.
   */
  async expireUndelivered(decided: ApprovalRecord): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(decided.approvalId),
          UpdateExpression: 'SET #status = :expired',
          ConditionExpression: '#status = :decision AND decidedAt = :at AND taskToken = :token',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':expired': 'EXPIRED', ':decision': decided.status, ':at': decided.decidedAt, ':token': decided.taskToken },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function key(approvalId: string): { pk: string; sk: string } {
  return { pk: `APPROVAL#${approvalId}`, sk: 'APPROVAL' };
}

function strip(item: Record<string, unknown>): ApprovalRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...approval } = item;
  return approval as unknown as ApprovalRecord;
}
