import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore, newApprovalId } from '../../functions/requests/approvals.ts';
import { HostLockBusyError, RequestNotFoundError } from '../../functions/requests/errors.ts';
import type { ConnectionRequestRecord } from '../../functions/requests/model.ts';
import { BrokerStore, timelineEntry } from '../../functions/requests/store.ts';
import { startBrokerTable, TEST_TABLE } from '../helpers/broker-table.ts';

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

describe('approvals', () => {
  it('decides exactly once among simultaneous clicks', async () => {
    const approvalId = newApprovalId();
    expect(approvalId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await approvals.create({ approvalId, requestId: 'r-approval', taskToken: 'token-secret', status: 'PENDING', createdAt: new Date().toISOString(), expiresAt: 0 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => approvals.decide(approvalId, 'APPROVED', `user-${index}`)));
    const winners = results.filter(Boolean);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ status: 'APPROVED', taskToken: 'token-secret' });
    expect((await approvals.forRequest('r-approval')).map((approval) => approval.status)).toEqual(['APPROVED']);
  });
});
