import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrentUpdateError, HostLockBusyError, RequestNotFoundError } from './store-errors.ts';
import type { ConnectionRequestRecord, RequestStatus, TimelineEntry } from './model.ts';

/**
 * The broker's records in its single DynamoDB table. Every write is one conditional single-item
 * write (no transactions: dynalite, our local DynamoDB, has none, and none are needed).
 *
 * Keys: request `REQ#<id>`/`REQUEST` (gsi1 by requester, gsi2 across all requesters, gsi3 by
 * status, gsi4 by requester and status, all by creation time); host lock `HOST#<endpoint key>`/`LOCK`;
 * approval `APPROVAL#<id>`/`APPROVAL`.
 */
/** DynamoDB's limit on a partition key value, in bytes (UTF-8). */
const MAX_PARTITION_KEY_BYTES = 2048;

export class BrokerStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createRequest(record: ConnectionRequestRecord): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: requestItem(record),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getRequest(requestId: string): Promise<ConnectionRequestRecord> {
    // A key DynamoDB could never store (partition keys are at most 2,048 bytes) names no request;
    // sent as it is, it would fail the read with a ValidationException.
    if (Buffer.byteLength(requestKey(requestId), 'utf8') > MAX_PARTITION_KEY_BYTES) throw new RequestNotFoundError(requestId);
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: requestKey(requestId), sk: 'REQUEST' }, ConsistentRead: true }),
    );
    if (!Item) throw new RequestNotFoundError(requestId);
    return fromRequestItem(Item);
  }

  /**
   * Read, change, write back conditioned on the revision read; on a concurrent change, read again
   * and re-apply (a bounded number of times). `change` returns the updated record, or undefined to
   * leave the record as it is.
   */
  async updateRequest(
    requestId: string,
    change: (record: ConnectionRequestRecord) => ConnectionRequestRecord | undefined,
    attempts = 5,
  ): Promise<ConnectionRequestRecord> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.getRequest(requestId);
      const next = change(structuredClone(current));
      if (!next) return current;
      const saved = { ...next, revision: current.revision + 1, updatedAt: new Date().toISOString() };
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: requestItem(saved),
            ConditionExpression: 'revision = :expected',
            ExpressionAttributeValues: { ':expected': current.revision },
          }),
        );
        return saved;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        if (attempt >= attempts) throw new ConcurrentUpdateError(requestId);
      }
    }
  }

  /**
   * Newest first; `requesterId` limits to one requester, `status` to one status. Each filter is an
   * index partition ({@link requestListIndex}), so a page holds up to `limit` matches and costs what
   * it returns, however many other requests there are.
   */
  async listRequests(options: {
    requesterId?: string;
    status?: RequestStatus;
    limit: number;
    cursor?: Record<string, unknown>;
  }): Promise<{ requests: ConnectionRequestRecord[]; cursor?: Record<string, unknown> }> {
    const { index, partition } = requestListIndex(options);
    const { Items, LastEvaluatedKey } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index,
        KeyConditionExpression: `${index}pk = :pk`,
        ExpressionAttributeValues: { ':pk': partition },
        ScanIndexForward: false,
        Limit: options.limit,
        ExclusiveStartKey: options.cursor,
      }),
    );
    return { requests: (Items ?? []).map(fromRequestItem), cursor: LastEvaluatedKey };
  }

  /**
   * The newest request in one of `statuses` (their index partitions, in that order) that `matches`:
   * how a host or connection the broker made finds the request that made it.
   */
  async findRequest(statuses: readonly RequestStatus[], matches: (record: ConnectionRequestRecord) => boolean): Promise<ConnectionRequestRecord | undefined> {
    for await (const record of this.requestsIn(statuses)) if (matches(record)) return record;
    return undefined;
  }

  /** Every request in `statuses`, page by page (their index partitions, newest first in each). */
  async *requestsIn(statuses: readonly RequestStatus[]): AsyncGenerator<ConnectionRequestRecord> {
    for (const status of statuses) {
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await this.listRequests({ status, limit: 100, cursor });
        yield* page.requests;
        cursor = page.cursor;
      } while (cursor);
    }
  }

  /**
   * Writes the status indexes' keys (gsi3, gsi4) into request items written before they existed:
   * each is rewritten through {@link updateRequest} unchanged, so it enters the status lists. Safe
   * to repeat and to run while the broker works (a racing update wins, and it writes them too).
   */
  async backfillStatusIndexes(): Promise<{ scanned: number; rewritten: number }> {
    let scanned = 0;
    let rewritten = 0;
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'sk = :request AND attribute_not_exists(gsi3pk)',
          ExpressionAttributeValues: { ':request': 'REQUEST' },
          ProjectionExpression: 'requestId',
          ExclusiveStartKey: cursor,
        }),
      );
      scanned += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        await this.updateRequest(String(item.requestId), (current) => ({ ...current }));
        rewritten++;
      }
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return { scanned, rewritten };
  }

  /**
   * Claims the right to create the host for an endpoint, or joins the host already there.
   * Exactly one of any number of simultaneous requests gets `create`; the others get `busy`
   * until the creator records the host, then `reuse`.
   */
  async claimHost(
    endpointKey: string,
    requestId: string,
    now: Date,
    staleAfterSeconds = 300,
  ): Promise<{ outcome: 'create' } | { outcome: 'reuse'; hostArn: string; createdBy: string; createdByRequester?: string }> {
    const key = { pk: `HOST#${endpointKey}`, sk: 'LOCK' };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, state: 'CREATING', owner: requestId, claimedAt: now.toISOString(), users: new Set([requestId]) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { outcome: 'create' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!Item) return this.claimHost(endpointKey, requestId, now, staleAfterSeconds);
    if (Item.state === 'READY') {
      // A string set: joining twice is harmless.
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'ADD #users :me',
          ExpressionAttributeNames: { '#users': 'users' },
          ExpressionAttributeValues: { ':me': new Set([requestId]) },
        }),
      );
      // `owner` stays the request that created the host; joining only adds to `users`.
      return {
        outcome: 'reuse',
        hostArn: Item.hostArn as string,
        createdBy: Item.owner as string,
        ...(typeof Item.createdByRequester === 'string' ? { createdByRequester: Item.createdByRequester } : {}),
      };
    }
    if (Item.owner === requestId) return { outcome: 'create' };
    const stale = now.getTime() - Date.parse(Item.claimedAt as string) > staleAfterSeconds * 1000;
    if (!stale) throw new HostLockBusyError(endpointKey);
    // The creator died mid-way; take over, conditioned on nobody else having done so first. The new
    // creator uses the host too (the silent one stays listed until its rollback leaves).
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #owner = :me, claimedAt = :now ADD #users :meSet',
          ConditionExpression: '#owner = :previous AND #state = :creating',
          ExpressionAttributeNames: { '#owner': 'owner', '#state': 'state', '#users': 'users' },
          ExpressionAttributeValues: { ':me': requestId, ':meSet': new Set([requestId]), ':now': now.toISOString(), ':previous': Item.owner, ':creating': 'CREATING' },
        }),
      );
      return { outcome: 'create' };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new HostLockBusyError(endpointKey);
      throw error;
    }
  }

  /**
   * Marks the host ready. `owner` (the creating request) and `createdByRequester` (its requester)
   * are written here once and never by a later request, which only joins `users`.
   */
  async recordHostCreated(endpointKey: string, requestId: string, hostArn: string, requesterId?: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `HOST#${endpointKey}`, sk: 'LOCK' },
        UpdateExpression: requesterId ? 'SET #state = :ready, hostArn = :hostArn, createdByRequester = :requester' : 'SET #state = :ready, hostArn = :hostArn',
        ConditionExpression: '#owner = :me',
        ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
        ExpressionAttributeValues: { ':ready': 'READY', ':hostArn': hostArn, ':me': requestId, ...(requesterId ? { ':requester': requesterId } : {}) },
      }),
    );
  }

  /** Removes the request from the host's users; returns who still uses it. */
  async leaveHost(endpointKey: string, requestId: string): Promise<string[]> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `HOST#${endpointKey}`, sk: 'LOCK' },
          UpdateExpression: 'DELETE #users :me',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#users': 'users' },
          ExpressionAttributeValues: { ':me': new Set([requestId]) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return [...((Attributes?.users as Set<string> | undefined) ?? [])].sort();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return [];
      throw error;
    }
  }

  /** The host the reuse lock of `endpointKey` names, if any. */
  async hostLockHolder(endpointKey: string): Promise<string | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: `HOST#${endpointKey}`, sk: 'LOCK' }, ConsistentRead: true }));
    return typeof Item?.hostArn === 'string' ? Item.hostArn : undefined;
  }

  /**
   * A host's endpoint changed (PATCH /v1/hosts/{id}): its lock, users and owner move to the new key,
   * so requests for the new endpoint reuse it and requests for the old one no longer do. Two
   * single-item writes (no transactions on dynalite): the new lock first, then the old one goes;
   * repeated after a crash in between, it converges. Refused (false) when another host holds the new key.
   */
  async moveHost(fromKey: string, toKey: string, hostArn: string): Promise<boolean> {
    if (fromKey === toKey) return true;
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: `HOST#${fromKey}`, sk: 'LOCK' }, ConsistentRead: true }));
    if (Item && Item.hostArn === hostArn) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...Item, pk: `HOST#${toKey}` },
            ConditionExpression: 'attribute_not_exists(pk) OR hostArn = :hostArn',
            ExpressionAttributeValues: { ':hostArn': hostArn },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `HOST#${fromKey}`, sk: 'LOCK' },
          ConditionExpression: 'hostArn = :hostArn',
          ExpressionAttributeValues: { ':hostArn': hostArn },
        }),
      );
    }
    return true;
  }

  /** Forgets the host for an endpoint, only while nobody uses it. */
  async forgetHost(endpointKey: string): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: `HOST#${endpointKey}`, sk: 'LOCK' },
          // DynamoDB removes a set attribute when its last member is deleted.
          ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(#users)',
          ExpressionAttributeNames: { '#users': 'users' },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Reserves a connection name for a request (`CONNECTION_NAME#<name>`/`RESERVATION`, owned by the
   * request id), so two requests under way cannot both ask for it. One conditional write: it
   * succeeds when nobody holds the name, when this request already does (a repeated call), or when
   * `isStale(holder)` says the holder no longer needs it (its request ended without a connection
   * and did not release it); then the take-over is conditioned on the same holder still owning it.
   * Returns the request that holds it when the reservation is refused.
   */
  async reserveConnectionName(
    connectionName: string,
    requestId: string,
    now: Date,
    isStale: (holder: { requestId: string; reservedAt: string }) => Promise<boolean>,
  ): Promise<{ reserved: true } | { reserved: false; heldBy: string }> {
    const key = this.connectionNameKey(connectionName);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, owner: requestId, reservedAt: now.toISOString() },
          ConditionExpression: 'attribute_not_exists(pk) OR #owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': requestId },
        }),
      );
      return { reserved: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (!Item) return this.reserveConnectionName(connectionName, requestId, now, isStale);
    const holder = { requestId: Item.owner as string, reservedAt: Item.reservedAt as string };
    if (!(await isStale(holder))) return { reserved: false, heldBy: holder.requestId };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, owner: requestId, reservedAt: now.toISOString() },
          ConditionExpression: '#owner = :previous',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':previous': holder.requestId },
        }),
      );
      return { reserved: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { reserved: false, heldBy: holder.requestId };
      throw error;
    }
  }

  /** Gives a connection name back, only if this request holds it; returns whether it did. */
  async releaseConnectionName(connectionName: string, requestId: string): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.connectionNameKey(connectionName),
          ConditionExpression: '#owner = :me',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':me': requestId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The reservation item of a connection name (names are at most 32 characters: the key always fits). */
  private connectionNameKey(connectionName: string): { pk: string; sk: string } {
    return { pk: `CONNECTION_NAME#${connectionName}`, sk: 'RESERVATION' };
  }
}

export function timelineEntry(step: string, actor: string, message: string, at = new Date()): TimelineEntry {
  return { at: at.toISOString(), step, actor, message };
}

function requestKey(requestId: string): string {
  return `REQ#${requestId}`;
}

function requestItem(record: ConnectionRequestRecord): Record<string, unknown> {
  const sortKey = `${record.createdAt}#${record.requestId}`;
  return {
    pk: requestKey(record.requestId),
    sk: 'REQUEST',
    gsi1pk: `REQUESTER#${record.requester.id}`,
    gsi1sk: sortKey,
    gsi2pk: 'REQUESTS',
    gsi2sk: sortKey,
    gsi3pk: requestListIndex({ status: record.status }).partition,
    gsi3sk: sortKey,
    gsi4pk: requestListIndex({ requesterId: record.requester.id, status: record.status }).partition,
    gsi4sk: sortKey,
    ...record,
  };
}

export type RequestListIndex = 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4';

/** The index and partition that hold exactly the requests a list asks for, newest first. */
export function requestListIndex(filter: { requesterId?: string; status?: RequestStatus }): { index: RequestListIndex; partition: string } {
  const { requesterId, status } = filter;
  if (requesterId !== undefined && status !== undefined) return { index: 'gsi4', partition: `REQUESTER#${requesterId}#STATUS#${status}` };
  if (requesterId !== undefined) return { index: 'gsi1', partition: `REQUESTER#${requesterId}` };
  if (status !== undefined) return { index: 'gsi3', partition: `STATUS#${status}` };
  return { index: 'gsi2', partition: 'REQUESTS' };
}

function fromRequestItem(item: Record<string, unknown>): ConnectionRequestRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, gsi3pk: _g3, gsi3sk: _g3s, gsi4pk: _g4, gsi4sk: _g4s, ...record } = item;
  return record as unknown as ConnectionRequestRecord;
}
