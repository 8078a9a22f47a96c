import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Finding, PipelineFacts, RoleFacts } from './model.ts';
import type { AuditReport, PlaceSummary } from './report.ts';

/** Tags and first sighting of a host or connection, kept between audits. */
export interface SeenResource {
  arn: string;
  firstSeenAt: string;
  tags: Record<string, string>;
  /** The audit time (`asOf`) the tags were read at; absent while they could never be read (access denied). */
  tagsReadAt?: string;
}

export type CachedPipeline = PipelineFacts & { fetchedAt: string };
export type CachedRole = RoleFacts & { readAt: string };

/**
 * The auditor's items in the broker's table, all single-item writes:
 * - `AUDIT#<id>` / `REPORT` and `FINDINGS#<n>`: a report, its findings in chunks under the item limit;
 * - `AUDIT` / `LATEST`: the newest completed audit and its findings' fingerprint (for "changed?");
 * - `AUDIT` / `LOCK`: one audit at a time, with a lease so a crashed run does not block forever;
 * - `AUDIT#SEEN` / `<arn>`, `AUDIT#PIPELINES` / `<name>`, `AUDIT#ROLES` / `<name>`: what earlier
 *   audits read, so the next one asks AWS only for what changed.
 */
export class AuditStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays = 90,
    /** Suffix of the cache partitions: each audited account and Region keeps its own (pipeline and role names repeat across accounts). */
    private readonly cacheScope = '',
  ) {}

  private readonly pendingCacheWrites: Record<string, unknown>[] = [];

  /**
   * The same store, with the caches of one account and Region. The broker's own keep the unscoped
   * partitions they had before the fleet audit, so its caches stay warm across the upgrade.
   */
  forPlace(scope: string | undefined): AuditStore {
    return new AuditStore(this.documents, this.tableName, this.retentionDays, scope ? `#${scope}` : '');
  }

  /**
   * One account and Region's part of a fleet audit: its findings in chunks under the item limit,
   * then its summary. A summary is written last, so a place with a summary has all its findings.
   */
  async putPlace(auditId: string, summary: PlaceSummary, findings: readonly Finding[]): Promise<void> {
    const place = `PLACE#${summary.outcome.accountId}#${summary.outcome.region}`;
    for (const [index, chunk] of chunkFindings(findings).entries()) {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: auditKey(auditId), sk: `${place}#F${String(index).padStart(4, '0')}`, findings: chunk, expiresAt: this.expiry() } }),
      );
    }
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { pk: auditKey(auditId), sk: `${place}#SUMMARY`, summary, expiresAt: this.expiry() } }));
  }

  /** What the places of this audit stored so far: their summaries, and the findings of those that finished. */
  async places(auditId: string): Promise<{ summaries: PlaceSummary[]; findings: Finding[] }> {
    const items = await this.queryAll(auditKey(auditId), 'PLACE#');
    const summaries = items.filter((item) => String(item.sk).endsWith('#SUMMARY')).map((item) => item.summary as PlaceSummary);
    const finished = new Set(summaries.map(({ outcome }) => `PLACE#${outcome.accountId}#${outcome.region}#`));
    const findings = items
      .filter((item) => !String(item.sk).endsWith('#SUMMARY') && finished.has(String(item.sk).replace(/F\d{4}$/u, '')))
      .flatMap((item) => item.findings as Finding[]);
    return { summaries, findings };
  }

  /**
   * Takes the lock for `auditId` and records the run; answers the running audit's id when another
   * holds it. An audit whose report already reads COMPLETED or FAILED is over even if it has not let
   * go of the lock yet (it stores its report first and releases last): its lock is taken over, so a
   * caller who saw it finish can start the next one at once.
   */
  async begin(report: AuditReport, leaseSeconds: number, nowMs = Date.now()): Promise<{ started: true } | { started: false; runningAuditId: string }> {
    let finishedHolder: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: 'AUDIT', sk: 'LOCK', auditId: report.auditId, leaseUntil: nowMs + leaseSeconds * 1000, expiresAt: Math.ceil(nowMs / 1000) + leaseSeconds },
            ConditionExpression: `attribute_not_exists(pk) OR leaseUntil < :now OR auditId = :me${finishedHolder ? ' OR auditId = :finished' : ''}`,
            ExpressionAttributeValues: { ':now': nowMs, ':me': report.auditId, ...(finishedHolder ? { ':finished': finishedHolder } : {}) },
          }),
        );
        await this.putHeader(report);
        return { started: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'AUDIT', sk: 'LOCK' }, ConsistentRead: true }));
      if (!Item) continue; // released meanwhile
      const holder = String(Item.auditId);
      const holderStatus = (await this.header(holder))?.status;
      if (holderStatus !== 'COMPLETED' && holderStatus !== 'FAILED') return { started: false, runningAuditId: holder };
      finishedHolder = holder;
    }
    return { started: false, runningAuditId: finishedHolder ?? 'unknown' };
  }

  /** Stores the findings, then the header, then moves `latest`, then lets the next audit run. */
  async complete(report: AuditReport, fingerprint: string[]): Promise<void> {
    const chunks = chunkFindings(report.findings);
    for (const [index, findings] of chunks.entries()) {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: auditKey(report.auditId), sk: `FINDINGS#${String(index).padStart(4, '0')}`, findings, expiresAt: this.expiry() } }),
      );
    }
    await this.putHeader({ ...report, findings: [] }, chunks.length);
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: 'AUDIT', sk: 'LATEST', auditId: report.auditId, finishedAt: report.finishedAt, fingerprint } }),
    );
    await this.release(report.auditId);
  }

  async fail(report: AuditReport): Promise<void> {
    await this.putHeader({ ...report, findings: [] });
    await this.release(report.auditId);
  }

  /** The findings' fingerprint of the latest completed audit. */
  async latestFingerprint(): Promise<{ auditId: string; fingerprint: string[] } | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: 'AUDIT', sk: 'LATEST' }, ConsistentRead: true }));
    return Item ? { auditId: String(Item.auditId), fingerprint: (Item.fingerprint as string[] | undefined) ?? [] } : undefined;
  }

  async latest(): Promise<AuditReport | undefined> {
    const pointer = await this.latestFingerprint();
    return pointer ? this.get(pointer.auditId) : undefined;
  }

  /** The report's header alone (status, times, summary), without reading its findings. */
  async header(auditId: string): Promise<AuditReport | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: auditKey(auditId), sk: 'REPORT' }, ConsistentRead: true }));
    return Item?.report as AuditReport | undefined;
  }

  async get(auditId: string): Promise<AuditReport | undefined> {
    const items = await this.queryAll(auditKey(auditId));
    const header = items.find((item) => item.sk === 'REPORT');
    if (!header) return undefined;
    const findings = items
      .filter((item) => String(item.sk).startsWith('FINDINGS#'))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
      .flatMap((item) => item.findings as Finding[]);
    return { ...(header.report as AuditReport), findings };
  }

  async seenResources(): Promise<Map<string, SeenResource>> {
    return new Map((await this.queryAll(`AUDIT#SEEN${this.cacheScope}`)).map((item) => [String(item.sk), item.seen as SeenResource]));
  }

  async putSeen(seen: SeenResource): Promise<void> {
    await this.queueCacheWrite({ pk: `AUDIT#SEEN${this.cacheScope}`, sk: seen.arn, seen });
  }

  async deleteSeen(arn: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `AUDIT#SEEN${this.cacheScope}`, sk: arn } }));
  }

  async cachedPipelines(): Promise<Map<string, CachedPipeline>> {
    return new Map((await this.queryAll(`AUDIT#PIPELINES${this.cacheScope}`)).map((item) => [String(item.sk), item.pipeline as CachedPipeline]));
  }

  async putPipeline(pipeline: CachedPipeline): Promise<void> {
    await this.queueCacheWrite({ pk: `AUDIT#PIPELINES${this.cacheScope}`, sk: pipeline.name, pipeline });
  }

  async deletePipeline(name: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: `AUDIT#PIPELINES${this.cacheScope}`, sk: name } }));
  }

  async cachedRoles(): Promise<Map<string, CachedRole>> {
    return new Map((await this.queryAll(`AUDIT#ROLES${this.cacheScope}`)).map((item) => [String(item.sk), item.role as CachedRole]));
  }

  async putRole(role: CachedRole): Promise<void> {
    await this.queueCacheWrite({ pk: `AUDIT#ROLES${this.cacheScope}`, sk: role.roleName, role });
  }

  /** Writes what the cache writes left queued; an audit calls it once it has collected. */
  async flushCacheWrites(): Promise<void> {
    while (this.pendingCacheWrites.length > 0) await this.writeBatch(this.pendingCacheWrites.splice(0, BATCH_WRITE_LIMIT));
  }

  /**
   * Cache writes go out 25 at a time (BatchWriteItem): a first audit of an account writes an item
   * per pipeline and resource, and one call per item would cost as many DynamoDB calls and
   * connections. An item lost to a crash is only read from AWS again next time.
   */
  private async queueCacheWrite(item: Record<string, unknown>): Promise<void> {
    this.pendingCacheWrites.push(item);
    if (this.pendingCacheWrites.length >= BATCH_WRITE_LIMIT) await this.writeBatch(this.pendingCacheWrites.splice(0, BATCH_WRITE_LIMIT));
  }

  /** BatchWriteItem may leave items unprocessed (throttled): they are sent again after a short wait. */
  private async writeBatch(items: Record<string, unknown>[]): Promise<void> {
    let requests = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt === 8) throw new Error(`DynamoDB left ${requests.length} audit cache writes unprocessed`);
      if (attempt > 0) await sleep(50 * 2 ** attempt);
      const { UnprocessedItems } = await this.documents.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
      requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
    }
  }

  private async putHeader(report: AuditReport, findingChunks = 0): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: auditKey(report.auditId), sk: 'REPORT', report, findingChunks, expiresAt: this.expiry() } }),
    );
  }

  private async release(auditId: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: 'AUDIT', sk: 'LOCK' },
          ConditionExpression: 'auditId = :me',
          ExpressionAttributeValues: { ':me': auditId },
        }),
      );
    } catch (error) {
      // Our lease ran out and another audit took the lock: it is theirs now.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Every item of a partition, or of its sort keys that begin with `skPrefix`. */
  private async queryAll(pk: string, skPrefix?: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':prefix': skPrefix } : {}) },
          ExclusiveStartKey: cursor,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return items;
  }

  private expiry(): number {
    return Math.floor(Date.now() / 1000) + this.retentionDays * 86_400;
  }
}

function auditKey(auditId: string): string {
  return `AUDIT#${auditId}`;
}

/** BatchWriteItem takes at most 25 items. */
const BATCH_WRITE_LIMIT = 25;

/** DynamoDB items hold 400 KB; a quota-full account can have hundreds of findings. */
const CHUNK_CHARACTERS = 300_000;

export function chunkFindings(findings: readonly Finding[]): Finding[][] {
  const chunks: Finding[][] = [];
  let current: Finding[] = [];
  let size = 0;
  for (const finding of findings) {
    const length = JSON.stringify(finding).length;
    if (current.length > 0 && size + length > CHUNK_CHARACTERS) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(finding);
    size += length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
