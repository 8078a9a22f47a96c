import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore, newApprovalId } from '../approval/store.ts';
import { HostLockBusyError, RequestNotFoundError } from './store-errors.ts';
import type { ConnectionRequestRecord } from './model.ts';
import { BrokerStore, timelineEntry } from './store.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';

let table: Awaited<ReturnType<typeof startBrokerTable>>;
let store: BrokerStore;
let approvals: ApprovalStore;

beforeAll(async () => {
  table = await startBrokerTable();
  store = new BrokerStore(table.documents, TEST_TABLE);
  approvals = new ApprovalStore(table.documents, TEST_TABLE);
});
afterAll(async () => {
  table.client.destroy();
  await table.dynamo.close();
});

function record(requestId: string, requester = 'alice', createdAt = new Date().toISOString()): ConnectionRequestRecord {
  return {
    requestId,
    status: 'ACCEPTED',
    requester: { id: requester },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: `c-${requestId}`,
    hostName: 'ghe-host',
    tags: {},
    region: 'us-east-1',
    createdAt,
    updatedAt: createdAt,
    timeline: [],
    revision: 0,
  };
}

describe('request records', () => {
  it('creates once, reads back, and refuses a second create with the same id', async () => {
    await store.createRequest(record('r-create'));
    expect((await store.getRequest('r-create')).connectionName).toBe('c-r-create');
    await expect(store.createRequest(record('r-create'))).rejects.toThrow();
    await expect(store.getRequest('missing')).rejects.toBeInstanceOf(RequestNotFoundError);
    // Longer than a DynamoDB key may be: no such request, not a ValidationException.
    await expect(store.getRequest('x'.repeat(2100))).rejects.toBeInstanceOf(RequestNotFoundError);
  });

  it('applies concurrent updates one after another, losing none', async () => {
    await store.createRequest(record('r-concurrent'));
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store.updateRequest('r-concurrent', (current) => ({ ...current, timeline: [...current.timeline, timelineEntry('step', 'system', `entry ${index}`)] }), 20),
      ),
    );
    const final = await store.getRequest('r-concurrent');
    expect(final.timeline).toHaveLength(8);
    expect(final.revision).toBe(8);
  });

  it('lists a requester their own requests newest first, admins everything, filtered by status and paged', async () => {
    for (let index = 0; index < 5; index++) {
      await store.createRequest({ ...record(`list-${index}`, index % 2 ? 'bob' : 'carol', `2030-01-0${index + 1}T00:00:00.000Z`), status: index === 4 ? 'COMPLETED' : 'ACCEPTED' });
    }
    const carol = await store.listRequests({ requesterId: 'carol', limit: 10 });
    expect(carol.requests.map((request) => request.requestId)).toEqual(['list-4', 'list-2', 'list-0']);
    const firstPage = await store.listRequests({ limit: 2 });
    expect(firstPage.requests.map((request) => request.requestId)).toEqual(['list-4', 'list-3']);
    const secondPage = await store.listRequests({ limit: 2, cursor: firstPage.cursor });
    expect(secondPage.requests.map((request) => request.requestId)).toEqual(['list-2', 'list-1']);
    const completed = await store.listRequests({ status: 'COMPLETED', limit: 50 });
    expect(completed.requests.map((request) => request.requestId)).toEqual(['list-4']);
  });

  it('fills every status-filtered page with matches, however many other requests lie between them', async () => {
    // 60 requests, one in twenty COMPLETED: a filter applied after the page is cut would return empty pages.
    for (let index = 0; index < 60; index++) {
      const requester = index % 3 === 0 ? 'dora' : 'erin';
      await store.createRequest({ ...record(`status-${String(index).padStart(2, '0')}`, requester, `2031-01-01T00:${String(index).padStart(2, '0')}:00.000Z`), status: 'ACCEPTED' });
    }
    for (const id of ['status-03', 'status-23', 'status-42']) {
      await store.updateRequest(id, (current) => ({ ...current, status: 'COMPLETED' }));
    }
    const pages: string[][] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await store.listRequests({ status: 'COMPLETED', limit: 1, cursor });
      pages.push(page.requests.map((request) => request.requestId));
      cursor = page.cursor;
    } while (cursor && pages.length < 10);
    // Newest first (list-4 is the earlier test's, from 2030); only a last page may be empty, where
    // DynamoDB cannot know that no match is left.
    expect(pages.flat()).toEqual(['status-42', 'status-23', 'status-03', 'list-4']);
    expect(pages.slice(0, 4).map((page) => page.length)).toEqual([1, 1, 1, 1]);
    expect(pages.length).toBeLessThanOrEqual(5);

    // One requester's COMPLETED requests only (03 and 42 are dora's; 23 is erin's).
    const dora = await store.listRequests({ requesterId: 'dora', status: 'COMPLETED', limit: 10 });
    expect(dora.requests.map((request) => request.requestId)).toEqual(['status-42', 'status-03']);
    // A request leaves the status's list when its status changes.
    await store.updateRequest('status-42', (current) => ({ ...current, status: 'CANCELLED' }));
    const after = await store.listRequests({ requesterId: 'dora', status: 'COMPLETED', limit: 10 });
    expect(after.requests.map((request) => request.requestId)).toEqual(['status-03']);
  });

  it('backfills the status indexes of requests written before them, once', async () => {
    // As an older broker wrote it: no gsi3/gsi4 keys.
    const old = { ...record('before-indexes', 'frank', '2029-01-01T00:00:00.000Z'), status: 'FAILED' as const };
    await table.documents.send(
      new PutCommand({ TableName: TEST_TABLE, Item: { pk: 'REQ#before-indexes', sk: 'REQUEST', gsi1pk: 'REQUESTER#frank', gsi1sk: 'x', gsi2pk: 'REQUESTS', gsi2sk: 'x', ...old } }),
    );
    expect((await store.listRequests({ status: 'FAILED', limit: 10 })).requests.map((request) => request.requestId)).not.toContain('before-indexes');
    expect((await store.backfillStatusIndexes()).rewritten).toBe(1);
    expect((await store.listRequests({ status: 'FAILED', limit: 10 })).requests.map((request) => request.requestId)).toContain('before-indexes');
    expect((await store.listRequests({ requesterId: 'frank', status: 'FAILED', limit: 10 })).requests).toHaveLength(1);
    expect((await store.backfillStatusIndexes()).rewritten).toBe(0);
  });
});

describe('host claims', () => {
  it('lets exactly one of ten simultaneous requests create the host; the rest wait, then reuse it', async () => {
    const now = new Date();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, index) => store.claimHost('https://ghe.one|public', `req-${index}`, now)));
    const creators = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.outcome === 'create');
    const busy = outcomes.filter((outcome) => outcome.status === 'rejected' && outcome.reason instanceof HostLockBusyError);
    expect(creators).toHaveLength(1);
    expect(busy).toHaveLength(9);

    const creator = outcomes.findIndex((outcome) => outcome.status === 'fulfilled');
    await store.recordHostCreated('https://ghe.one|public', `req-${creator}`, 'arn:host/one');
    const later = await store.claimHost('https://ghe.one|public', 'req-late', now);
    expect(later).toEqual({ outcome: 'reuse', hostArn: 'arn:host/one', createdBy: `req-${creator}` });
  });

  it('takes over a claim whose creator went silent, and forgets a host only when nobody uses it', async () => {
    await store.claimHost('https://ghe.two|public', 'dead', new Date('2026-01-01T00:00:00Z'));
    expect(await store.claimHost('https://ghe.two|public', 'alive', new Date('2026-01-01T00:10:00Z'))).toEqual({ outcome: 'create' });
    await store.recordHostCreated('https://ghe.two|public', 'alive', 'arn:host/two');
    await store.claimHost('https://ghe.two|public', 'joiner', new Date());
    expect(await store.leaveHost('https://ghe.two|public', 'alive')).toEqual(['dead', 'joiner']);
    expect(await store.forgetHost('https://ghe.two|public')).toBe(false);
    await store.leaveHost('https://ghe.two|public', 'joiner');
    await store.leaveHost('https://ghe.two|public', 'dead');
    expect(await store.forgetHost('https://ghe.two|public')).toBe(true);
  });
});

describe('host owner and users (issue 11, item 10)', () => {
  it('keeps the creator as owner however many requests reuse the host, and lists them as users', async () => {
    const key = 'https://ghe.owned|public';
    expect(await store.claimHost(key, 'req-creator', new Date())).toEqual({ outcome: 'create' });
    await store.recordHostCreated(key, 'req-creator', 'arn:host/owned', 'alice');
    for (const requestId of ['req-bob', 'req-carol']) {
      expect(await store.claimHost(key, requestId, new Date())).toEqual({ outcome: 'reuse', hostArn: 'arn:host/owned', createdBy: 'req-creator', createdByRequester: 'alice' });
    }
    // The last to reuse it does not become its owner; everyone is a user.
    expect(await store.claimHost(key, 'req-dave', new Date())).toMatchObject({ createdBy: 'req-creator', createdByRequester: 'alice' });
    expect(await store.leaveHost(key, 'req-dave')).toEqual(['req-bob', 'req-carol', 'req-creator']);
  });

  it('counts whoever takes over a silent claim among the users, so the host is not forgotten under it', async () => {
    const key = 'https://ghe.taken|public';
    await store.claimHost(key, 'silent', new Date('2026-01-01T00:00:00Z'));
    expect(await store.claimHost(key, 'taker', new Date('2026-01-01T00:10:00Z'))).toEqual({ outcome: 'create' });
    await store.recordHostCreated(key, 'taker', 'arn:host/taken', 'erin');
    expect(await store.leaveHost(key, 'silent')).toEqual(['taker']);
    expect(await store.forgetHost(key)).toBe(false);
    expect(await store.claimHost(key, 'joiner', new Date())).toMatchObject({ outcome: 'reuse', createdBy: 'taker', createdByRequester: 'erin' });
  });
});

describe('approvals', () => {
  it('decides exactly once among simultaneous clicks', async () => {
    const approvalId = newApprovalId();
    expect(approvalId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await approvals.open({ approvalId, requestId: 'r-approval', taskToken: 'token-secret', expiresAt: 0 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => approvals.decide(approvalId, 'APPROVED', `user-${index}`)));
    const winners = results.filter(Boolean);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ status: 'APPROVED', taskToken: 'token-secret' });
    expect((await approvals.forRequest('r-approval')).map((approval) => approval.status)).toEqual(['APPROVED']);
  });

  it('re-points one approval at a retried wait’s token, keeping its id, status and creation time', async () => {
    const approvalId = newApprovalId();
    const first = await approvals.open({ approvalId, requestId: 'r-retry', taskToken: 'token-1', expiresAt: 100 });
    expect(first).toMatchObject({ approvalId, requestId: 'r-retry', taskToken: 'token-1', status: 'PENDING', expiresAt: 100 });
    const second = await approvals.open({ approvalId, requestId: 'r-retry', taskToken: 'token-2', expiresAt: 999 });
    expect(second).toMatchObject({ taskToken: 'token-2', status: 'PENDING', createdAt: first.createdAt, expiresAt: 100 });
    expect(await approvals.forRequest('r-retry')).toHaveLength(1);
  });

  it('shows a retried wait that opens after a decision the decision, so it can pass it on', async () => {
    const approvalId = newApprovalId();
    await approvals.open({ approvalId, requestId: 'r-gap', taskToken: 'token-1', expiresAt: 0 });
    await approvals.decide(approvalId, 'REJECTED', 'slack:U0APPROVER');
    const reopened = await approvals.open({ approvalId, requestId: 'r-gap', taskToken: 'token-2', expiresAt: 0 });
    expect(reopened).toMatchObject({ status: 'REJECTED', decidedBy: 'slack:U0APPROVER', taskToken: 'token-2' });
  });

  it('lets exactly one attempt claim a reminder, and none once the approval is decided', async () => {
    const approvalId = newApprovalId();
    await approvals.open({ approvalId, requestId: 'r-notice', taskToken: 't', expiresAt: 0 });
    const claims = await Promise.all(Array.from({ length: 4 }, () => approvals.claimNotice(approvalId, 'remindedAt')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await approvals.decide(approvalId, 'APPROVED', 'u');
    expect(await approvals.claimNotice(approvalId, 'escalatedAt')).toBe(false);
  });

  it('expires an undelivered decision only while the record is as that decision left it', async () => {
    const approvalId = newApprovalId();
    await approvals.open({ approvalId, requestId: 'r-late', taskToken: 'token-1', expiresAt: 0 });
    const decided = (await approvals.decide(approvalId, 'APPROVED', 'u'))!;
    await approvals.open({ approvalId, requestId: 'r-late', taskToken: 'token-2', expiresAt: 0 });
    expect(await approvals.expireUndelivered(decided)).toBe(false);
    expect((await approvals.get(approvalId))?.status).toBe('APPROVED');
    expect(await approvals.expireUndelivered({ ...decided, taskToken: 'token-2' })).toBe(true);
    expect((await approvals.get(approvalId))?.status).toBe('EXPIRED');
  });

  it('remembers where the approval’s messages were posted', async () => {
    const approvalId = newApprovalId();
    await approvals.open({ approvalId, requestId: 'r-messages', taskToken: 't', expiresAt: 0 });
    await approvals.attachMessage(approvalId, 'requestMessage', { channel: 'C0APPROVALS', ts: '1.000001' });
    await approvals.attachMessage(approvalId, 'escalationMessage', { channel: 'C0ESCALATIONS', ts: '2.000002' });
    expect(await approvals.get(approvalId)).toMatchObject({
      requestMessage: { channel: 'C0APPROVALS', ts: '1.000001' },
      escalationMessage: { channel: 'C0ESCALATIONS', ts: '2.000002' },
    });
  });
});

describe('connection name reservations', () => {
  const never = async () => false;

  it('holds a name for one request: others are refused, the holder may reserve again, and only it may release', async () => {
    const now = new Date();
    expect(await store.reserveConnectionName('name-held', 'r-a', now, never)).toEqual({ reserved: true });
    expect(await store.reserveConnectionName('name-held', 'r-b', now, never)).toEqual({ reserved: false, heldBy: 'r-a' });
    expect(await store.reserveConnectionName('name-held', 'r-a', now, never)).toEqual({ reserved: true });
    expect(await store.releaseConnectionName('name-held', 'r-b')).toBe(false);
    expect(await store.reserveConnectionName('name-held', 'r-b', now, never)).toEqual({ reserved: false, heldBy: 'r-a' });
    expect(await store.releaseConnectionName('name-held', 'r-a')).toBe(true);
    expect(await store.reserveConnectionName('name-held', 'r-b', now, never)).toEqual({ reserved: true });
  });

  it('lets exactly one of many simultaneous requests reserve a name', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, index) => store.reserveConnectionName('name-raced', `r-${index}`, new Date(), never)));
    expect(outcomes.filter((outcome) => outcome.reserved)).toHaveLength(1);
  });

  it('takes over a name whose holder is stale, and asks about the holder that is there', async () => {
    const now = new Date();
    await store.reserveConnectionName('name-stale', 'r-old', now, never);
    const asked: string[] = [];
    const outcome = await store.reserveConnectionName('name-stale', 'r-new', now, async (holder) => {
      asked.push(holder.requestId);
      return holder.requestId === 'r-old';
    });
    expect(outcome).toEqual({ reserved: true });
    expect(asked).toEqual(['r-old']);
    expect(await store.releaseConnectionName('name-stale', 'r-old')).toBe(false);
  });
});
