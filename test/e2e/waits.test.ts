import { CodeStarConnectionsClient, GetConnectionCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor, type Problem } from './local-system.ts';

/**
 * Event-driven waits end to end (issue 10), in the default APPROVAL_MODE=handshake: people do their
 * one console step and the watcher, sweeping once a minute for every request, notices it within
 * 75 s of sandbox time, however long after the request they act. The sandbox clock is frozen, so
 * only these tests move it: each move is a settled step, and the times below are exact.
 */

interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  connectionName: string;
  failure?: { code: string; message: string };
  nextAction?: { stage: string; actor: string; message: string } | null;
  timeline: { at: string; step: string; actor: string; message: string }[];
}

interface CheckBody {
  check: { outcome: string; waitingOn?: string; resourceStatus?: string; message: string };
  request: RequestBody;
}

const HOUR = 3600;
/** One sweep a minute, plus the steps the clock moves in here. */
const NOTICED_WITHIN_S = 75;
const STEP_S = 15;

let system: LocalSystem;
let alice: string;
let admin: string;
let connections: CodeStarConnectionsClient;

beforeAll(async () => {
  system = await startSystem();
  alice = await tokenFor('alice@example.com');
  admin = await tokenFor('root@example.com', true);
  connections = new CodeStarConnectionsClient({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}, 60_000);
afterAll(async () => {
  connections?.destroy();
  await system?.close();
});
beforeEach(async () => {
  await sandboxControl(system, 'PUT', '/clock', { frozen: true });
});
afterEach(async () => {
  await sandboxControl(system, 'PUT', '/clock', { frozen: false });
});

let keys = 0;
async function requestConnection(providerEndpoint: string): Promise<RequestBody> {
  const answer = await api<RequestBody>(system, 'POST', '/v1/connection-requests', { token: alice, body: { providerEndpoint }, idempotencyKey: `waits-${++keys}` });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

const read = (requestId: string) => async () => (await api<RequestBody>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: alice })).body;
const inStatus = (requestId: string, status: string) => eventually(read(requestId), (request) => request.status === status, `request ${requestId} to be ${status}`);

async function clockSeconds(): Promise<number> {
  return (await sandboxControl<{ epochSeconds: number }>(system, 'GET', '/clock')).epochSeconds;
}

/** Moves the frozen clock; the runtime settles the steps in flight first, then a jump fires the watcher once. */
async function advance(seconds: number): Promise<void> {
  await sandboxControl(system, 'POST', '/clock/advance', { seconds });
}

/** Moves the clock in settled 15 s steps until the request leaves `status`; how long that took, in sandbox seconds. */
async function stepUntilItLeaves(requestId: string, status: string, limitSeconds = 5 * 60): Promise<number> {
  const started = await clockSeconds();
  for (let moved = 0; moved <= limitSeconds; moved += STEP_S) {
    await advance(0);
    if ((await read(requestId)()).status !== status) return (await clockSeconds()) - started;
    await advance(STEP_S);
  }
  throw new Error(`request ${requestId} was still ${status} after ${limitSeconds} s of sandbox time`);
}

/** When the timeline says `step` happened, in sandbox seconds (the functions' clock is the sandbox clock). */
function timelineSeconds(request: RequestBody, step: string, startsWith: string): number {
  const entry = request.timeline.find((candidate) => candidate.step === step && candidate.message.startsWith(startsWith));
  expect(entry, `a ${step} entry starting "${startsWith}"`).toBeDefined();
  return Date.parse(entry!.at) / 1000;
}

describe('waits noticed within a minute, however late people act', () => {
  it('notices a host set up 5 h after the request, and a handshake done 3 h after the connection, with no Approve click', async () => {
    const created = await requestConnection('https://late-admin.example.com');
    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');

    // The GHES admin acts 5 hours later. Nothing polls meanwhile: the request sits in one callback state.
    await advance(5 * HOUR);
    expect((await read(created.requestId)()).status).toBe('WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    const hostSetUpAt = await clockSeconds();
    await stepUntilItLeaves(created.requestId, 'WAITING_FOR_HOST_SETUP');
    const awaitingHandshake = await inStatus(created.requestId, 'WAITING_FOR_APPROVAL');
    const hostNoticedAt = timelineSeconds(awaitingHandshake, 'host-setup', `Host ${waiting.hostArn} is AVAILABLE (noticed by the watcher)`);
    expect(hostNoticedAt - hostSetUpAt).toBeGreaterThanOrEqual(0);
    expect(hostNoticedAt - hostSetUpAt).toBeLessThanOrEqual(NOTICED_WITHIN_S);
    expect(awaitingHandshake.nextAction).toMatchObject({ stage: 'handshake-and-approval', actor: 'approver' });
    expect(awaitingHandshake.nextAction?.message).not.toContain('approve');

    // The organization owner finishes the handshake 3 hours after the connection was created; nobody clicks anything.
    const connectionCreatedAt = timelineSeconds(awaitingHandshake, 'connection', 'Created connection');
    await advance(connectionCreatedAt + 3 * HOUR - (await clockSeconds()));
    expect((await read(created.requestId)()).status).toBe('WAITING_FOR_APPROVAL');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: awaitingHandshake.connectionArn });
    const handshakeAt = await clockSeconds();
    await stepUntilItLeaves(created.requestId, 'WAITING_FOR_APPROVAL');
    const done = await inStatus(created.requestId, 'COMPLETED');
    const approvedAt = timelineSeconds(done, 'approval', 'Approved: the handshake is done in the AWS console');
    expect(approvedAt - handshakeAt).toBeGreaterThanOrEqual(0);
    expect(approvedAt - handshakeAt).toBeLessThanOrEqual(NOTICED_WITHIN_S);
    expect(done.timeline.find((entry) => entry.step === 'approval' && entry.message.startsWith('Approved'))).toMatchObject({ actor: 'aws-console' });

    // The approval message now says the handshake approved it, and offers no buttons.
    const { messages } = await sandboxControl<{ messages: { ts: string; kind: string; text?: string; blocks?: unknown }[] }>(system, 'GET', '/slack/messages?channel=C0APPROVALS');
    const connectionId = done.connectionArn!.split('/').at(-1)!;
    const posted = messages.find((message) => message.kind === 'post' && JSON.stringify(message).includes(connectionId))!;
    const current = messages.filter((message) => message.ts === posted.ts).at(-1)!;
    expect(current.text).toMatch(/^Approved by the handshake, finished in the AWS console at /);
    expect(JSON.stringify(current.blocks)).not.toContain('"type":"button"');

    // An admin who still clicks Approve out of habit is told it is approved, not given an error; a Reject now is a conflict.
    const lateApprove = await api<RequestBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/approve`, { token: admin });
    expect(lateApprove.status, JSON.stringify(lateApprove.body)).toBe(200);
    expect(lateApprove.body.status).toBe('COMPLETED');
    expect(lateApprove.body.timeline.filter((entry) => entry.step === 'approval' && entry.message.startsWith('Approved'))).toHaveLength(1);
    const lateReject = await api<Problem>(system, 'POST', `/v1/connection-requests/${created.requestId}/reject`, { token: admin });
    expect(lateReject.status).toBe(409);
  });

  it('"check now" through the API resumes at once, for the requester; others cannot see the request', async () => {
    const created = await requestConnection('https://check-now.example.com');
    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');
    const early = await api<CheckBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/check`, { token: alice });
    expect(early.status).toBe(200);
    expect(early.body.check).toMatchObject({ outcome: 'still-waiting', waitingOn: 'host-setup', resourceStatus: 'PENDING' });
    expect(early.body.request.status).toBe('WAITING_FOR_HOST_SETUP');

    const bob = await tokenFor('bob@example.com');
    expect((await api(system, 'POST', `/v1/connection-requests/${created.requestId}/check`, { token: bob })).status).toBe(404);

    // No clock move at all: the check itself resumes the workflow.
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    const checked = await api<CheckBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/check`, { token: alice });
    expect(checked.body.check).toMatchObject({ outcome: 'resumed', waitingOn: 'host-setup', resourceStatus: 'AVAILABLE' });
    const awaitingHandshake = await inStatus(created.requestId, 'WAITING_FOR_APPROVAL');
    expect(awaitingHandshake.timeline.map((entry) => entry.message)).toContain(`Host ${waiting.hostArn} is AVAILABLE (noticed when alice@example.com asked to check).`);

    // An admin (who approves through the API) may check too; the finished handshake approves at once.
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: awaitingHandshake.connectionArn });
    const approved = await api<CheckBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/check`, { token: admin });
    expect(approved.body.check).toMatchObject({ outcome: 'resumed', waitingOn: 'handshake', resourceStatus: 'AVAILABLE' });
    await inStatus(created.requestId, 'COMPLETED');
    const after = await api<CheckBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/check`, { token: alice });
    expect(after.body.check.outcome).toBe('not-waiting');
    expect(after.body.check.message).toMatch(/^Request is COMPLETED: it is not waiting/);
  });

  it('fails a request whose VPC host cannot initialize, with AWS\'s reason, and rolls it back', async () => {
    const created = await requestConnection('https://vpc-fails.example.com');
    const answer = await api<RequestBody>(system, 'POST', '/v1/connection-requests', {
      token: alice,
      idempotencyKey: `waits-${++keys}`,
      body: {
        providerEndpoint: 'https://vpc-fails.example.com',
        vpcConfiguration: { vpcId: 'vpc-0a1b2c3d', subnetIds: ['subnet-0a1b2c3d'], securityGroupIds: ['sg-0a1b2c3d'] },
      },
    });
    expect(answer.status).toBe(202);
    const waiting = await inStatus(answer.body.requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/fail-vpc', { hostArn: waiting.hostArn, message: 'The subnet subnet-0a1b2c3d has no free addresses' });
    const took = await stepUntilItLeaves(answer.body.requestId, 'WAITING_FOR_HOST_SETUP');
    expect(took).toBeLessThanOrEqual(NOTICED_WITHIN_S);
    const failed = await inStatus(answer.body.requestId, 'FAILED');
    expect(failed.failure?.code).toBe('VpcInitializationFailed');
    expect(failed.failure?.message).toContain('The subnet subnet-0a1b2c3d has no free addresses');
    expect(failed.timeline.map((entry) => entry.message)).toContain(`Deleted host ${waiting.hostArn}.`);
    // The other request for the same endpoint (no VPC) has its own host and still waits.
    expect((await read(created.requestId)()).status).toBe('WAITING_FOR_HOST_SETUP');
  });

  it('rolls back a request cancelled while it waits for the handshake, and the watcher leaves it alone', async () => {
    const created = await requestConnection('https://cancel-handshake.example.com');
    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await stepUntilItLeaves(created.requestId, 'WAITING_FOR_HOST_SETUP');
    const awaitingHandshake = await inStatus(created.requestId, 'WAITING_FOR_APPROVAL');

    expect((await api(system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: alice })).status).toBe(202);
    // The handshake finished after the cancel must not revive anything.
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: awaitingHandshake.connectionArn });
    await stepUntilItLeaves(created.requestId, 'ROLLING_BACK', 5 * 60);
    const cancelled = await inStatus(created.requestId, 'CANCELLED');
    expect(cancelled.timeline.some((entry) => entry.message.startsWith('Approved'))).toBe(false);
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: awaitingHandshake.connectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const check = await api<CheckBody>(system, 'POST', `/v1/connection-requests/${created.requestId}/check`, { token: alice });
    expect(check.body.check.outcome).toBe('not-waiting');
  });

  it('times out a host nobody sets up after the host wait (7 days), and rolls back', async () => {
    const created = await requestConnection('https://nobody-home.example.com');
    const waiting = await inStatus(created.requestId, 'WAITING_FOR_HOST_SETUP');
    await advance(7 * 24 * HOUR - 60);
    expect((await read(created.requestId)()).status).toBe('WAITING_FOR_HOST_SETUP');
    await advance(120);
    const timedOut = await inStatus(created.requestId, 'TIMED_OUT');
    expect(timedOut.failure?.code).toBe('HostSetupTimedOut');
    expect(timedOut.timeline.map((entry) => entry.message)).toContain(`Deleted host ${waiting.hostArn}.`);
  });
});
