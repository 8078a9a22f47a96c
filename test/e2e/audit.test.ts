/**
 * The auditor end to end, over HTTP against the local system: every finding type is seeded
 * through the sandbox (control API, SDK calls, and real requests through the workflow), then found
 * by audits started with POST /v1/audits. Ages: the audits pass `asOf` from the sandbox clock
 * (what `npm run audit` does), moved a day ahead where a finding needs a day to pass.
 */
import { fileURLToPath } from 'node:url';
import { CodePipelineClient, GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand } from '@aws-sdk/client-codestar-connections';
import { IAMClient, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingType } from '../../functions/audit/model.ts';
import { FINDING_TYPES } from '../../functions/audit/model.ts';
import type { AuditReport } from '../../functions/audit/report.ts';
import { startLocalSystem, type LocalSystem } from '../../infra/local/local-system.ts';
import type { ScheduleTimers } from '../../infra/local/runtime/schedules.ts';
import { api, eventually, sandboxControl, tokenFor, type Problem } from './local-system.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY_AND_AN_HOUR_S = 25 * 3600;

interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
}

/** Schedule timers the test fires by hand (the auditor's rate(1 hour) would not come round in a test). */
function manualTimers(): ScheduleTimers & { fire(): void } {
  const pending = new Map<number, () => void>();
  let next = 0;
  return {
    now: () => Date.now(),
    setTimeout: (callback) => {
      pending.set(++next, callback);
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
    fire() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, callback] of due) callback();
    },
  };
}

let system: LocalSystem;
let timers: ReturnType<typeof manualTimers>;
let alice: string;
let bob: string;
let admin: string;
let connections: CodeStarConnectionsClient;
let pipelines: CodePipelineClient;
let iam: IAMClient;
let sfn: SFNClient;

beforeAll(async () => {
  timers = manualTimers();
  // 10 %: the handful of hosts this test makes is enough to report quota headroom.
  // LOG_FORMAT=json: a test below reads the auditor's EMF metric lines from the functions' output.
  system = await startLocalSystem({
    root: ROOT,
    apiPort: 0,
    sandboxPort: 0,
    persist: false,
    packaged: true,
    environment: { AUDIT_QUOTA_WARN_PERCENT: '10' },
    scheduleTimers: { auditor: timers },
    logFormat: 'json',
  });
  [alice, bob, admin] = await Promise.all([tokenFor('alice@example.com'), tokenFor('bob@example.com'), tokenFor('root@example.com', true)]);
  const aws = { endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  connections = new CodeStarConnectionsClient(aws);
  pipelines = new CodePipelineClient(aws);
  iam = new IAMClient(aws);
  sfn = new SFNClient(aws);
}, 60_000);

afterAll(async () => {
  for (const client of [connections, pipelines, iam, sfn]) client?.destroy();
  await system?.close();
});

let keys = 0;
async function requestConnection(token: string, body: Record<string, unknown>): Promise<RequestBody> {
  const answer = await api<RequestBody>(system, 'POST', '/v1/connection-requests', { token, body, idempotencyKey: `audit-${++keys}` });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

const inStatus = (requestId: string, status: string, token = admin) =>
  eventually(async () => (await api<RequestBody>(system, 'GET', `/v1/connection-requests/${requestId}`, { token })).body, (request) => request.status === status, `${requestId} ${status}`);

async function sandboxNow(plusSeconds = 0): Promise<string> {
  const { epochSeconds } = await sandboxControl<{ epochSeconds: number }>(system, 'GET', '/clock');
  return new Date((epochSeconds + plusSeconds) * 1000).toISOString();
}

async function audit(asOf: string, token = admin): Promise<AuditReport> {
  const started = await api<AuditReport>(system, 'POST', '/v1/audits', { token, body: { asOf } });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const done = await eventually(
    async () => (await api<AuditReport>(system, 'GET', `/v1/audits/${started.body.auditId}`, { token })).body,
    (report) => report.status !== 'RUNNING',
    'the audit to finish',
    60_000,
  );
  expect(done.status, done.failure).toBe('COMPLETED');
  return done;
}

const ofType = (report: AuditReport, type: FindingType) => report.findings.filter((finding) => finding.type === type);
const about = (report: AuditReport, type: FindingType, resource: string | undefined): Finding | undefined =>
  ofType(report, type).find((finding) => finding.resource === resource);

async function unmanagedHost(name: string, endpoint: string, vpc = false): Promise<string> {
  const { HostArn } = await connections.send(
    new CreateHostCommand({
      Name: name,
      ProviderType: 'GitHubEnterpriseServer',
      ProviderEndpoint: endpoint,
      ...(vpc ? { VpcConfiguration: { VpcId: 'vpc-0123abcd', SubnetIds: ['subnet-0123abcd'], SecurityGroupIds: ['sg-0123abcd'] } } : {}),
    }),
  );
  return HostArn!;
}

const seeded: Record<string, string> = {};
let stuckRequestId: string;
let pendingHostRequest: RequestBody;
let pendingConnectionRequest: RequestBody;
let attachedRequest: RequestBody;
let firstAudit: AuditReport;
let dayLater: AuditReport;

describe('the auditor', () => {
  it('seeds every kind of trouble through the sandbox and real requests', async () => {
    // Made outside the broker (unmanaged): a failed VPC host, a broken host and connection, an empty host, an unused connection.
    seeded.vpcHost = await unmanagedHost('vpc-host', 'https://vpc.example.com', true);
    await sandboxControl(system, 'POST', '/hosts/fail-vpc', { hostArn: seeded.vpcHost, message: 'subnets are in one AZ' });
    seeded.brokenHost = await unmanagedHost('broken-host', 'https://broken.example.com');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: seeded.brokenHost });
    seeded.brokenConnection = (await connections.send(new CreateConnectionCommand({ ConnectionName: 'broken-conn', HostArn: seeded.brokenHost }))).ConnectionArn!;
    await sandboxControl(system, 'POST', '/hosts/break', { hostArn: seeded.brokenHost });
    seeded.emptyHost = await unmanagedHost('empty-host', 'https://empty.example.com');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: seeded.emptyHost });
    seeded.spareHost = await unmanagedHost('spare-host', 'https://spare.example.com');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: seeded.spareHost });
    seeded.spareConnection = (await connections.send(new CreateConnectionCommand({ ConnectionName: 'spare-conn', HostArn: seeded.spareHost }))).ConnectionArn!;
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: seeded.spareConnection });

    // Made in the console since 2024-07: codeconnections ARNs, no tags. A host and connection left
    // PENDING, and a pair set up and used by a pipeline that spells the connection's ARN the old way.
    const consoleHost = (body: Record<string, unknown>) => sandboxControl<{ hostArn: string }>(system, 'POST', '/console/hosts', body);
    const consoleConnection = (body: Record<string, unknown>) => sandboxControl<{ connectionArn: string }>(system, 'POST', '/console/connections', body);
    seeded.consolePendingHost = (await consoleHost({ name: 'console-pending', providerEndpoint: 'https://console.example.com' })).hostArn;
    seeded.consolePendingConnection = (await consoleConnection({ name: 'console-pending-conn', hostArn: seeded.consolePendingHost })).connectionArn;
    seeded.consoleHost = (await consoleHost({ name: 'console-used', providerEndpoint: 'https://console-used.example.com' })).hostArn;
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: seeded.consoleHost });
    seeded.consoleConnection = (await consoleConnection({ name: 'console-used-conn', hostArn: seeded.consoleHost })).connectionArn;
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: seeded.consoleConnection });
    for (const arn of [seeded.consolePendingHost, seeded.consolePendingConnection, seeded.consoleHost, seeded.consoleConnection]) {
      expect(arn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:(host|connection)\//);
    }
    await sandboxControl(system, 'POST', '/pipelines', { name: 'orders', connectionArn: seeded.consoleConnection.replace(':codeconnections:', ':codestar-connections:') });

    // Through the broker: a host nobody sets up (alice), a request whose workflow is stopped behind
    // its back, a connection waiting for its handshake (bob), and one attached to a pipeline (alice).
    pendingHostRequest = await requestConnection(alice, { providerEndpoint: 'https://pending.example.com' });
    const stuck = await requestConnection(alice, { providerEndpoint: 'https://stuck.example.com' });
    stuckRequestId = stuck.requestId;

    pendingConnectionRequest = await requestConnection(bob, { providerEndpoint: 'https://ghe.example.com' });
    const hostWaiting = await inStatus(pendingConnectionRequest.requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: hostWaiting.hostArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 3600 });
    pendingConnectionRequest = await inStatus(pendingConnectionRequest.requestId, 'WAITING_FOR_APPROVAL');
    pendingHostRequest = await inStatus(pendingHostRequest.requestId, 'WAITING_FOR_HOST_SETUP');

    await sandboxControl(system, 'POST', '/roles', {
      roleName: 'payments-pipeline-role',
      path: '/service-role/',
      // Only the old prefix: once what the broker grants is removed, the new prefix is missing.
      inlinePolicies: { legacy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: '*' }] } },
    });
    await sandboxControl(system, 'POST', '/pipelines', { name: 'payments', roleArn: 'arn:aws:iam::111111111111:role/service-role/payments-pipeline-role' });
    attachedRequest = await requestConnection(alice, {
      providerEndpoint: 'https://ghe.example.com',
      pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main' },
    });
    const approving = await inStatus(attachedRequest.requestId, 'WAITING_FOR_APPROVAL');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
    expect((await api(system, 'POST', `/v1/connection-requests/${attachedRequest.requestId}/approve`, { token: admin })).status).toBe(200);
    attachedRequest = await inStatus(attachedRequest.requestId, 'COMPLETED');

    await inStatus(stuckRequestId, 'WAITING_FOR_HOST_SETUP');
    const executionArn = system.stateMachineArns.ProvisioningStateMachine!.replace(':stateMachine:', ':execution:') + `:${stuckRequestId}`;
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by hand in the console' }));
  });

  it('finds only what is wrong now, not what merely waits', async () => {
    firstAudit = await audit(await sandboxNow());
    const types = new Set(firstAudit.findings.map((finding) => finding.type));
    expect(types).not.toContain('HOST_PENDING_TOO_LONG');
    expect(types).not.toContain('CONNECTION_PENDING_TOO_LONG');
    expect(types).not.toContain('PIPELINE_SOURCE_DRIFT');
    expect(types).not.toContain('ROLE_LACKS_USE_CONNECTION');
    // The stopped execution is within the grace period a cancel needs to finish writing its record.
    expect(types).not.toContain('REQUEST_EXECUTION_ENDED');
    expect(firstAudit.inventory).toMatchObject({ pipelines: 2, pipelinesFetched: 2, roles: 1 });
  });

  it('finds every finding type a day later, after the pipeline and its role drifted', async () => {
    // Someone rewires the source action to another connection, and removes what the broker granted.
    const { pipeline } = await pipelines.send(new GetPipelineCommand({ name: 'payments' }));
    const declaration = structuredClone(pipeline!);
    declaration.stages![0]!.actions![0]!.configuration!.ConnectionArn = seeded.brokenConnection!;
    await sandboxControl(system, 'POST', '/pipelines/payments/external-edit', { declaration });
    const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'payments-pipeline-role' }));
    for (const policyName of (PolicyNames ?? []).filter((name) => name !== 'legacy')) {
      await sandboxControl(system, 'DELETE', `/roles/payments-pipeline-role/policies/${policyName}`);
    }

    dayLater = await audit(await sandboxNow(DAY_AND_AN_HOUR_S));
    const found = new Set(dayLater.findings.map((finding) => finding.type));
    // Every type of one account's audit but RESOURCE_UNREADABLE, which needs a read IAM refuses the auditor
    // (functions/audit/access-denied.test.ts); the sharing and fleet ones need spoke accounts (hub-and-spoke.test.ts);
    // the Git sync ones are seeded and found in sync-inventory.test.ts.
    const FLEET_TYPES = ['SHARE_NOT_REQUESTED', 'SHARE_ASSOCIATION_GONE', 'CONNECTION_BLOCKS_SHARING', 'PLACE_NOT_AUDITED'];
    const GIT_SYNC_TYPES = ['SYNC_BLOCKED', 'SYNC_FAILING', 'SYNC_STACK_GONE', 'REPOSITORY_LINK_WITHOUT_SYNC'];
    expect([...found].sort()).toEqual(FINDING_TYPES.filter((type) => type !== 'RESOURCE_UNREADABLE' && !FLEET_TYPES.includes(type) && !GIT_SYNC_TYPES.includes(type)).sort());
    for (const finding of dayLater.findings) {
      expect(finding.fix.length, finding.type).toBeGreaterThan(20);
      expect(['critical', 'high', 'medium', 'low', 'info']).toContain(finding.severity);
    }
    expect(dayLater.inventory?.pipelinesFetched).toBe(1);

    const pendingHost = about(dayLater, 'HOST_PENDING_TOO_LONG', pendingHostRequest.hostArn);
    expect(pendingHost).toMatchObject({ severity: 'medium', owner: 'alice@example.com', requestId: pendingHostRequest.requestId });
    expect(pendingHost!.ageHours).toBeGreaterThan(24);
    expect(pendingHost!.link).toContain('/hosts/');

    const pendingConnection = about(dayLater, 'CONNECTION_PENDING_TOO_LONG', pendingConnectionRequest.connectionArn);
    expect(pendingConnection).toMatchObject({ owner: 'bob@example.com' });
    expect(pendingConnection!.approver).toMatch(/approvers/i);

    expect(about(dayLater, 'HOST_VPC_INIT_FAILED', seeded.vpcHost)?.message).toContain('subnets are in one AZ');
    expect(about(dayLater, 'HOST_ERROR', seeded.brokenHost)?.severity).toBe('critical');
    expect(about(dayLater, 'CONNECTION_ERROR', seeded.brokenConnection)?.message).toContain('payments');
    expect(about(dayLater, 'HOST_WITHOUT_CONNECTIONS', seeded.emptyHost)).toBeDefined();
    expect(about(dayLater, 'CONNECTION_UNUSED', seeded.spareConnection)).toBeDefined();
    // The connection the broker attached is unused now that the pipeline points elsewhere.
    expect(about(dayLater, 'CONNECTION_UNUSED', attachedRequest.connectionArn)).toMatchObject({ owner: 'alice@example.com' });

    const unmanaged = ofType(dayLater, 'UNMANAGED_RESOURCE').map((finding) => finding.resource).sort();
    const consoleMade = [seeded.consolePendingHost, seeded.consolePendingConnection, seeded.consoleHost, seeded.consoleConnection];
    expect(unmanaged).toEqual([seeded.vpcHost, seeded.brokenHost, seeded.brokenConnection, seeded.emptyHost, seeded.spareHost, seeded.spareConnection, ...consoleMade].sort());
    expect(ofType(dayLater, 'UNMANAGED_RESOURCE').every((finding) => finding.ageHours! > 24)).toBe(true);

    // Console-made (codeconnections ARNs, no tags): unmanaged, aged from the first audit that saw them,
    // linked to the console under their own prefix, and used through the other spelling of their ARN.
    expect(about(dayLater, 'HOST_PENDING_TOO_LONG', seeded.consolePendingHost)).toMatchObject({ ageHours: expect.any(Number), link: expect.stringContaining('/codeconnections/hosts/') });
    expect(about(dayLater, 'HOST_PENDING_TOO_LONG', seeded.consolePendingHost)!.owner).toBeUndefined();
    expect(about(dayLater, 'CONNECTION_PENDING_TOO_LONG', seeded.consolePendingConnection)?.link).toContain('/codeconnections/connections/');
    expect(about(dayLater, 'UNMANAGED_RESOURCE', seeded.consoleConnection)?.link).toContain('/codeconnections/connections/');
    expect(about(dayLater, 'CONNECTION_UNUSED', seeded.consoleConnection)).toBeUndefined();
    expect(about(dayLater, 'HOST_WITHOUT_CONNECTIONS', seeded.consoleHost)).toBeUndefined();
    expect(ofType(dayLater, 'RESOURCE_UNREADABLE')).toEqual([]);

    expect(about(dayLater, 'PIPELINE_SOURCE_DRIFT', 'payments')).toMatchObject({ severity: 'high', owner: 'alice@example.com', requestId: attachedRequest.requestId });
    const role = about(dayLater, 'ROLE_LACKS_USE_CONNECTION', 'payments-pipeline-role');
    expect(role?.message).toContain('codeconnections:UseConnection');
    expect(role?.message).not.toContain('codestar-connections:UseConnection');
    expect(about(dayLater, 'QUOTA_HEADROOM_LOW', 'account:hosts')?.message).toMatch(/of 50 hosts/);
    expect(about(dayLater, 'REQUEST_EXECUTION_ENDED', stuckRequestId)?.message).toContain('ABORTED');
  });

  it('posts a Slack summary only when the findings change, and a repeat audit costs a few calls', async () => {
    const summaries = async () =>
      (await sandboxControl<{ messages: { text: string }[] }>(system, 'GET', '/slack/messages?channel=C0HOSTADMINS')).messages.filter((message) =>
        message.text.startsWith('Connection audit'),
      );
    expect(firstAudit.changes?.slackNotified).toBe(true);
    expect(dayLater.changes?.slackNotified).toBe(true);
    expect(await summaries()).toHaveLength(2);

    const emitted: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      emitted.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    let repeat: AuditReport;
    try {
      repeat = await audit(dayLater.asOf);
    } finally {
      process.stdout.write = write;
    }
    expect(repeat.changes).toEqual({ added: 0, resolved: 0, slackNotified: false });
    expect(await summaries()).toHaveLength(2);
    expect(repeat.inventory?.pipelinesFetched).toBe(0);
    // Lists only (hosts, connections, pipelines, Git sync's repository links, the hub's resource shares) and the one running request's execution.
    expect(repeat.calls!.total).toBeLessThanOrEqual(8);
    expect(Object.keys(repeat.calls!.byOperation)).not.toContain('codestar-connections:ListTagsForResource');

    // A long line may arrive in several writes, and the test runner may echo what it intercepts, so
    // join everything before splitting into lines, and count each line once.
    const lines = new Set(emitted.join('').split('\n').filter((line) => line.includes('"_aws"')));
    const emf = [...lines].map((line) => JSON.parse(line) as Record<string, unknown>);
    const perType = emf.filter((record) => typeof record.FindingType === 'string' && record.AuditId === repeat.auditId);
    expect(perType.map((record) => record.FindingType).sort()).toEqual([...FINDING_TYPES].sort());
    expect(perType.find((record) => record.FindingType === 'UNMANAGED_RESOURCE')?.Findings).toBe(10);
  });

  it('keeps going under throttling, without a failed call', async () => {
    await sandboxControl(system, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListTagsForResource', tps: 2 });
    await sandboxControl(system, 'PUT', '/faults', { service: 'iam', operation: '*', throttleRate: 0.5, seed: 7 });
    await sandboxControl(system, 'DELETE', '/calls');
    try {
      // Two days on, cached tags and role policies are stale: every one is read again, under the limits.
      const report = await audit(await sandboxNow(2 * DAY_AND_AN_HOUR_S));
      expect(report.calls?.throttledFailures).toBe(0);
      expect(report.calls?.byOperation['codestar-connections:ListTagsForResource']?.attempts).toBeGreaterThanOrEqual(12);
      const { calls } = await sandboxControl<{ calls: { operation: string; throttled: number }[] }>(system, 'GET', '/calls');
      expect(calls.reduce((sum, call) => sum + call.throttled, 0)).toBeGreaterThan(0);
      expect(ofType(report, 'ROLE_LACKS_USE_CONNECTION')).toHaveLength(1);
    } finally {
      await sandboxControl(system, 'DELETE', '/faults');
    }
  });

  it('records what IAM refuses the auditor as RESOURCE_UNREADABLE, and still completes', async () => {
    // The platform denies the auditor one console-made connection's tags (an explicit Deny, as an
    // SCP or permission boundary would): the audit reports it and goes on with everything else.
    const auditor = system.functionPrincipals.get('auditor')!;
    const original = auditor.role.policies;
    system.sandbox.authorizer.replacePolicies(auditor.accessKeyId, [
      ...original,
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['codestar-connections:ListTagsForResource', 'codeconnections:ListTagsForResource'], Resource: seeded.consolePendingConnection }] },
    ]);
    try {
      const report = await audit(await sandboxNow(4 * DAY_AND_AN_HOUR_S));
      const unreadable = ofType(report, 'RESOURCE_UNREADABLE');
      expect(unreadable.map((finding) => finding.resource)).toEqual([seeded.consolePendingConnection]);
      expect(unreadable[0]!.message).toContain('ListTagsForResource');
      expect(ofType(report, 'HOST_ERROR').length + ofType(report, 'UNMANAGED_RESOURCE').length).toBeGreaterThan(0);
    } finally {
      system.sandbox.authorizer.replacePolicies(auditor.accessKeyId, original);
    }
  });

  it('serves hosts and connections: admins see all, requesters their own', async () => {
    const all = await api<{ hosts: { arn: string; managed: boolean }[] }>(system, 'GET', '/v1/hosts', { token: admin });
    expect(all.body.hosts.map((host) => host.arn)).toEqual(expect.arrayContaining([seeded.vpcHost, seeded.emptyHost, pendingHostRequest.hostArn]));
    expect(all.body.hosts.find((host) => host.arn === seeded.vpcHost)?.managed).toBe(false);

    const mine = await api<{ hosts: { arn: string; owner?: string }[] }>(system, 'GET', '/v1/hosts', { token: alice });
    expect(mine.body.hosts.map((host) => host.arn)).toContain(pendingHostRequest.hostArn);
    expect(mine.body.hosts.map((host) => host.arn)).not.toContain(seeded.vpcHost);

    const connectionId = attachedRequest.connectionArn!.split('/').pop()!;
    const own = await api<{ arn: string; owner: string; pipelines: string[]; findings: { type: string }[] }>(system, 'GET', `/v1/connections/${connectionId}`, { token: alice });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ arn: attachedRequest.connectionArn, owner: 'alice@example.com', pipelines: [] });
    expect(own.body.findings.map((finding) => finding.type)).toContain('CONNECTION_UNUSED');
    expect((await api(system, 'GET', `/v1/connections/${connectionId}`, { token: bob })).status).toBe(404);

    const broken = await api<{ status: string; pipelines: string[] }>(system, 'GET', `/v1/connections/${seeded.brokenConnection!.split('/').pop()}`, { token: admin });
    expect(broken.body).toMatchObject({ status: 'ERROR', pipelines: ['payments'] });
    const consoleView = await api<{ arn: string; managed: boolean; pipelines: string[]; links: { console?: string }; findings: { type: string }[] }>(
      system, 'GET', `/v1/connections/${seeded.consoleConnection!.split('/').pop()}`, { token: admin },
    );
    expect(consoleView.body).toMatchObject({ arn: seeded.consoleConnection, managed: false, pipelines: ['orders'] });
    expect(consoleView.body.links.console).toContain('/codeconnections/connections/');
    expect(consoleView.body.findings.map((finding) => finding.type)).toEqual(['UNMANAGED_RESOURCE']);
    const consoleHostView = await api<{ arn: string; connections: string[] }>(system, 'GET', `/v1/hosts/${seeded.consolePendingHost!.split('/').pop()}`, { token: admin });
    expect(consoleHostView.body).toMatchObject({ arn: seeded.consolePendingHost, connections: [seeded.consolePendingConnection] });
    expect((await api(system, 'GET', `/v1/hosts/${seeded.consolePendingHost!.split('/').pop()}`, { token: alice })).status).toBe(404);

    const hostId = seeded.emptyHost!.split('/').pop()!;
    expect((await api<{ status: string }>(system, 'GET', `/v1/hosts/${hostId}`, { token: admin })).body.status).toBe('AVAILABLE');
    expect((await api(system, 'GET', `/v1/hosts/${hostId}`, { token: bob })).status).toBe(404);
  });

  it('keeps reports for admins, and runs one audit at a time', async () => {
    expect((await api(system, 'POST', '/v1/audits', { token: alice })).status).toBe(403);
    expect((await api(system, 'GET', '/v1/audits/latest', { token: alice })).status).toBe(403);
    expect((await api(system, 'GET', `/v1/audits/${dayLater.auditId}`, { token: bob })).status).toBe(403);
    expect((await api(system, 'GET', '/v1/audits/no-such-audit', { token: admin })).status).toBe(404);
    expect((await api(system, 'POST', '/v1/audits', { token: admin, body: { asOf: 'yesterday' } })).status).toBe(400);

    // A slow listing keeps the first audit running while a second one is asked for.
    await sandboxControl(system, 'PUT', '/faults', { service: 'codepipeline', operation: 'ListPipelines', latencyMs: 1500 });
    try {
      const first = await api<AuditReport>(system, 'POST', '/v1/audits', { token: admin });
      expect(first.status).toBe(202);
      const second = await api<Problem>(system, 'POST', '/v1/audits', { token: admin });
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ code: 'AuditInProgress', type: '/v1/openapi.json#/components/x-problem-types/AuditInProgress', instance: '/v1/audits' });
      await eventually(
        async () => (await api<AuditReport>(system, 'GET', '/v1/audits/latest', { token: admin })).body,
        (latest) => latest.auditId === first.body.auditId,
        'the first audit to complete',
      );
    } finally {
      await sandboxControl(system, 'DELETE', '/faults');
    }
  });

  it('runs on its EventBridge schedule, with the event time as the audit time', async () => {
    const before = (await api<AuditReport>(system, 'GET', '/v1/audits/latest', { token: admin })).body.auditId;
    timers.fire();
    const latest = await eventually(
      async () => (await api<AuditReport>(system, 'GET', '/v1/audits/latest', { token: admin })).body,
      (report) => report.auditId !== before,
      'the scheduled audit',
    );
    expect(latest).toMatchObject({ trigger: 'schedule', status: 'COMPLETED' });
    expect(Math.abs(Date.parse(latest.asOf) - Date.parse(await sandboxNow()))).toBeLessThan(60_000);
  });
});
