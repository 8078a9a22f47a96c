/**
 * One resource the auditor may not read (IAM AccessDenied) must not fail the audit: the collectors
 * record it, the rules report it as RESOURCE_UNREADABLE, and everything else is audited as usual.
 * AWS is mocked (aws-sdk-client-mock); the stores are small in-memory stand-ins.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient, CodePipelineServiceException, GetPipelineCommand, ListPipelinesCommand } from '@aws-sdk/client-codepipeline';
import {
  AccessDeniedException as ConnectionsAccessDenied,
  CodeStarConnectionsClient,
  CodeStarConnectionsServiceException,
  ListConnectionsCommand,
  ListHostsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-codestar-connections';
import { GetRolePolicyCommand, IAMClient, IAMServiceException, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { DescribeExecutionCommand, SFNClient, SFNServiceException } from '@aws-sdk/client-sfn';
import { GetResourceSharesCommand, RAMClient } from '@aws-sdk/client-ram';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { accessDeniedCode, deniedRequest } from './collect/access-denied.ts';
import { collectHostsAndConnections } from './collect/connections.ts';
import { collectPipelines } from './collect/pipelines.ts';
import { collectRoles } from './collect/roles.ts';
import { CallStats } from './call-stats.ts';
import type { AuditClients } from './audit-clients.ts';
import type { AuditReport, PlaceSummary } from './report.ts';
import { auditPlace, finishAudit, planAudit, type AuditDependencies } from './run-audit.ts';
import { readAuditSettings } from './settings.ts';
import type { AuditStore, CachedPipeline, CachedRole, SeenResource } from './store.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import type { Finding } from './model.ts';
import type { BrokerStore } from '../request/store.ts';
import { AS_OF, connectionArn, hostArn, record } from './test-fixtures.ts';

const connections = mockClient(CodeStarConnectionsClient);
const pipelines = mockClient(CodePipelineClient);
const iam = mockClient(IAMClient);
const sfn = mockClient(SFNClient);
const ram = mockClient(RAMClient);

const consoleHost = 'arn:aws:codeconnections:us-east-1:111111111111:host/console-ghes-0a1b2c3d';
const consoleConnection = connectionArn('5f0e7a2c-1111-4222-8333-944455556666', 'codeconnections');
const MANAGED = [{ Key: 'managed-by', Value: 'connection-broker' }];
const AUDITOR = 'arn:aws:sts::111111111111:assumed-role/connection-broker-dev-auditor-role/auditor';

const connectionsDenied = (arn: string) =>
  new ConnectionsAccessDenied({
    message: `User: ${AUDITOR} is not authorized to perform: codeconnections:ListTagsForResource on resource: ${arn} because no identity-based policy allows the codeconnections:ListTagsForResource action`,
    $metadata: { httpStatusCode: 400 },
  });
/** IAM (query protocol) says `AccessDenied`, without the `Exception`. */
const iamDenied = (roleName: string) =>
  new IAMServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    message: `User: ${AUDITOR} is not authorized to perform: iam:ListRolePolicies on resource: role ${roleName} because no identity-based policy allows the iam:ListRolePolicies action`,
    $metadata: { httpStatusCode: 403 },
  });
const pipelineDenied = (name: string) =>
  new CodePipelineServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    message: `User: ${AUDITOR} is not authorized to perform: codepipeline:GetPipeline on resource: arn:aws:codepipeline:us-east-1:111111111111:${name} because no identity-based policy allows the codepipeline:GetPipeline action`,
    $metadata: { httpStatusCode: 400 },
  });

/** The auditor's DynamoDB items, in memory. */
class MemoryAuditStore {
  seen = new Map<string, SeenResource>();
  pipelines = new Map<string, CachedPipeline>();
  roles = new Map<string, CachedRole>();
  reports: AuditReport[] = [];
  latest?: { auditId: string; fingerprint: string[] };
  placeSummaries: PlaceSummary[] = [];
  placeFindings: Finding[] = [];

  forPlace() {
    return this;
  }
  async flushCacheWrites() {}
  async putPlace(_auditId: string, summary: PlaceSummary, findings: Finding[]) {
    this.placeSummaries.push(summary);
    this.placeFindings.push(...findings);
  }
  async places() {
    return { summaries: this.placeSummaries, findings: this.placeFindings };
  }
  async header() {
    return this.reports.at(-1);
  }

  async begin(report: AuditReport) {
    this.reports.push(report);
    return { started: true as const };
  }
  async complete(report: AuditReport, fingerprint: string[]) {
    this.reports.push(report);
    this.latest = { auditId: report.auditId, fingerprint };
  }
  async fail(report: AuditReport) {
    this.reports.push(report);
  }
  async latestFingerprint() {
    return this.latest;
  }
  async seenResources() {
    return new Map(this.seen);
  }
  async putSeen(seen: SeenResource) {
    this.seen.set(seen.arn, seen);
  }
  async deleteSeen(arn: string) {
    this.seen.delete(arn);
  }
  async cachedPipelines() {
    return new Map(this.pipelines);
  }
  async putPipeline(pipeline: CachedPipeline) {
    this.pipelines.set(pipeline.name, pipeline);
  }
  async deletePipeline(name: string) {
    this.pipelines.delete(name);
  }
  async cachedRoles() {
    return new Map(this.roles);
  }
  async putRole(role: CachedRole) {
    this.roles.set(role.roleName, role);
  }
}

const clients = (): AuditClients => ({
  connections: new CodeStarConnectionsClient({ region: 'us-east-1' }),
  pipelines: new CodePipelineClient({ region: 'us-east-1' }),
  iam: new IAMClient({ region: 'us-east-1' }),
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  stepFunctions: new SFNClient({ region: 'us-east-1' }),
  ram: new RAMClient({ region: 'us-east-1' }),
});

const requestStore = (requests: ConnectionRequestRecord[]) => ({ listRequests: async () => ({ requests }) }) as unknown as BrokerStore;

let store: MemoryAuditStore;
beforeEach(() => {
  for (const mock of [connections, pipelines, iam, sfn, ram]) mock.reset();
  ram.on(GetResourceSharesCommand).resolves({ resourceShares: [] });
  store = new MemoryAuditStore();
});

describe('what counts as access denied', () => {
  it('is any AccessDenied* name or code, and IAM names the action and resource it refused', () => {
    expect(accessDeniedCode(connectionsDenied(consoleHost))).toBe('AccessDeniedException');
    expect(accessDeniedCode(iamDenied('r'))).toBe('AccessDenied');
    expect(accessDeniedCode({ name: 'Error', Code: 'AccessDeniedForDependencyException' })).toBe('AccessDeniedForDependencyException');
    expect(accessDeniedCode(new CodeStarConnectionsServiceException({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: {} }))).toBeUndefined();
    expect(deniedRequest(pipelineDenied('payments'))).toEqual({ action: 'codepipeline:GetPipeline', resource: 'arn:aws:codepipeline:us-east-1:111111111111:payments' });
    expect(deniedRequest(new Error('Access denied'))).toEqual({});
  });
});

describe('the collectors', () => {
  it('keep a host whose tags may not be read, with unknown tags and a first sighting, and read them again next time', async () => {
    connections.on(ListHostsCommand).resolves({ Hosts: [{ HostArn: hostArn('ok'), Name: 'ok', Status: 'AVAILABLE' }, { HostArn: consoleHost, Name: 'console-ghes', Status: 'PENDING' }] });
    connections.on(ListConnectionsCommand).resolves({ Connections: [] });
    connections.on(ListTagsForResourceCommand, { ResourceArn: hostArn('ok') }).resolves({ Tags: MANAGED });
    connections.on(ListTagsForResourceCommand, { ResourceArn: consoleHost }).rejects(connectionsDenied(consoleHost));
    const deps = { aws: clients(), store: store as unknown as AuditStore, stats: new CallStats(), asOf: AS_OF, tagsMaxAgeMs: 24 * 3_600_000 };

    const first = await collectHostsAndConnections(deps);
    expect(first.hosts.map((host) => [host.arn, host.tagsUnknown])).toEqual([[hostArn('ok'), undefined], [consoleHost, true]]);
    expect(first.unreadable).toEqual([
      {
        resource: consoleHost,
        resourceKind: 'host',
        action: 'codeconnections:ListTagsForResource',
        policyResource: consoleHost,
        error: expect.stringMatching(/^AccessDeniedException: User: .* is not authorized/),
        lastKnown: false,
      },
    ]);
    expect(store.seen.get(consoleHost)).toEqual({ arn: consoleHost, firstSeenAt: AS_OF.toISOString(), tags: {} });

    // Access granted meanwhile: the tags are read although the first sighting is recent, and it keeps its first sighting.
    connections.on(ListTagsForResourceCommand, { ResourceArn: consoleHost }).resolves({ Tags: [] });
    const later = new Date(AS_OF.getTime() + 3_600_000);
    const second = await collectHostsAndConnections({ ...deps, asOf: later });
    expect(second.unreadable).toEqual([]);
    expect(second.hosts[1]).toMatchObject({ arn: consoleHost, tags: {}, firstSeenAt: AS_OF.toISOString() });
    expect(second.hosts[1]!.tagsUnknown).toBeUndefined();
    expect(connections.commandCalls(ListTagsForResourceCommand, { ResourceArn: hostArn('ok') })).toHaveLength(1);
  });

  it('use the cached pipeline when GetPipeline is denied, else mark it unread; other errors still fail', async () => {
    const updated = new Date('2026-03-01T00:00:00Z');
    pipelines.on(ListPipelinesCommand).resolves({ pipelines: [{ name: 'cached', version: 2, updated }, { name: 'never-read', version: 1, updated }] });
    pipelines.on(GetPipelineCommand).rejects(pipelineDenied('x'));
    await store.putPipeline({ name: 'cached', version: 1, updatedMs: 0, sourceActions: [{ stageName: 'Source', actionName: 'Source', provider: 'CodeStarSourceConnection', connectionArn: connectionArn('c1') }], fetchedAt: AS_OF.toISOString() });
    const deps = { aws: clients(), store: store as unknown as AuditStore, stats: new CallStats(), asOf: AS_OF };

    const { pipelines: facts, fetched, unreadable } = await collectPipelines(deps);
    expect(fetched).toBe(0);
    expect(facts).toEqual([
      expect.objectContaining({ name: 'cached', version: 1, sourceActions: [expect.objectContaining({ connectionArn: connectionArn('c1') })] }),
      { name: 'never-read', version: 1, updatedMs: updated.getTime(), sourceActions: [], unread: true },
    ]);
    expect(unreadable.map((entry) => [entry.resource, entry.action, entry.lastKnown])).toEqual([
      ['cached', 'codepipeline:GetPipeline', true],
      ['never-read', 'codepipeline:GetPipeline', false],
    ]);
    expect(store.pipelines.get('cached')?.version).toBe(1);

    pipelines.on(GetPipelineCommand).rejects(new CodePipelineServiceException({ name: 'InternalServiceError', $fault: 'server', message: 'boom', $metadata: { httpStatusCode: 500 } }));
    await expect(collectPipelines(deps)).rejects.toMatchObject({ name: 'InternalServiceError' });
  });

  it('report the role policy read that IAM refused (ListRolePolicies or GetRolePolicy)', async () => {
    iam.on(ListRolePoliciesCommand, { RoleName: 'locked' }).rejects(iamDenied('locked'));
    iam.on(ListRolePoliciesCommand, { RoleName: 'half-open' }).resolves({ PolicyNames: ['p'] });
    iam.on(GetRolePolicyCommand).rejects(new IAMServiceException({ name: 'AccessDenied', $fault: 'client', message: 'Access denied', $metadata: {} }));
    const { roles, unreadable } = await collectRoles(['locked', 'half-open'], { aws: clients(), store: store as unknown as AuditStore, stats: new CallStats(), asOf: AS_OF, maxAgeMs: 50 * 60_000 });
    expect(roles.locked).toEqual({ roleName: 'locked', exists: true, policies: [], unread: true });
    expect(unreadable.map((entry) => [entry.resource, entry.resourceKind, entry.action, entry.error])).toEqual([
      ['locked', 'role', 'iam:ListRolePolicies', expect.stringMatching(/^AccessDenied: User: /)],
      ['half-open', 'role', 'iam:GetRolePolicy', 'AccessDenied: Access denied'],
    ]);
    expect(store.roles.size).toBe(0);
  });
});

describe('an audit with resources it may not read', () => {
  const completed = record('r1', {
    connectionArn: connectionArn('c1'),
    hostArn: hostArn('h1'),
    pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
    attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
    grants: [{ roleArn: 'arn:aws:iam::111111111111:role/payments-role', roleName: 'payments-role', policyName: 'UseConnection-c1', purpose: 'pipeline role' }],
  });
  const waiting = record('r2', { status: 'WAITING_FOR_HOST_SETUP', executionArn: 'arn:aws:states:us-east-1:111111111111:execution:provisioning:r2', createdAt: AS_OF.toISOString() });

  /** The audit machine's steps, one after the other: plan, each place, finish. */
  const audit = async () => {
    const deps: AuditDependencies = {
      auditStore: store as unknown as AuditStore,
      requestStore: requestStore([completed, waiting]),
      accounts: { list: async () => [] },
      offered: { list: async () => [] },
      settings: readAuditSettings({}),
      home: { accountId: '111111111111', region: 'us-east-1' },
      clientsFor: clients,
      now: () => AS_OF,
    };
    const plan = await planAudit({ auditId: 'a1', trigger: 'api', asOf: AS_OF.toISOString() }, deps);
    for (const place of plan!.places) await auditPlace(plan!, place, deps);
    return finishAudit(plan!, plan!.places, deps);
  };

  beforeEach(() => {
    connections.on(ListHostsCommand).resolves({ Hosts: [{ HostArn: hostArn('h1'), Name: 'h1', Status: 'AVAILABLE' }, { HostArn: consoleHost, Name: 'console-ghes', Status: 'PENDING' }] });
    connections.on(ListConnectionsCommand).resolves({
      Connections: [
        { ConnectionArn: connectionArn('c1'), ConnectionName: 'c1', ConnectionStatus: 'AVAILABLE', HostArn: hostArn('h1') },
        { ConnectionArn: consoleConnection, ConnectionName: 'console-conn', ConnectionStatus: 'PENDING', HostArn: consoleHost },
      ],
    });
    connections.on(ListTagsForResourceCommand).resolves({ Tags: MANAGED });
    connections.on(ListTagsForResourceCommand, { ResourceArn: consoleHost }).rejects(connectionsDenied(consoleHost));
    connections.on(ListTagsForResourceCommand, { ResourceArn: consoleConnection }).rejects(connectionsDenied(consoleConnection));
    pipelines.on(ListPipelinesCommand).resolves({ pipelines: [{ name: 'payments', version: 2, updated: new Date(0) }, { name: 'orders', version: 1, updated: new Date(0) }] });
    pipelines.on(GetPipelineCommand, { name: 'payments' }).resolves({
      pipeline: {
        name: 'payments',
        roleArn: 'arn:aws:iam::111111111111:role/payments-role',
        stages: [{ name: 'Source', actions: [{ name: 'Source', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' }, configuration: { ConnectionArn: connectionArn('c1') } }] }],
      },
    });
    pipelines.on(GetPipelineCommand, { name: 'orders' }).rejects(pipelineDenied('orders'));
    iam.on(ListRolePoliciesCommand).rejects(iamDenied('payments-role'));
    sfn.on(DescribeExecutionCommand).rejects(
      new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', message: `User: ${AUDITOR} is not authorized to perform: states:DescribeExecution`, $metadata: {} }),
    );
  });

  it('completes, with one RESOURCE_UNREADABLE finding per refused read and the rest audited as usual', async () => {
    const report = await audit();
    expect(report?.status).toBe('COMPLETED');
    expect(store.reports.at(-1)?.status).toBe('COMPLETED');
    const unreadable = report!.findings.filter((finding) => finding.type === 'RESOURCE_UNREADABLE');
    expect(unreadable.map((finding) => finding.resource).sort()).toEqual([consoleConnection, consoleHost, 'orders', 'payments-role', 'r2'].sort());
    expect(unreadable.find((finding) => finding.resource === consoleHost)!.fix).toContain(`codeconnections:ListTagsForResource on ${consoleHost}`);
    expect(unreadable.find((finding) => finding.resource === 'r2')).toMatchObject({ resourceKind: 'request', requestId: 'r2', message: expect.stringContaining('states:DescribeExecution') });

    const types = report!.findings.map((finding) => finding.type);
    // Whether the console-made resources are ours is unknown, the pipeline it could not read is not
    // called drifted, and the role it could not read is not said to lack UseConnection.
    expect(types).not.toContain('UNMANAGED_RESOURCE');
    expect(types).not.toContain('PIPELINE_SOURCE_DRIFT');
    expect(types).not.toContain('ROLE_LACKS_USE_CONNECTION');
    // What could be read is still audited: the console host is aged from when it was first seen (now), the payments pipeline uses c1.
    expect(types).not.toContain('CONNECTION_UNUSED');
    expect(report!.summary?.byType.RESOURCE_UNREADABLE).toBe(5);
    expect(report!.inventory).toMatchObject({ hosts: 2, connections: 2, pipelines: 2, pipelinesFetched: 1, roles: 1 });
  });

  it('reports the account as not audited on an error that is not a denial, and still completes', async () => {
    connections.on(ListTagsForResourceCommand, { ResourceArn: consoleHost }).rejects(
      new CodeStarConnectionsServiceException({ name: 'InternalServerException', $fault: 'server', message: 'boom', $metadata: { httpStatusCode: 500 } }),
    );
    const report = await audit();
    expect(report.status).toBe('COMPLETED');
    expect(report.places).toEqual([expect.objectContaining({ accountId: '111111111111', region: 'us-east-1', status: 'FAILED', error: 'InternalServerException: boom' })]);
    expect(report.findings).toEqual([
      expect.objectContaining({ type: 'PLACE_NOT_AUDITED', severity: 'high', resource: 'account:111111111111/us-east-1', message: expect.stringContaining('InternalServerException: boom') }),
    ]);
  });
});
