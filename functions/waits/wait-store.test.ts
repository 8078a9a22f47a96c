import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BrokerStore } from '../request/store.ts';
import { WaitStore, type WaitKind, type WaitRecord } from './wait-store.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';

/** The waits in the broker's real table layout (infra/resources/table.yml) on an in-memory DynamoDB. */

let table: Awaited<ReturnType<typeof startBrokerTable>>;
let waits: WaitStore;
let store: BrokerStore;

beforeAll(async () => {
  table = await startBrokerTable();
  waits = new WaitStore(table.documents, TEST_TABLE);
  store = new BrokerStore(table.documents, TEST_TABLE);
});
afterAll(async () => {
  table.client.destroy();
  await table.dynamo.close();
});
beforeEach(async () => {
  for (const wait of (await waits.all()).waits) await waits.end(wait.requestId, wait.kind);
});

const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d';
const CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

function wait(requestId: string, kind: WaitKind, since: string, extra: Partial<WaitRecord> = {}): WaitRecord {
  return {
    requestId,
    kind,
    resourceArn: kind === 'host-setup' ? HOST : CONNECTION,
    since,
    deadline: '2026-03-08T00:00:00.000Z',
    ...(kind === 'host-setup' ? { taskToken: `token-${requestId}` } : { approvalId: `approval-${requestId}`, availableApproves: true }),
    expiresAt: 1_800_000_000,
    ...extra,
  };
}

async function request(requestId: string): Promise<void> {
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status: 'WAITING_FOR_HOST_SETUP', requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0,
  });
}

describe('WaitStore.begin and all', () => {
  it('returns every wait, oldest first, as it was begun, in one query', async () => {
    const late = wait('r-late', 'handshake', '2026-03-01T05:00:00.000Z');
    const early = wait('r-early', 'host-setup', '2026-03-01T01:00:00.000Z');
    const middle = wait('r-middle', 'host-setup', '2026-03-01T03:00:00.000Z', { remindedAt: '2026-03-02T03:00:00.000Z' });
    for (const each of [late, early, middle]) await waits.begin(each);
    expect(await waits.all()).toEqual({ waits: [early, middle, late], queries: 1 });
  });

  it('returns only the waits, not the requests that share the index', async () => {
    await request('r-request-only');
    await request('r-waiting');
    await waits.begin(wait('r-waiting', 'host-setup', '2026-03-01T01:00:00.000Z'));
    expect((await store.listRequests({ limit: 100 })).requests.map((each) => each.requestId)).toEqual(expect.arrayContaining(['r-request-only', 'r-waiting']));
    expect((await waits.all()).waits.map((each) => each.requestId)).toEqual(['r-waiting']);
  });

  it('answers one query and nothing when nobody waits', async () => {
    await request('r-not-waiting');
    expect(await waits.all()).toEqual({ waits: [], queries: 1 });
  });

  it('re-points a wait begun again (a retried step with a new token): one wait, the new token', async () => {
    await waits.begin(wait('r-retried', 'host-setup', '2026-03-01T01:00:00.000Z', { taskToken: 'old-token' }));
    await waits.begin(wait('r-retried', 'host-setup', '2026-03-01T01:00:00.000Z', { taskToken: 'new-token' }));
    expect((await waits.all()).waits).toEqual([expect.objectContaining({ requestId: 'r-retried', taskToken: 'new-token' })]);
  });

  it('reads every page when the waits outgrow one query page (1 MB)', async () => {
    // Five waits of ~300 KB each (DynamoDB items may be 400 KB) make more than one 1 MB page.
    const bulky = Array.from({ length: 5 }, (_, index) =>
      wait(`r-bulky-${index}`, 'host-setup', `2026-03-01T0${index}:00:00.000Z`, { taskToken: `${index}${'t'.repeat(300_000)}` }),
    );
    for (const each of bulky) await waits.begin(each);
    const { waits: found, queries } = await waits.all();
    expect(found.map((each) => each.requestId)).toEqual(bulky.map((each) => each.requestId));
    expect(queries).toBeGreaterThan(1);
  });
});

describe('WaitStore.forRequest', () => {
  it('returns the request’s own waits and no one else’s', async () => {
    await waits.begin(wait('r-1', 'host-setup', '2026-03-01T01:00:00.000Z'));
    await waits.begin(wait('r-1', 'handshake', '2026-03-02T01:00:00.000Z'));
    await waits.begin(wait('r-10', 'host-setup', '2026-03-01T00:00:00.000Z'));
    expect((await waits.forRequest('r-1')).map((each) => [each.requestId, each.kind])).toEqual([
      ['r-1', 'handshake'],
      ['r-1', 'host-setup'],
    ]);
    expect(await waits.forRequest('r-2')).toEqual([]);
  });
});

describe('WaitStore.end', () => {
  it('ends a wait', async () => {
    await waits.begin(wait('r-end', 'handshake', '2026-03-01T01:00:00.000Z'));
    await waits.end('r-end', 'handshake');
    expect(await waits.forRequest('r-end')).toEqual([]);
    expect((await waits.all()).waits).toEqual([]);
  });

  it('with a token, ends only the wait that still holds that token: a newer attempt’s wait stays', async () => {
    await waits.begin(wait('r-token', 'host-setup', '2026-03-01T01:00:00.000Z', { taskToken: 'old-token' }));
    await waits.begin(wait('r-token', 'host-setup', '2026-03-01T01:00:00.000Z', { taskToken: 'new-token' }));
    await waits.end('r-token', 'host-setup', 'old-token');
    expect(await waits.forRequest('r-token')).toEqual([expect.objectContaining({ taskToken: 'new-token' })]);
    await waits.end('r-token', 'host-setup', 'new-token');
    expect(await waits.forRequest('r-token')).toEqual([]);
  });

  it('is harmless on a wait that is already over, with or without a token', async () => {
    await expect(waits.end('r-never', 'host-setup')).resolves.toBeUndefined();
    await expect(waits.end('r-never', 'host-setup', 'some-token')).resolves.toBeUndefined();
  });

  it('ends one kind of wait and leaves the other', async () => {
    await waits.begin(wait('r-both', 'host-setup', '2026-03-01T01:00:00.000Z'));
    await waits.begin(wait('r-both', 'handshake', '2026-03-01T02:00:00.000Z'));
    await waits.end('r-both', 'host-setup');
    expect((await waits.forRequest('r-both')).map((each) => each.kind)).toEqual(['handshake']);
  });
});

describe('WaitStore.markNotice', () => {
  it('records a sent reminder and escalation on the wait', async () => {
    const waiting = wait('r-notice', 'handshake', '2026-03-01T01:00:00.000Z');
    await waits.begin(waiting);
    await waits.markNotice(waiting, 'remindedAt', new Date('2026-03-02T01:00:30.000Z'));
    await waits.markNotice(waiting, 'escalatedAt', new Date('2026-03-03T01:00:30.000Z'));
    expect(await waits.forRequest('r-notice')).toEqual([{ ...waiting, remindedAt: '2026-03-02T01:00:30.000Z', escalatedAt: '2026-03-03T01:00:30.000Z' }]);
  });

  it('is harmless on a wait that ended meanwhile, and does not bring it back', async () => {
    const waiting = wait('r-ended', 'handshake', '2026-03-01T01:00:00.000Z');
    await waits.begin(waiting);
    await waits.end('r-ended', 'handshake');
    await expect(waits.markNotice(waiting, 'remindedAt', new Date())).resolves.toBeUndefined();
    expect(await waits.forRequest('r-ended')).toEqual([]);
    const { Item } = await table.documents.send(new GetCommand({ TableName: TEST_TABLE, Key: { pk: 'WAIT#r-ended', sk: 'handshake' } }));
    expect(Item).toBeUndefined();
  });
});
