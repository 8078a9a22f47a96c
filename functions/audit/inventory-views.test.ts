import { ListConnectionsCommand, ListHostsCommand, type CodeStarConnectionsClient, type Connection, type Host } from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, getHost, listHosts, type InventoryDependencies } from './inventory-views.ts';
import { AuditStore } from './store.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { BrokerStore } from '../request/store.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';
import { connectionArn, hostArn, pipeline, record } from './test-fixtures.ts';

let table: Awaited<ReturnType<typeof startBrokerTable>>;
let deps: InventoryDependencies;
const hosts: Host[] = [];
const connections: Connection[] = [];

beforeAll(async () => {
  table = await startBrokerTable();
  const fakeConnections = {
    send: async (command: unknown) => {
      if (command instanceof ListHostsCommand) return { Hosts: hosts };
      if (command instanceof ListConnectionsCommand) return { Connections: connections };
      throw new Error('unexpected command');
    },
  } as unknown as CodeStarConnectionsClient;
  deps = { connections: fakeConnections, requestStore: new BrokerStore(table.documents, TEST_TABLE), auditStore: new AuditStore(table.documents, TEST_TABLE) };
});
afterAll(async () => {
  table.client.destroy();
  await table.dynamo.close();
});

const admin = { id: 'admin', isAdmin: true, teams: [] };
const at = (day: number) => `2026-02-0${day}T00:00:00.000Z`;
const create = (overrides: Partial<ConnectionRequestRecord> & { requestId: string }) => deps.requestStore.createRequest(record(overrides.requestId, overrides));

describe('host owner (issue 11, item 10)', () => {
  it('stays the creator however many requests reuse the host; the reusers are listed as users', async () => {
    hosts.push({ HostArn: hostArn('shared'), Name: 'shared', Status: 'AVAILABLE', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' });
    await create({ requestId: 'h-creator', requester: { id: 'alice' }, createdAt: at(1), hostArn: hostArn('shared'), hostCreatedByRequest: true });
    await create({ requestId: 'h-reuse-1', requester: { id: 'bob' }, createdAt: at(2), hostArn: hostArn('shared'), hostCreatedByRequest: false, hostCreatedBy: { requestId: 'h-creator', requesterId: 'alice' } });
    await create({ requestId: 'h-reuse-2', requester: { id: 'carol' }, createdAt: at(3), hostArn: hostArn('shared'), hostCreatedByRequest: false, hostCreatedBy: { requestId: 'h-creator', requesterId: 'alice' } });
    await create({ requestId: 'h-rolled-back', requester: { id: 'dave' }, status: 'CANCELLED', createdAt: at(4), hostArn: hostArn('shared'), hostCreatedByRequest: false });

    const view = await getHost(admin, 'shared', deps);
    expect(view.owner).toBe('alice');
    expect(view.users).toEqual(['alice', 'bob', 'carol']);
    expect(view.requestIds).toEqual(expect.arrayContaining(['h-creator', 'h-reuse-1', 'h-reuse-2', 'h-rolled-back']));

    // A requester who only reused it sees the creator as owner, not themselves.
    const asCarol = await listHosts({ id: 'carol', isAdmin: false, teams: [] }, deps);
    expect(asCarol.hosts.map((host) => [host.id, host.owner, host.users])).toEqual([['shared', 'alice', ['carol']]]);
  });
});

describe('connection pipelines (issue 11, item 11)', () => {
  it('lists the pipeline our request attached before any audit ran, marked as known from the request, whichever ARN prefix', async () => {
    connections.push({ ConnectionArn: connectionArn('c-attached', 'codeconnections'), ConnectionName: 'attached', ConnectionStatus: 'AVAILABLE', HostArn: hostArn('shared') });
    await create({
      requestId: 'c-request',
      requester: { id: 'erin' },
      createdAt: at(5),
      connectionArn: connectionArn('c-attached', 'codestar-connections'),
      pipeline: { name: 'orders', fullRepositoryId: 'org/orders', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
      attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
    });
    const before = await getConnection(admin, 'c-attached', deps);
    expect(before.pipelines).toEqual(['orders']);
    expect(before.pipelineSources).toEqual([{ name: 'orders', seenByAudit: false, attachedByRequest: 'c-request' }]);

    // After an audit read the pipelines, both sources are shown.
    await deps.auditStore.putPipeline({ ...pipeline('orders', connectionArn('c-attached', 'codeconnections')), fetchedAt: at(6) });
    await deps.auditStore.putPipeline({ ...pipeline('payments', connectionArn('c-attached')), fetchedAt: at(6) });
    await deps.auditStore.flushCacheWrites();
    const after = await getConnection(admin, 'c-attached', deps);
    expect(after.pipelines).toEqual(['orders', 'payments']);
    expect(after.pipelineSources).toEqual([
      { name: 'orders', seenByAudit: true, attachedByRequest: 'c-request' },
      { name: 'payments', seenByAudit: true },
    ]);
  });

  it('does not claim a pipeline for a request that was rolled back or never attached', async () => {
    connections.push({ ConnectionArn: connectionArn('c-rolled-back'), ConnectionName: 'rolled-back', ConnectionStatus: 'AVAILABLE' });
    await create({
      requestId: 'c-cancelled',
      status: 'CANCELLED',
      createdAt: at(7),
      connectionArn: connectionArn('c-rolled-back'),
      pipeline: { name: 'billing', fullRepositoryId: 'org/billing', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
      attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
    });
    expect((await getConnection(admin, 'c-rolled-back', deps)).pipelines).toEqual([]);
  });
});
