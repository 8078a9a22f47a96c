import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The human steps a request can wait on: the GHES admin's "Set up host", the organization owner's handshake. */
export type WaitKind = 'host-setup' | 'handshake';

/**
 * A request paused in a `.waitForTaskToken` state until a person finishes a console step. The
 * watcher reads every wait with one query each minute and resumes those whose resource moved.
 */
export interface WaitRecord {
  requestId: string;
  kind: WaitKind;
  /** The host (host-setup) or the connection (handshake) whose status ends the wait. */
  resourceArn: string;
  /** When the wait began (ISO 8601): reminders count from here. */
  since: string;
  /** When the waiting state times out (ISO 8601). */
  deadline: string;
  /**
   * host-setup: the task token of the waiting state. A bearer credential for resuming the
   * workflow: never log it, never show it. (A handshake's token is its approval's.)
   */
  taskToken?: string;
  /** handshake: the approval whose token resumes the workflow, and that the handshake decides. */
  approvalId?: string;
  /** handshake: whether AVAILABLE is the approval (APPROVAL_MODE=handshake when the wait began). */
  availableApproves?: boolean;
  /** The approval reminder and escalation, once sent (the approval record holds the once-only claim). */
  remindedAt?: string;
  escalatedAt?: string;
  /** Epoch seconds; DynamoDB's TTL removes a wait (and its token) that nothing else removed. */
  expiresAt: number;
}

/**
 * Waits live in the broker's table as `WAIT#<requestId>` / `<kind>`, and in the gsi2 partition
 * `WAITS`, ordered by when they began: the index holds only the waits (the requests' gsi2 partition
 * is `REQUESTS`), so "who is waiting?" is one query however many requests the table holds.
 */
export class WaitStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Starts (or, for a retried step with a new token, re-points) the wait. */
  async begin(wait: WaitRecord): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: waitItem(wait) }));
  }

  /** Every wait, oldest first; one query page per 1 MB of waits (about 2,000 of them). */
  async all(): Promise<{ waits: WaitRecord[]; queries: number }> {
    const waits: WaitRecord[] = [];
    let queries = 0;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :waits',
          ExpressionAttributeValues: { ':waits': WAITS_PARTITION },
          ExclusiveStartKey: cursor,
        }),
      );
      queries++;
      waits.push(...(page.Items ?? []).map(fromWaitItem));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return { waits, queries };
  }

  /** The request's waits, read consistently (the early-wake check). */
  async forRequest(requestId: string): Promise<WaitRecord[]> {
    const { Items } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': waitKey(requestId, 'host-setup').pk },
        ConsistentRead: true,
      }),
    );
    return (Items ?? []).map(fromWaitItem);
  }

  /** Records a sent reminder or escalation on the wait, so the next sweep does not plan it again. */
  async markNotice(wait: WaitRecord, notice: 'remindedAt' | 'escalatedAt', at: Date): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: waitKey(wait.requestId, wait.kind),
          UpdateExpression: 'SET #notice = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#notice': notice },
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      // The wait ended meanwhile: nothing to mark.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Ends the wait. With `taskToken`, only if the wait still holds that token: a sweep that found
   * an old token closed must not remove the wait a retried step has just begun with a new one.
   */
  async end(requestId: string, kind: WaitKind, taskToken?: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: waitKey(requestId, kind),
          ...(taskToken === undefined ? {} : { ConditionExpression: 'taskToken = :token', ExpressionAttributeValues: { ':token': taskToken } }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

const WAITS_PARTITION = 'WAITS';

function waitKey(requestId: string, kind: WaitKind): { pk: string; sk: string } {
  return { pk: `WAIT#${requestId}`, sk: kind };
}

function waitItem(wait: WaitRecord): Record<string, unknown> {
  return { ...waitKey(wait.requestId, wait.kind), gsi2pk: WAITS_PARTITION, gsi2sk: `${wait.since}#${wait.requestId}#${wait.kind}`, ...wait };
}

function fromWaitItem(item: Record<string, unknown>): WaitRecord {
  const { pk: _pk, sk: _sk, gsi2pk: _g, gsi2sk: _s, ...wait } = item;
  return wait as unknown as WaitRecord;
}
