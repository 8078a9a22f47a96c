import { CodePipelineClient, GetPipelineCommand, GetPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { mintToken } from '../../infra/local/runtime/jwt.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor, type Problem } from './local-system.ts';
import { nextKey, pipelineDeclaration, type RequestBody } from './pipeline-attach-helpers.ts';

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
}, 60_000);

afterAll(async () => {
  for (const client of [spokeConnections, hubConnections, spokePipelines]) client?.destroy();
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
