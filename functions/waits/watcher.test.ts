import {
  CodeStarConnectionsClient,
  GetConnectionCommand,
  ListConnectionsCommand,
  ListHostsCommand,
  type Connection,
  type ConnectionStatus,
  type Host } from '@aws-sdk/client-codestar-connections';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalStore } from '../approval/store.ts';
import type { RequestStatus } from '../request/model.ts';
import type { BrokerStore } from '../request/store.ts';
import { handler as watcher, type SweepSummary } from './watcher.ts';
import type { WaitStore} from './wait-store.ts';
import { type WaitRecord } from './wait-store.ts';
import { handler as requestApproval } from '../approval/request-approval.ts';
import { handler as awaitHostSetup } from '../host/wait-for-host.ts';
import { useWorkflowSteps } from '../../test/helpers/workflow-steps.ts';

/**
 * The watcher's sweep: the waits in a real (in-memory) DynamoDB table, CodeConnections and Step
 * Functions answered by aws-sdk-client-mock, so the test sees every AWS call the sweep makes and
 * can make AWS answer as it does when a wait raced a timeout, or when it throttles.
 */

const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);
let store: BrokerStore;
let approvals: ApprovalStore;
let waits: WaitStore;
/** The DynamoDB commands the sweep sent, by name. */
let tableCommands: string[];

const ACCOUNT_ARN = 'arn:aws:codestar-connections:us-east-1:111111111111';
const hostArn = (index: number) => `${ACCOUNT_ARN}:host/ghe-${String(index).padStart(4, '0')}-0a1b2c3d`;
const connectionArn = (index: number) => `${ACCOUNT_ARN}:connection/7d2469ff-514a-4e4f-9003-${String(index).padStart(12, '0')}`;

/** What AWS lists: ListHosts and ListConnections answer 100 a page, as the sweep asks. */
let hosts: Host[];
let listedConnections: Connection[];

function page<T>(items: T[], input: { MaxResults?: number; NextToken?: string }): { items: T[]; NextToken?: string } {
  const start = Number(input.NextToken ?? 0);
  const size = Math.min(input.MaxResults ?? 50, 100);
  const end = start + size;
  return { items: items.slice(start, end), NextToken: end < items.length ? String(end) : undefined };
}

// The functions' own document client, counted; the test's stores use the table's directly.
const steps = useWorkflowSteps({
  documents: (documents) => {
    const counted = Object.create(documents) as typeof documents;
    counted.send = ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      tableCommands.push(command.constructor.name);
      return (documents.send as (...args: unknown[]) => unknown).call(documents, command, ...rest);
    }) as typeof documents.send;
    return counted;
  } });
beforeAll(() => ({ store, approvals, waits } = steps));
beforeEach(async () => {
  for (const wait of (await waits.all()).waits) await waits.end(wait.requestId, wait.kind);
  tableCommands = [];
  hosts = [];
  listedConnections = [];
  connections.reset();
  stepFunctions.reset();
  connections.on(ListHostsCommand).callsFake(async (input) => {
    const { items, NextToken } = page(hosts, input);
    return { Hosts: items, NextToken };
  });
  connections.on(ListConnectionsCommand).callsFake(async (input) => {
    const { items, NextToken } = page(listedConnections, input);
    return { Connections: items, NextToken };
  });
  stepFunctions.on(SendTaskSuccessCommand).resolves({});
  stepFunctions.on(SendTaskFailureCommand).resolves({});
});

let requests = 0;
async function request(status: RequestStatus, extra: Record<string, unknown> = {}): Promise<string> {
  const requestId = `watched-${++requests}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status, requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, ...extra });
  return requestId;
}

function hostWait(requestId: string, arn: string, extra: Partial<WaitRecord> = {}): WaitRecord {
  const since = new Date(Date.now() - 60_000).toISOString();
  return { requestId, kind: 'host-setup', resourceArn: arn, since, deadline: new Date(Date.now() + 86_400_000).toISOString(), taskToken: `token-${requestId}`, expiresAt: 0, ...extra };
}

/** A request waiting for its host to be set up (the real AwaitHostSetup step), and the host as AWS lists it. */
async function waitingForHost(index: number, status: string, extra: Partial<Host> = {}): Promise<{ requestId: string; wait: WaitRecord }> {
  const arn = hostArn(index);
  const requestId = await request('PROVISIONING_HOST', { hostArn: arn });
  await awaitHostSetup({ requestId, host: { hostArn: arn, status: 'PENDING' }, taskToken: `host-token-${requestId}` });
  hosts.push({ HostArn: arn, Name: `ghe-${index}`, ProviderType: 'GitHubEnterpriseServer', Status: status, ...extra });
  const [wait] = await waits.forRequest(requestId);
  return { requestId, wait: wait! };
}

/** A request whose approvers were asked (the real AwaitHandshake step), and its connection as AWS lists it. */
async function waitingForHandshake(index: number, status: string): Promise<{ requestId: string; approvalId: string; taskToken: string }> {
  const arn = connectionArn(index);
  const requestId = await request('CREATING_CONNECTION', { connectionArn: arn });
  const taskToken = `approval-token-${requestId}`;
  await requestApproval({ requestId, taskToken });
  listedConnections.push({ ConnectionArn: arn, ConnectionName: `c-${index}`, ConnectionStatus: status as ConnectionStatus });
  return { requestId, approvalId: (await store.getRequest(requestId)).approvalId!, taskToken };
}

const nothingDone = { resumed: 0, failed: 0, notified: 0, closed: 0, errors: 0 };

async function sweep(): Promise<SweepSummary> {
  tableCommands = [];
  return watcher();
}

describe('a sweep with nobody waiting', () => {
  it('makes one DynamoDB query and no other call', async () => {
    await request('WAITING_FOR_HOST_SETUP');
    hosts.push({ HostArn: hostArn(1), Status: 'AVAILABLE' });
    expect(await sweep()).toEqual({ waiting: 0, calls: { query: 1, listHosts: 0, listConnections: 0 }, ...nothingDone });
    expect(tableCommands).toEqual(['QueryCommand']);
    expect(connections.calls()).toHaveLength(0);
    expect(stepFunctions.calls()).toHaveLength(0);
  });
});

describe('what a sweep costs', () => {
  it.each([1, 40, 200])('lists 250 hosts in 3 pages, whether %i requests wait on them, and acts on none still PENDING', async (waiting) => {
    for (let index = 0; index < waiting; index++) await waits.begin(hostWait(`cost-${waiting}-${index}`, hostArn(index)));
    hosts = Array.from({ length: 250 }, (_, index) => ({ HostArn: hostArn(index), Status: 'PENDING' }));
    const summary = await sweep();
    expect(summary).toEqual({ waiting, calls: { query: 1, listHosts: 3, listConnections: 0 }, ...nothingDone });
    expect(connections.commandCalls(ListHostsCommand).map((call) => call.args[0].input)).toEqual([
      { MaxResults: 100, NextToken: undefined },
      { MaxResults: 100, NextToken: '100' },
      { MaxResults: 100, NextToken: '200' },
    ]);
    expect(connections.calls()).toHaveLength(3);
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(tableCommands).toEqual(['QueryCommand']);
  });

  it('lists connections only when someone waits for a handshake, and hosts only when someone waits for a host', async () => {
    await waitingForHandshake(1, 'PENDING');
    listedConnections.push(...Array.from({ length: 150 }, (_, index): Connection => ({ ConnectionArn: connectionArn(1000 + index), ConnectionStatus: 'PENDING' })));
    expect((await sweep()).calls).toEqual({ query: 1, listHosts: 0, listConnections: 2 });
    await waitingForHost(2, 'PENDING');
    expect((await sweep()).calls).toEqual({ query: 1, listHosts: 1, listConnections: 2 });
  });
});

describe('a sweep that finds a host set up', () => {
  it('resumes the waiting state with the wait’s own token, says so on the request, and ends the wait', async () => {
    const { requestId, wait } = await waitingForHost(1, 'AVAILABLE');
    const unmoved = await waitingForHost(2, 'PENDING');

    expect(await sweep()).toMatchObject({ waiting: 2, resumed: 1, failed: 0, closed: 0, errors: 0 });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: wait.taskToken, output: JSON.stringify({ status: 'AVAILABLE', noticedBy: 'watcher' }) },
    ]);
    expect(await waits.forRequest(requestId)).toEqual([]);
    expect(await waits.forRequest(unmoved.requestId)).toHaveLength(1);
    const record = await store.getRequest(requestId);
    expect(record.timeline.map((entry) => [entry.actor, entry.message]).slice(1)).toEqual([
      ['aws-console', `Host ${hostArn(1)} is AVAILABLE (noticed by the watcher).`],
    ]);
    expect(record.waitingFor).toBeUndefined();

    // The next sweep has nothing more to do for it.
    expect(await sweep()).toMatchObject({ waiting: 1, ...nothingDone });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('matches a host AWS lists under the other ARN prefix', async () => {
    const { wait } = await waitingForHost(1, 'PENDING');
    hosts = [{ HostArn: hostArn(1).replace(':codestar-connections:', ':codeconnections:'), Status: 'AVAILABLE' }];
    expect(await sweep()).toMatchObject({ resumed: 1 });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe(wait.taskToken);
  });

  it.each([
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} })],
  ])('counts a resume that meets a closed token (%s: timed out, cancelled) as closed, and ends the wait', async (_name, closedToken) => {
    stepFunctions.on(SendTaskSuccessCommand).rejects(closedToken());
    const { requestId } = await waitingForHost(1, 'AVAILABLE');
    expect(await sweep()).toMatchObject({ waiting: 1, resumed: 0, closed: 1, errors: 0 });
    expect(await waits.forRequest(requestId)).toEqual([]);
  });

  it('leaves a wait whose resume failed for another reason to the next sweep, and still acts on the others', async () => {
    const failing = await waitingForHost(1, 'AVAILABLE');
    const fine = await waitingForHost(2, 'AVAILABLE');
    stepFunctions.on(SendTaskSuccessCommand, { taskToken: failing.wait.taskToken }).rejects(Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' }));
    expect(await sweep()).toMatchObject({ waiting: 2, resumed: 1, errors: 1 });
    expect(await waits.forRequest(failing.requestId)).toHaveLength(1);
    expect(await waits.forRequest(fine.requestId)).toEqual([]);

    stepFunctions.on(SendTaskSuccessCommand, { taskToken: failing.wait.taskToken }).resolves({});
    expect(await sweep()).toMatchObject({ waiting: 1, resumed: 1, errors: 0 });
    expect(await waits.forRequest(failing.requestId)).toEqual([]);
    // Said once, though it took two sweeps.
    expect((await store.getRequest(failing.requestId)).timeline.filter((entry) => entry.message.includes('is AVAILABLE'))).toHaveLength(1);
  });
});

describe('a sweep that finds a host that will never be AVAILABLE', () => {
  it('fails the waiting state with VpcInitializationFailed and AWS’s StatusMessage, and ends the wait', async () => {
    const { requestId, wait } = await waitingForHost(1, 'VPC_CONFIG_FAILED_INITIALIZATION', { StatusMessage: 'The subnet subnet-0abc is not in vpc-0def.' });
    expect(await sweep()).toMatchObject({ failed: 1, resumed: 0 });
    const [failure] = stepFunctions.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failure).toMatchObject({ taskToken: wait.taskToken, error: 'VpcInitializationFailed' });
    expect(failure!.cause).toContain('The subnet subnet-0abc is not in vpc-0def.');
    expect(await waits.forRequest(requestId)).toEqual([]);
  });
});

describe('a sweep that AWS throttles', () => {
  it('throws, and changes nothing: no resume, no notice, every wait still there', async () => {
    const host = await waitingForHost(1, 'AVAILABLE');
    const handshake = await waitingForHandshake(2, 'AVAILABLE');
    const before = [await waits.forRequest(host.requestId), await waits.forRequest(handshake.requestId)];
    connections.on(ListHostsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(sweep()).rejects.toThrow('Rate exceeded');
    expect(stepFunctions.calls()).toHaveLength(0);
    expect([await waits.forRequest(host.requestId), await waits.forRequest(handshake.requestId)]).toEqual(before);
    expect(tableCommands).toEqual(['QueryCommand']);
    expect((await approvals.get(handshake.approvalId))?.status).toBe('PENDING');
  });
});

describe('a sweep that finds a handshake done', () => {
  it('in APPROVAL_MODE=handshake approves as the AWS console, resumes with the approval’s token, and ends the wait', async () => {
    const { requestId, approvalId, taskToken } = await waitingForHandshake(1, 'AVAILABLE');
    expect(await sweep()).toMatchObject({ waiting: 1, resumed: 1, errors: 0 });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual([taskToken]);
    expect(await approvals.get(approvalId)).toMatchObject({ status: 'APPROVED', decidedBy: 'aws-console' });
    // It has just seen the connection AVAILABLE in the list: no GetConnection per request.
    expect(connections.commandCalls(GetConnectionCommand)).toHaveLength(0);
    expect(await waits.forRequest(requestId)).toEqual([]);
    expect((await store.getRequest(requestId)).timeline.at(-1)).toMatchObject({
      actor: 'aws-console',
      message: 'Approved: the handshake is done in the AWS console and the connection is AVAILABLE (noticed by the watcher; APPROVAL_MODE=handshake).' });
  });

  it('passes on an approver’s decision that never reached the workflow, instead of approving over it', async () => {
    const { requestId, approvalId, taskToken } = await waitingForHandshake(1, 'AVAILABLE');
    // Rejected, but the SendTaskFailure that should have followed was lost.
    await approvals.decide(approvalId, 'REJECTED', 'slack:U0APPROVER');
    expect(await sweep()).toMatchObject({ resumed: 1, closed: 0 });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(stepFunctions.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken, error: 'Rejected', cause: 'Rejected by slack:U0APPROVER' },
    ]);
    expect(await approvals.get(approvalId)).toMatchObject({ status: 'REJECTED', decidedBy: 'slack:U0APPROVER' });
    expect(await waits.forRequest(requestId)).toEqual([]);
  });

  it('counts a handshake whose approval has expired, or whose decision meets a closed token, as closed', async () => {
    const expired = await waitingForHandshake(1, 'AVAILABLE');
    await approvals.decide(expired.approvalId, 'EXPIRED', 'system');
    const late = await waitingForHandshake(2, 'AVAILABLE');
    await approvals.decide(late.approvalId, 'APPROVED', 'slack:U0APPROVER');
    stepFunctions.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    expect(await sweep()).toMatchObject({ waiting: 2, resumed: 0, closed: 2, errors: 0 });
    expect(await waits.forRequest(expired.requestId)).toEqual([]);
    expect(await waits.forRequest(late.requestId)).toEqual([]);
  });

  it('fails the approval wait with ConnectionInError when the connection is in ERROR', async () => {
    const { taskToken } = await waitingForHandshake(1, 'ERROR');
    expect(await sweep()).toMatchObject({ failed: 1 });
    expect(stepFunctions.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({ taskToken, error: 'ConnectionInError' });
  });
});

describe('a sweep during a long approval wait', () => {
  it('sends the reminder when it is due, once, and the escalation later, once', async () => {
    const { requestId } = await waitingForHandshake(1, 'PENDING');
    const [wait] = await waits.forRequest(requestId);
    await waits.begin({ ...wait!, since: new Date(Date.now() - 25 * 3600_000).toISOString() });

    expect(await sweep()).toMatchObject({ notified: 1, resumed: 0 });
    expect((await waits.forRequest(requestId))[0]!.remindedAt).toBeDefined();
    expect(await sweep()).toMatchObject({ notified: 0 });

    const [reminded] = await waits.forRequest(requestId);
    await waits.begin({ ...reminded!, since: new Date(Date.now() - 49 * 3600_000).toISOString() });
    expect(await sweep()).toMatchObject({ notified: 1 });
    expect(await sweep()).toMatchObject({ notified: 0 });

    const notes = (await store.getRequest(requestId)).timeline.map((entry) => entry.message);
    expect(notes.filter((note) => note.startsWith('Reminded the approvers'))).toHaveLength(1);
    expect(notes.filter((note) => note.startsWith('Escalated to'))).toHaveLength(1);
    expect(stepFunctions.calls()).toHaveLength(0);
  });
});
