import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from './store.ts';
import type { AuditReport } from './report.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';

/** One audit at a time, against the table as deployed (dynalite). */
let table: Awaited<ReturnType<typeof startBrokerTable>>;
let store: AuditStore;

const report = (auditId: string): AuditReport => ({ auditId, status: 'RUNNING', trigger: 'api', asOf: '2026-12-01T00:00:00.000Z', startedAt: '2026-12-01T00:00:00.000Z', findings: [] });

beforeAll(async () => {
  table = await startBrokerTable();
  store = new AuditStore(table.documents, TEST_TABLE);
});
afterAll(async () => {
  table.client.destroy();
  await table.dynamo.close();
});
beforeEach(async () => {
  await table.documents.send(new DeleteCommand({ TableName: TEST_TABLE, Key: { pk: 'AUDIT', sk: 'LOCK' } }));
});

describe('the audit lock', () => {
  it('refuses a second audit while the first runs', async () => {
    expect(await store.begin(report('first'), 900)).toEqual({ started: true });
    expect(await store.begin(report('second'), 900)).toEqual({ started: false, runningAuditId: 'first' });
  });

  it('lets the next audit start as soon as the previous report reads COMPLETED, before it lets go of the lock', async () => {
    expect(await store.begin(report('done'), 900)).toEqual({ started: true });
    // The moment between storing the COMPLETED report and releasing the lock (complete() releases last).
    await table.documents.send(
      new PutCommand({ TableName: TEST_TABLE, Item: { pk: 'AUDIT#done', sk: 'REPORT', report: { ...report('done'), status: 'COMPLETED' }, findingChunks: 0 } }),
    );
    expect(await store.begin(report('next'), 900)).toEqual({ started: true });
    const { Item } = await table.documents.send(new GetCommand({ TableName: TEST_TABLE, Key: { pk: 'AUDIT', sk: 'LOCK' } }));
    expect(Item?.auditId).toBe('next');
  });
});
