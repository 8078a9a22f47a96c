import { CodePipelineClient, GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, GetConnectionCommand, ListHostsCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor, type Problem } from './local-system.ts';

interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  connectionName: string;
  failure?: { code: string; message: string };
  waitingFor?: { what: string; who: string; link?: string; since: string };
  nextAction?: { stage: string; actor: string; message: string; actionUrl?: string; deadline?: string } | null;
  attention?: { kind: string; actor: string; message: string; actionUrl?: string }[];
  timeline: { step: string; actor: string; message: string }[];
}

let system: LocalSystem;
let alice: string;
let admin: string;
let connections: CodeStarConnectionsClient;
let pipelines: CodePipelineClient;

beforeAll(async () => {
  system = await startSystem();
  alice = await tokenFor('alice@example.com');
  admin = await tokenFor('root@example.com', true);
  const aws = { endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  connections = new CodeStarConnectionsClient(aws);
  pipelines = new CodePipelineClient(aws);
}, 60_000);
afterAll(async () => {
  connections?.destroy();
  pipelines?.destroy();
  await system?.close();
});

let keys = 0;
async function requestConnection(body: Record<string, unknown>, token = alice): Promise<RequestBody> {
  const answer = await api<RequestBody>(system, 'POST', '/v1/connection-requests', { token, body, idempotencyKey: `key-${++keys}` });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

const read = (requestId: string, token = alice) => async () => (await api<RequestBody>(system, 'GET', `/v1/connection-requests/${requestId}`, { token })).body;
const inStatus = (requestId: string, status: string, token = alice) =>
  eventually(read(requestId, token), (request) => request.status === status, `request ${requestId} to be ${status}`);

/**
 * The GHES admin does "Set up host" and the sandbox clock passes the next poll; a request whose
 * endpoint already has an AVAILABLE host (reused) goes straight on to the approval.
 */
async function setUpHost(request: RequestBody): Promise<RequestBody> {
  const waiting = await eventually(
    read(request.requestId),
    (current) => current.status === 'WAITING_FOR_HOST_SETUP' || current.status === 'WAITING_FOR_APPROVAL',
    'host set-up or approval',
  );
  if (waiting.status === 'WAITING_FOR_HOST_SETUP') {
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    // The clock moves once the step in flight has finished (the runtime settles first), so the poll's Wait has begun.
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 3600 });
  }
  return inStatus(request.requestId, 'WAITING_FOR_APPROVAL');
}

/**
 * A cancelled request's rollback runs in an execution that first waits out the stopped execution's
 * running steps (a Wait on the sandbox clock): move the clock on until the request is `status`.
 */
function afterCancelWait(requestId: string, status: string): Promise<RequestBody> {
  return eventually(
    async () => {
      await sandboxControl(system, 'POST', '/clock/advance', { seconds: 30 });
      return read(requestId)();
    },
    (request) => request.status === status,
    `request ${requestId} to be ${status} after the cancel's wait`,
  );
}

/** The request's approval message (it links to the connection in the console); posted just after the status changes. */
async function approvalMessage(connectionArn: string) {
  const connectionId = connectionArn.split('/').at(-1)!;
  const find = async () => {
    const { messages } = await sandboxControl<{ messages: { channel: string; ts: string; text: string }[] }>(system, 'GET', '/slack/messages?channel=C0APPROVALS');
    return [...messages].reverse().find((candidate) => candidate.text.includes('Approval needed') && JSON.stringify(candidate).includes(connectionId));
  };
  return (await eventually(find, (message) => message !== undefined, `the approval message for ${connectionArn}`))!;
}

describe('provisioning over HTTP', () => {
  it('creates host and connection, waits for set-up and an approval in Slack, and attaches the connection to the pipeline', async () => {
    await sandboxControl(system, 'POST', '/pipelines', { name: 'payments' });
    const created = await requestConnection({
      providerEndpoint: 'https://ghe.example.com/',
      pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main' },
    });
    expect(created.status).toBe('ACCEPTED');

    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');
    expect(waiting.waitingFor?.what).toContain('Set up host');
    expect(waiting.waitingFor?.link).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\//);
    // Who acts next, on the host's console page (its own ARN prefix), within the host wait's 7 days.
    const hostPrefix = waiting.hostArn!.split(':')[2];
    expect(waiting.nextAction).toMatchObject({
      stage: 'host-setup',
      actor: 'ghes-admin',
      message: 'A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.',
      actionUrl: waiting.waitingFor?.link,
    });
    expect(waiting.nextAction?.actionUrl).toContain(`/codesuite/settings/`);
    expect(waiting.nextAction?.actionUrl).toContain(`/${hostPrefix}/hosts/${encodeURIComponent(waiting.hostArn!)}?region=us-east-1`);
    expect(Date.parse(waiting.nextAction!.deadline!) - Date.parse(waiting.waitingFor!.since)).toBe(7 * 86_400_000);
    expect(waiting.timeline.map((entry) => entry.message)).toContain(`Asked the GHES administrators for host ${waiting.hostArn}: ${waiting.nextAction?.message}`);

    const awaitingApproval = await setUpHost(created);
    const [, , connectionPrefix, , account] = awaitingApproval.connectionArn!.split(':');
    expect(awaitingApproval.nextAction).toMatchObject({
      stage: 'handshake-and-approval',
      actor: 'approver',
      // APPROVAL_MODE=handshake (the default): the finished handshake is the approval.
      message: `A GitHub organization owner must choose "Update pending connection" in the AWS console for connection ${awaitingApproval.connectionName}.`,
      actionUrl: `https://us-east-1.console.aws.amazon.com/codesuite/settings/${account}/us-east-1/${connectionPrefix}/connections/${awaitingApproval.connectionArn!.split('/').at(-1)}?region=us-east-1`,
    });
    expect(awaitingApproval.nextAction?.actionUrl).toBe(awaitingApproval.waitingFor?.link);
    expect(Date.parse(awaitingApproval.nextAction!.deadline!) - Date.parse(awaitingApproval.waitingFor!.since)).toBe(72 * 3_600_000);
    const message = await approvalMessage(awaitingApproval.connectionArn!);

    // The approval message offers "Done — check now" and Reject; no Approve (the handshake approves).
    expect(JSON.stringify(message)).toContain('"action_id":"check_now"');
    expect(JSON.stringify(message)).not.toContain('"action_id":"approve"');

    // "Done — check now" before the handshake: nothing resumes, and the clicker is told why.
    await sandboxControl(system, 'POST', '/slack/click', { channel: 'C0APPROVALS', ts: message.ts, actionId: 'check_now', userId: 'U0APPROVER' });
    expect((await read(created.requestId)()).status).toBe('WAITING_FOR_APPROVAL');

    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: awaitingApproval.connectionArn });
    const click = await sandboxControl<{ status: number }>(system, 'POST', '/slack/click', { channel: 'C0APPROVALS', ts: message.ts, actionId: 'check_now', userId: 'U0APPROVER' });
    expect(click.status).toBe(200);

    const done = await inStatus(created.requestId, 'COMPLETED');
    expect(done.timeline).toContainEqual(
      expect.objectContaining({ step: 'approval', actor: 'aws-console', message: expect.stringContaining('noticed when slack:U0APPROVER asked to check') }),
    );
    // The sandbox's pipeline names a role that does not exist: the requester must fix the pipeline.
    expect(done.nextAction).toMatchObject({ stage: 'pipeline-permissions', actor: 'requester' });
    // COMPLETED, but not done: the view says what is left (issue 11, item 7).
    expect(done.attention).toContainEqual(expect.objectContaining({ kind: 'pipeline-permissions', actor: 'requester' }));
    expect(done.timeline.map((entry) => entry.step)).toEqual(expect.arrayContaining(['host', 'host-setup', 'connection', 'approval', 'verify', 'attach', 'done']));
    const { pipeline } = await pipelines.send(new GetPipelineCommand({ name: 'payments' }));
    const source = pipeline!.stages![0]!.actions![0]!;
    expect(source.actionTypeId?.provider).toBe('CodeStarSourceConnection');
    expect(source.configuration).toMatchObject({ ConnectionArn: done.connectionArn, FullRepositoryId: 'platform/payments', BranchName: 'main' });
  });

  it('reuses the AVAILABLE host, approves through the admin endpoint, and refuses non-admins', async () => {
    const created = await requestConnection({ providerEndpoint: 'https://ghe.example.com' });
    const waiting = await setUpHost(created);
    expect(waiting.timeline.some((entry) => entry.message.startsWith('Reusing host'))).toBe(true);
    expect((await api(system, 'POST', `/v1/connection-requests/${created.requestId}/approve`, { token: alice })).status).toBe(403);
    const early = await api<Problem>(system, 'POST', `/v1/connection-requests/${created.requestId}/approve`, { token: admin });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('HandshakePending');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: waiting.connectionArn });
    expect((await api(system, 'POST', `/v1/connection-requests/${created.requestId}/approve`, { token: admin })).status).toBe(200);
    // Nothing left to do.
    expect((await inStatus(created.requestId, 'COMPLETED')).nextAction).toBeNull();
  });

  it('rolls back a rejected request: REJECTED and the connection is gone', async () => {
    const created = await requestConnection({ providerEndpoint: 'https://ghe.example.com' });
    const waiting = await setUpHost(created);
    const message = await approvalMessage(waiting.connectionArn!);
    await sandboxControl(system, 'POST', '/slack/click', { channel: 'C0APPROVALS', ts: message.ts, actionId: 'reject', userId: 'U0APPROVER' });
    const rejected = await inStatus(created.requestId, 'REJECTED');
    expect(rejected.failure?.code).toBe('Rejected');
    expect(rejected.nextAction).toMatchObject({ stage: 'new-request', actor: 'requester' });
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: waiting.connectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('cancels a request that waits for host set-up: 202 at once, then the workflow rolls back what it created', async () => {
    const created = await requestConnection({ providerEndpoint: 'https://cancel.example.com' });
    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');
    const hostArns = async () => (await connections.send(new ListHostsCommand({ MaxResults: 100 }))).Hosts?.map((host) => host.HostArn);

    const cancelled = await api<RequestBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: alice });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'ROLLING_BACK', failure: { code: 'Cancelled', message: 'Cancelled by alice@example.com' } });
    expect(cancelled.body.waitingFor).toBeUndefined();
    // Once is enough: the rollback is under way.
    const again = await api<Problem>(system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: alice });
    expect([again.status, again.body.code]).toEqual([409, 'AlreadyRollingBack']);
    expect(await sandboxControl(system, 'GET', `/executions/${created.requestId}`)).toMatchObject({ status: 'ABORTED' });

    // The workflow first waits out steps of the stopped execution that may still run: nothing is undone yet.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await read(created.requestId)()).status).toBe('ROLLING_BACK');
    expect(await hostArns()).toContain(waiting.hostArn);

    const done = await afterCancelWait(created.requestId, 'CANCELLED');
    expect(done.failure).toEqual({ code: 'Cancelled', message: 'Cancelled by alice@example.com' });
    expect(done.nextAction).toBeNull();
    expect(done.timeline.map((entry) => [entry.step, entry.actor])).toEqual(expect.arrayContaining([['cancel', 'alice@example.com'], ['rollback', 'alice@example.com']]));
    expect(done.timeline.map((entry) => entry.message)).toContain('Rollback finished; the request is CANCELLED.');
    expect(await hostArns()).not.toContain(waiting.hostArn);
    const late = await api<Problem>(system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: alice });
    expect([late.status, late.body.code]).toEqual([409, 'RequestFinished']);
  });

  it('ends with a diagnostic when the host VPC fails to initialize', async () => {
    const created = await requestConnection({
      providerEndpoint: 'https://vpc.example.com',
      vpcConfiguration: { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] },
    });
    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/fail-vpc', { hostArn: waiting.hostArn, message: 'subnets are in one AZ' });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 600 });
    const failed = await inStatus(created.requestId, 'FAILED');
    expect(failed.failure?.code).toBe('VpcInitializationFailed');
    expect(failed.failure?.message).toContain('subnets are in one AZ');
    expect(failed.failure?.message).toContain('different Availability Zones');
  });

  it('times out an approval nobody gives and rolls back', async () => {
    const created = await requestConnection({ providerEndpoint: 'https://ghe.example.com' });
    const waiting = await setUpHost(created);
    // The wait has stages (reminder at 24 h, escalation at 48 h, timeout at 72 h); each starts when
    // the previous one ends, so the clock moves a stage at a time (test/e2e/approvals.test.ts has more).
    for (const [hours, note] of [[24, 'Reminded'], [24, 'Escalated']] as const) {
      await sandboxControl(system, 'POST', '/clock/advance', { seconds: hours * 3600 });
      await eventually(read(created.requestId), (request) => request.timeline.some((entry) => entry.message.startsWith(note)), `${note} on the timeline`);
    }
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 25 * 3600 });
    const timedOut = await inStatus(created.requestId, 'TIMED_OUT');
    expect(timedOut.failure?.code).toBe('ApprovalTimedOut');
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: waiting.connectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('gives ten simultaneous requests for one endpoint exactly one host', async () => {
    const endpoint = 'https://burst.example.com';
    const created = await Promise.all(Array.from({ length: 10 }, () => requestConnection({ providerEndpoint: endpoint })));
    const waiting = await Promise.all(
      created.map((request) =>
        eventually(
          async () => {
            await sandboxControl(system, 'POST', '/clock/advance', { seconds: 5 });
            return read(request.requestId)();
          },
          (current) => current.status === 'WAITING_FOR_HOST_SETUP',
          'every request to wait for host set-up',
          30_000,
        ),
      ),
    );
    expect(new Set(waiting.map((request) => request.hostArn)).size).toBe(1);
    const { Hosts } = await connections.send(new ListHostsCommand({ MaxResults: 100 }));
    expect(Hosts?.filter((host) => host.ProviderEndpoint === endpoint)).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('answers 4xx with the field named, and starts no workflow', async () => {
    const before = (await sandboxControl<{ executions: unknown[] }>(system, 'GET', '/executions')).executions.length;
    const noToken = await api(system, 'POST', '/v1/connection-requests', { body: {}, idempotencyKey: 'x' });
    // API Gateway's JWT authorizer answers itself, in its own shape.
    expect([noToken.status, noToken.body]).toEqual([401, { message: 'Unauthorized' }]);
    const noKey = await api<Problem>(system, 'POST', '/v1/connection-requests', { token: alice, body: { providerEndpoint: 'https://ghe.example.com' } });
    expect(noKey.status).toBe(400);
    expect(noKey.headers['content-type']).toBe('application/problem+json');
    expect(noKey.body).toMatchObject({
      type: '/v1/openapi.json#/components/x-problem-types/BadRequest',
      title: 'The request is not valid',
      status: 400,
      instance: '/v1/connection-requests',
      code: 'BadRequest',
    });
    expect(noKey.body.errors[0]?.path).toBe('headers.Idempotency-Key');
    const badVpc = await api<Problem>(system, 'POST', '/v1/connection-requests', {
      token: alice,
      idempotencyKey: 'bad-vpc',
      body: { providerEndpoint: 'https://ghe.example.com', vpcConfiguration: { vpcId: 'vpc-1', subnetIds: [], securityGroupIds: ['sg-0123abcd'] } },
    });
    expect(badVpc.status).toBe(400);
    expect(badVpc.body.errors.map((detail) => detail.path)).toEqual(expect.arrayContaining(['vpcConfiguration.vpcId', 'vpcConfiguration.subnetIds']));
    const notAllowed = await api(system, 'POST', '/v1/connection-requests', { token: alice, idempotencyKey: 'elsewhere', body: { providerEndpoint: 'https://github.evil.test' } });
    expect(notAllowed.status).toBe(403);
    const noPipeline = await api<Problem>(system, 'POST', '/v1/connection-requests', {
      token: alice,
      idempotencyKey: 'no-pipeline',
      body: { providerEndpoint: 'https://ghe.example.com', pipeline: { name: 'missing', fullRepositoryId: 'a/b', branchName: 'main' } },
    });
    expect(noPipeline.status).toBe(422);
    expect(noPipeline.body.code).toBe('PipelineNotFound');
    const after = (await sandboxControl<{ executions: unknown[] }>(system, 'GET', '/executions')).executions.length;
    expect(after).toBe(before);
  });

  it('returns the first answer to a retry with the same Idempotency-Key, and refuses the key with another body', async () => {
    const body = { providerEndpoint: 'https://retry.example.com' };
    const first = await api<RequestBody>(system, 'POST', '/v1/connection-requests', { token: alice, body, idempotencyKey: 'same-key' });
    const second = await api<RequestBody>(system, 'POST', '/v1/connection-requests', { token: alice, body, idempotencyKey: 'same-key' });
    expect(second.body.requestId).toBe(first.body.requestId);
    const other = await api(system, 'POST', '/v1/connection-requests', { token: alice, body: { providerEndpoint: 'https://other.example.com' }, idempotencyKey: 'same-key' });
    expect(other.status).toBe(422);
  });

  it("keeps others' requests invisible, and lets admins list everything", async () => {
    const mine = await requestConnection({ providerEndpoint: 'https://private.example.com' });
    const bob = await tokenFor('bob@example.com');
    expect((await api(system, 'GET', `/v1/connection-requests/${mine.requestId}`, { token: bob })).status).toBe(404);
    const bobsList = await api<{ requests: RequestBody[] }>(system, 'GET', '/v1/connection-requests', { token: bob });
    expect(bobsList.body.requests).toEqual([]);
    const all = await api<{ requests: RequestBody[] }>(system, 'GET', '/v1/connection-requests?limit=100', { token: admin });
    expect(all.body.requests.map((request) => request.requestId)).toContain(mine.requestId);
    expect((await api(system, 'GET', '/v1/connection-requests?status=NOPE', { token: admin })).status).toBe(400);
  });
});
