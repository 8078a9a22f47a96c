import { CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand, GetConnectionCommand, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { AssociateResourceShareCommand, DisassociateResourceShareCommand, GetResourceShareAssociationsCommand, GetResourceSharesCommand, RAMClient } from '@aws-sdk/client-ram';
import { DeleteRoleCommand, DeleteRolePolicyCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { mintToken } from '../../infra/local/runtime/jwt.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor, type Problem } from './local-system.ts';
import { nextKey, pipelineDeclaration, type RequestBody } from './pipeline-attach-helpers.ts';
import type { AuditReport } from '../../functions/audit/report.ts';

/**
 * One broker (the hub, account 111111111111) provisioning in a spoke (222222222222): the admin
 * registers the account (locally that also deploys the spoke role there, as the StackSet does on
 * AWS), a requester of the account's team asks for a connection there, and everything (host,
 * connection, pipeline grant, rollback) happens in the spoke, through the spoke role.
 */

const SPOKE = '222222222222';
const cli = awsCliRequirement();

let system: LocalSystem;
let admin: string;
let payments: string;
let search: string;
let spokeConnections: CodeStarConnectionsClient;
let hubConnections: CodeStarConnectionsClient;
let spokePipelines: CodePipelineClient;
let hubRam: RAMClient;
let secondConnections: CodeStarConnectionsClient;
let secondPipelines: CodePipelineClient;
const SECOND = '333333333333';

beforeAll(async () => {
  system = await startSystem();
  admin = await tokenFor('root@example.com', true);
  payments = await mintToken({ sub: 'pat@example.com', email: 'pat@example.com', teams: ['payments'] });
  search = await mintToken({ sub: 'sam@example.com', email: 'sam@example.com', teams: ['search'] });
  // An access key of twelve digits acts as that account's administrator in the sandbox.
  const as = (accessKeyId: string) => ({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'test' } });
  spokeConnections = new CodeStarConnectionsClient(as(SPOKE));
  hubConnections = new CodeStarConnectionsClient(as('111111111111'));
  spokePipelines = new CodePipelineClient(as(SPOKE));
  hubRam = new RAMClient(as('111111111111'));
  secondConnections = new CodeStarConnectionsClient(as(SECOND));
  secondPipelines = new CodePipelineClient(as(SECOND));
}, 60_000);

afterAll(async () => {
  for (const client of [spokeConnections, hubConnections, spokePipelines, hubRam, secondConnections, secondPipelines]) client?.destroy();
  await system?.close();
});

const read = async (requestId: string) => (await api<RequestBody & { accountId?: string }>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: admin })).body;
const inStatus = (requestId: string, ...statuses: string[]) => eventually(() => read(requestId), (request) => statuses.includes(request.status), `request ${requestId} to be ${statuses.join(' or ')}`);

async function ask(token: string, body: Record<string, unknown>) {
  return api<RequestBody & Problem>(system, 'POST', '/v1/connection-requests', { token, body: { providerEndpoint: 'https://ghe.example.com', ...body }, idempotencyKey: nextKey() });
}

/** The GHES admin sets the host up (in the spoke's console); the request then waits for its handshake. */
async function untilHandshake(requestId: string): Promise<RequestBody> {
  const waiting = await inStatus(requestId, 'WAITING_FOR_HOST_SETUP', 'WAITING_FOR_APPROVAL');
  if (waiting.status === 'WAITING_FOR_HOST_SETUP') {
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 3600 });
  }
  return inStatus(requestId, 'WAITING_FOR_APPROVAL');
}

describe('hub and spoke: who may ask for which account', () => {
  it('lets only admins register accounts, and lists them', async () => {
    const refused = await api<Problem>(system, 'PUT', `/v1/accounts/${SPOKE}`, { token: payments, body: { team: 'payments' } });
    expect(refused.status).toBe(403);
    const registered = await api(system, 'PUT', `/v1/accounts/${SPOKE}`, { token: admin, body: { team: 'payments' } });
    expect(registered.status).toBe(201);
    expect(registered.headers.location).toBe(`/v1/accounts/${SPOKE}`);
    const listed = await api<{ accounts: { accountId: string; team: string }[] }>(system, 'GET', '/v1/accounts', { token: admin });
    expect(listed.body.accounts.map(({ accountId, team }) => [accountId, team])).toEqual([[SPOKE, 'payments']]);
  });

  it('names the field of a bad registration', async () => {
    const bad = await api<Problem>(system, 'PUT', '/v1/accounts/12345', { token: admin, body: { team: 'payments' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'accountId', message: 'Must be a twelve-digit AWS account id' }]);
    const unknown = await api<Problem>(system, 'PUT', `/v1/accounts/${SPOKE}`, { token: admin, body: { team: 'payments', owner: 'x' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors![0]!.message).toContain('owner');
  });

  it("refuses another team's account with 403 at accountId, and an unregistered one with 422", async () => {
    const notYours = await ask(search, { accountId: SPOKE });
    expect(notYours.status).toBe(403);
    expect(notYours.body.errors).toEqual([{ path: 'accountId', message: expect.stringContaining('belongs to team payments') }]);
    const unregistered = await ask(admin, { accountId: '333333333333' });
    expect(unregistered.status).toBe(422);
    expect(unregistered.body.errors![0]!.path).toBe('accountId');
    // Nothing was made anywhere for either.
    expect((await spokeConnections.send(new ListHostsCommand({}))).Hosts ?? []).toEqual([]);
  });
});

describe('hub and spoke: a dedicated connection in the spoke', () => {
  let pipelineRole: string;

  beforeAll(async () => {
    await api(system, 'PUT', `/v1/accounts/${SPOKE}`, { token: admin, body: { team: 'payments' } });
    await sandboxControl(system, 'POST', '/roles', { account: SPOKE, roleName: 'payments-pipeline', path: '/service-role/' });
    pipelineRole = `arn:aws:iam::${SPOKE}:role/service-role/payments-pipeline`;
    await sandboxControl(system, 'POST', '/codebuild/projects', { account: SPOKE, name: 'payments-build', serviceRole: pipelineRole });
    await sandboxControl(system, 'POST', '/pipelines', { account: SPOKE, declaration: pipelineDeclaration('payments', { role: pipelineRole, project: 'payments-build' }) });
  });

  it('creates the host and connection in the spoke, attaches its pipeline there and runs it', async () => {
    const asked = await ask(payments, { accountId: SPOKE, pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main' } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body).toMatchObject({ accountId: SPOKE, region: 'us-east-1' });

    const waiting = await untilHandshake(asked.body.requestId);
    expect(waiting.hostArn).toContain(`:${SPOKE}:host/`);
    expect(waiting.connectionArn).toContain(`:${SPOKE}:connection/`);
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: waiting.connectionArn });
    const approved = await api(system, 'POST', `/v1/connection-requests/${asked.body.requestId}/approve`, { token: admin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const done = await inStatus(asked.body.requestId, 'COMPLETED', 'FAILED');
    expect(done.status, JSON.stringify(done.timeline?.slice(-3))).toBe('COMPLETED');

    // The spoke has the connection; the hub has nothing.
    const inSpoke = (await spokeConnections.send(new ListConnectionsCommand({}))).Connections ?? [];
    expect(inSpoke.map((connection) => connection.ConnectionArn)).toContain(done.connectionArn);
    expect((await hubConnections.send(new ListConnectionsCommand({}))).Connections ?? []).toEqual([]);

    // The spoke's pipeline points at it and its first run fetched the source.
    const { pipeline } = await spokePipelines.send(new GetPipelineCommand({ name: 'payments' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration!.ConnectionArn).toBe(done.connectionArn);
    const firstRun = done.pipelineAttachment!.firstRun!;
    expect(firstRun.status).toBe('SUCCEEDED');
    const { pipelineExecution } = await spokePipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'payments', pipelineExecutionId: firstRun.pipelineExecutionId }));
    expect(pipelineExecution!.status).toBe('Succeeded');
  });

  it.skipIf(cli.skip)('is visible with the AWS CLI using the spoke account’s credentials, and not the hub’s', async () => {
    const spoke = await runAwsCli(system.sandbox, ['codestar-connections', 'list-connections'], { accessKeyId: SPOKE });
    expect(spoke.code, spoke.stderr).toBe(0);
    const names = (spoke.json as { Connections: { ConnectionArn: string }[] }).Connections.map((connection) => connection.ConnectionArn);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((arn) => arn.includes(`:${SPOKE}:`))).toBe(true);
    const hub = await runAwsCli(system.sandbox, ['codestar-connections', 'list-connections'], { accessKeyId: '111111111111' });
    expect((hub.json as { Connections: unknown[] }).Connections).toEqual([]);
  });

  it('rolls back in the spoke when the approver rejects', async () => {
    const asked = await ask(payments, { accountId: SPOKE, connectionName: 'payments-rejected' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const waiting = await untilHandshake(asked.body.requestId);
    expect(waiting.connectionArn).toContain(`:${SPOKE}:`);
    const rejected = await api(system, 'POST', `/v1/connection-requests/${asked.body.requestId}/reject`, { token: admin });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    await inStatus(asked.body.requestId, 'REJECTED');
    const left = (await spokeConnections.send(new ListConnectionsCommand({}))).Connections ?? [];
    expect(left.map((connection) => connection.ConnectionArn)).not.toContain(waiting.connectionArn);
    expect(left.map((connection) => connection.ConnectionName)).not.toContain('payments-rejected');
  });
});

describe('hub and spoke: a shared connection (AWS RAM, no handshake)', () => {
  let hubConnection: string;

  beforeAll(async () => {
    // The hub's own connection, made in the console (a codeconnections ARN) and set up once.
    const { hostArn } = await sandboxControl<{ hostArn: string }>(system, 'POST', '/console/hosts', { name: 'ghe-hub', providerEndpoint: 'https://ghe.example.com' });
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn });
    ({ connectionArn: hubConnection } = await sandboxControl<{ connectionArn: string }>(system, 'POST', '/console/connections', { name: 'ghe-platform', hostArn }));
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: hubConnection });
    await api(system, 'PUT', `/v1/accounts/${SECOND}`, { token: admin, body: { team: 'payments' } });
    const role = `arn:aws:iam::${SECOND}:role/service-role/orders-pipeline`;
    await sandboxControl(system, 'POST', '/roles', { account: SECOND, roleName: 'orders-pipeline', path: '/service-role/' });
    await sandboxControl(system, 'POST', '/codebuild/projects', { account: SECOND, name: 'orders-build', serviceRole: role });
    for (const name of ['orders', 'billing']) {
      await sandboxControl(system, 'POST', '/pipelines', { account: SECOND, declaration: pipelineDeclaration(name, { role, project: 'orders-build' }) });
    }
  });

  it('refuses to offer a connection RAM cannot share, naming the field', async () => {
    const codestar = hubConnection.replace(':codeconnections:', ':codestar-connections:');
    const refused = await api<Problem>(system, 'POST', '/v1/shared-connections', {
      token: admin,
      body: { connectionArn: codestar, providerEndpoint: 'https://ghe.example.com', organization: 'platform' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toEqual([{ path: 'connectionArn', message: expect.stringContaining('cannot share CodeStar Connections ARNs') }]);
  });

  it('completes with no host and no handshake, and the pipeline runs with the hub’s connection', async () => {
    expect(hubConnection).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:connection\//);
    const offered = await api(system, 'POST', '/v1/shared-connections', {
      token: admin,
      body: { connectionArn: hubConnection, providerEndpoint: 'https://ghe.example.com', organization: 'platform' },
    });
    expect(offered.status, JSON.stringify(offered.body)).toBe(201);

    const asked = await ask(payments, { accountId: SECOND, pipeline: { name: 'orders', fullRepositoryId: 'platform/orders', branchName: 'main' } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const done = await inStatus(asked.body.requestId, 'COMPLETED', 'FAILED');
    expect(done.status, JSON.stringify([(done as { failure?: unknown }).failure, done.timeline?.slice(-6)])).toBe('COMPLETED');
    expect(done.connectionArn).toBe(hubConnection);
    expect(done.hostArn).toBeUndefined();
    // Nobody was asked for anything: no wait, no approval in its timeline.
    expect(done.timeline!.map((entry) => entry.step)).not.toContain('approval');
    expect(done.timeline!.map((entry) => entry.step)).toContain('share');

    // The spoke has no host and no connection of its own, yet can read the hub's and run with it.
    expect((await secondConnections.send(new ListHostsCommand({}))).Hosts ?? []).toEqual([]);
    expect((await secondConnections.send(new ListConnectionsCommand({}))).Connections ?? []).toEqual([]);
    expect((await secondConnections.send(new GetConnectionCommand({ ConnectionArn: hubConnection }))).Connection?.OwnerAccountId).toBe('111111111111');
    const { pipeline } = await secondPipelines.send(new GetPipelineCommand({ name: 'orders' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration!.ConnectionArn).toBe(hubConnection);
    const firstRun = done.pipelineAttachment!.firstRun!;
    expect(firstRun.status, JSON.stringify(done.pipelineAttachment)).toBe('SUCCEEDED');
    const { pipelineExecution } = await secondPipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'orders', pipelineExecutionId: firstRun.pipelineExecutionId }));
    expect(pipelineExecution!.status).toBe('Succeeded');
  });

  it("rolls back a second shared request for the account without taking the account out of the share the first one uses", async () => {
    // The spoke role loses UpdatePipeline for a moment, so this request's attach fails and it rolls back.
    const iam = new IAMClient({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: SECOND, secretAccessKey: 'test' } });
    try {
      const target = { RoleName: 'connection-broker-spoke', PolicyName: 'connection-broker-hub-access' };
      const { PolicyDocument } = await iam.send(new GetRolePolicyCommand(target));
      const document = JSON.parse(decodeURIComponent(PolicyDocument!)) as { Statement: { Action: string | string[] }[] };
      for (const statement of document.Statement) {
        if (Array.isArray(statement.Action)) statement.Action = statement.Action.filter((action) => action !== 'codepipeline:UpdatePipeline');
      }
      await iam.send(new PutRolePolicyCommand({ ...target, PolicyDocument: JSON.stringify(document) }));

      const asked = await ask(payments, { accountId: SECOND, connectionStrategy: 'shared', pipeline: { name: 'billing', fullRepositoryId: 'platform/billing', branchName: 'main' } });
      expect(asked.status, JSON.stringify(asked.body)).toBe(202);
      const failed = await inStatus(asked.body.requestId, 'FAILED', 'COMPLETED');
      expect(failed.status).toBe('FAILED');
      expect(failed.timeline!.map((entry) => entry.message)).toEqual(
        expect.arrayContaining([expect.stringMatching(new RegExp(`^Kept account ${SECOND} in resource share .*: request\\(s\\) .* still use it\\.$`))]),
      );
      // The first request's pipeline can still read the hub's connection.
      expect((await secondConnections.send(new GetConnectionCommand({ ConnectionArn: hubConnection }))).Connection?.ConnectionArn).toBe(hubConnection);
    } finally {
      iam.destroy();
      // Registering again brings the spoke role back to the template (as a StackSet update would).
      await api(system, 'PUT', `/v1/accounts/${SECOND}`, { token: admin, body: { team: 'payments' } });
    }
  });

  it('cancelled while the association settles, removes only the association: the hub keeps its share and connection', async () => {
    // A fresh account, so this request makes the association; RAM takes a while to associate.
    const third = '444444444444';
    await api(system, 'PUT', `/v1/accounts/${third}`, { token: admin, body: { team: 'payments' } });
    await sandboxControl(system, 'PUT', '/config', { ramAssociationSeconds: 3600 });
    try {
      const asked = await ask(payments, { accountId: third, connectionStrategy: 'shared', pipeline: undefined });
      expect(asked.status, JSON.stringify(asked.body)).toBe(422);
      expect(asked.body.errors![0]!.path).toBe('connectionStrategy');

      const role = `arn:aws:iam::${third}:role/service-role/ledger-pipeline`;
      await sandboxControl(system, 'POST', '/roles', { account: third, roleName: 'ledger-pipeline', path: '/service-role/' });
      await sandboxControl(system, 'POST', '/pipelines', { account: third, declaration: pipelineDeclaration('ledger', { role, project: 'ledger-build' }) });
      const shared = await ask(payments, { accountId: third, connectionStrategy: 'shared', pipeline: { name: 'ledger', fullRepositoryId: 'platform/ledger', branchName: 'main' } });
      expect(shared.status, JSON.stringify(shared.body)).toBe(202);
      const share = async () => (await hubRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares ?? [];
      const association = async () => {
        const shares = await share();
        if (shares.length === 0) return undefined;
        const { resourceShareAssociations = [] } = await hubRam.send(
          new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [shares[0]!.resourceShareArn!], principal: third }),
        );
        return resourceShareAssociations[0]?.status;
      };
      await eventually(association, (status) => status === 'ASSOCIATING', 'the association to be under way');

      const cancelled = await api(system, 'POST', `/v1/connection-requests/${shared.body.requestId}/cancel`, { token: payments });
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
      await eventually(
        async () => {
          await sandboxControl(system, 'POST', '/clock/advance', { seconds: 30 });
          return read(shared.body.requestId);
        },
        (request) => request.status === 'CANCELLED',
        'the shared request to be cancelled',
      );
      // RAM takes its time to disassociate as well.
      await sandboxControl(system, 'POST', '/clock/advance', { seconds: 3600 });
      expect(await association()).toBe('DISASSOCIATED');
      // The share, the hub's connection and the earlier account's association stay.
      expect((await share())[0]!.status).toBe('ACTIVE');
      expect((await hubConnections.send(new GetConnectionCommand({ ConnectionArn: hubConnection }))).Connection?.ConnectionStatus).toBe('AVAILABLE');
      expect((await secondConnections.send(new GetConnectionCommand({ ConnectionArn: hubConnection }))).Connection?.ConnectionArn).toBe(hubConnection);
    } finally {
      await sandboxControl(system, 'PUT', '/config', { ramAssociationSeconds: 0 });
    }
  });
});

describe('hub and spoke: the fleet audit', () => {
  const STRAY = '555555555555';
  const ROLELESS = '666666666666';
  let report: AuditReport;
  let ordersRequestId: string;
  let oldPrefixConnection: string;
  let spokeConsoleHost: string;

  beforeAll(async () => {
    // Someone made a host in the spoke's console, outside the broker.
    ({ HostArn: spokeConsoleHost } = (await spokeConnections.send(
      new CreateHostCommand({ Name: 'made-by-hand', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }),
    )) as { HostArn: string });
    const as = (accessKeyId: string) => ({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'test' } });
    const [shareArn] = ((await hubRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares ?? []).map((share) => share.resourceShareArn!);
    // Someone shares the hub's connection with an account by hand, and takes the orders request's account out of it.
    await hubRam.send(new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [STRAY] }));
    await hubRam.send(new DisassociateResourceShareCommand({ resourceShareArn: shareArn, principals: [SECOND] }));
    const requests = (await api<{ requests: (RequestBody & { accountId?: string })[] }>(system, 'GET', '/v1/connection-requests?limit=100', { token: admin })).body.requests;
    ordersRequestId = requests.find((request) => request.accountId === SECOND && request.status === 'COMPLETED')!.requestId;

    // The hub's older connection to a second GHES was made through CodeStar Connections (an ARN RAM cannot share),
    // so the spoke asking for that GHES makes its own host, connection and handshake.
    const { HostArn } = await hubConnections.send(new CreateHostCommand({ Name: 'ghe-legacy', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://legacy.example.com' }));
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
    ({ ConnectionArn: oldPrefixConnection } = (await hubConnections.send(new CreateConnectionCommand({ ConnectionName: 'legacy-platform', HostArn }))) as { ConnectionArn: string });
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: oldPrefixConnection });
    const legacy = await ask(payments, { providerEndpoint: 'https://legacy.example.com', accountId: SPOKE, pipeline: undefined });
    expect(legacy.status, JSON.stringify(legacy.body)).toBe(202);
    await inStatus(legacy.body.requestId, 'WAITING_FOR_HOST_SETUP');

    // An account registered before its spoke role was deployed (or after someone deleted it).
    await api(system, 'PUT', `/v1/accounts/${ROLELESS}`, { token: admin, body: { team: 'search' } });
    const iam = new IAMClient(as(ROLELESS));
    try {
      const { PolicyNames = [] } = await iam.send(new ListRolePoliciesCommand({ RoleName: 'connection-broker-spoke' }));
      for (const PolicyName of PolicyNames) await iam.send(new DeleteRolePolicyCommand({ RoleName: 'connection-broker-spoke', PolicyName }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'connection-broker-spoke' }));
    } finally {
      iam.destroy();
    }

    const finished = (auditId: string) =>
      eventually(async () => (await api<AuditReport>(system, 'GET', `/v1/audits/${auditId}`, { token: admin })).body, (audit) => audit.status !== 'RUNNING', `audit ${auditId} to finish`);
    let started = await api<{ auditId: string; errors?: Problem['errors'] }>(system, 'POST', '/v1/audits', { token: admin });
    if (started.status === 409) {
      // The hourly schedule came round while the tests above advanced the clock: let it finish, then audit what is there now.
      await finished(started.body.errors![0]!.message);
      started = await api<{ auditId: string; errors?: Problem['errors'] }>(system, 'POST', '/v1/audits', { token: admin });
    }
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    report = await finished(started.body.auditId);
  }, 120_000);

  it('audits every registered account, each in its own place, and reports the one it could not read instead of failing', () => {
    expect(report.status, report.failure).toBe('COMPLETED');
    const places = Object.fromEntries(report.places!.map((place) => [place.accountId, place.status]));
    expect(places).toEqual({ '111111111111': 'AUDITED', [SPOKE]: 'AUDITED', [SECOND]: 'AUDITED', '444444444444': 'AUDITED', [ROLELESS]: 'FAILED' });
    expect(report.places![0]).toMatchObject({ accountId: '111111111111', region: 'us-east-1' });
    const unread = report.findings.find((finding) => finding.type === 'PLACE_NOT_AUDITED')!;
    expect(unread).toMatchObject({ accountId: ROLELESS, severity: 'high', message: expect.stringMatching(/AccessDenied.*sts:AssumeRole/s) });
    // The spokes' resources are in the inventory: the dedicated connections in the spoke, the pipelines of three spokes.
    expect(report.inventory!.pipelines).toBeGreaterThanOrEqual(4);
    // The spoke's own rules ran in the spoke: its hand-made host is found there, and named by its account.
    expect(report.findings).toContainEqual(expect.objectContaining({ type: 'UNMANAGED_RESOURCE', resource: spokeConsoleHost, accountId: SPOKE, region: 'us-east-1' }));
  });

  it('finds the association nobody asked for, the shared request whose association is gone, and the old-prefix connection that blocks sharing', () => {
    const of = (type: string) => report.findings.filter((finding) => finding.type === type);
    expect(of('SHARE_NOT_REQUESTED')).toEqual([expect.objectContaining({ accountId: STRAY, resourceKind: 'share', severity: 'medium' })]);
    expect(of('SHARE_ASSOCIATION_GONE')).toEqual([expect.objectContaining({ requestId: ordersRequestId, accountId: SECOND, severity: 'high' })]);
    expect(of('CONNECTION_BLOCKS_SHARING')).toEqual([expect.objectContaining({ resource: oldPrefixConnection, fix: expect.stringContaining('/v1/shared-connections') })]);
  });
});
