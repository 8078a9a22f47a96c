import {
  CodeStarConnectionsClient,
  GetConnectionCommand,
  GetHostCommand,
  ListHostsCommand,
  ResourceNotFoundException,
  type ConnectionStatus } from '@aws-sdk/client-codestar-connections';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalStore } from '../approval/store.ts';
import type { RequestStatus } from '../request/model.ts';
import type { BrokerStore } from '../request/store.ts';
import { checkMessage, checkRequest } from './check.ts';
import type { WaitStore } from './wait-store.ts';
import { handler as requestApproval } from '../approval/request-approval.ts';
import { handler as awaitHostSetup } from '../host/wait-for-host.ts';
import { configureSteps, useWorkflowSteps } from '../../test/helpers/workflow-steps.ts';

/**
 * "Done — check now" (Slack) and POST …/check: one request's host or connection looked at at once,
 * acted on as the minute sweep would. Real table; CodeConnections and Step Functions mocked.
 */

const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);
let store: BrokerStore;
let approvals: ApprovalStore;
let waits: WaitStore;

const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d';
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

function configure(mode: 'handshake' | 'explicit'): void {
  configureSteps({ APPROVAL_MODE: mode });
}

const steps = useWorkflowSteps();
beforeAll(() => ({ store, approvals, waits } = steps));
beforeEach(() => {
  configure('handshake');
  connections.reset();
  stepFunctions.reset();
  stepFunctions.on(SendTaskSuccessCommand).resolves({});
  stepFunctions.on(SendTaskFailureCommand).resolves({});
});

let requests = 0;
async function request(status: RequestStatus, extra: Record<string, unknown> = {}): Promise<string> {
  const requestId = `checked-${++requests}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status, requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, ...extra });
  return requestId;
}

async function waitingForHost(): Promise<string> {
  const requestId = await request('PROVISIONING_HOST', { hostArn: HOST });
  await awaitHostSetup({ requestId, host: { hostArn: HOST, status: 'PENDING' }, taskToken: `host-token-${requestId}` });
  return requestId;
}

async function waitingForHandshake(): Promise<string> {
  const requestId = await request('CREATING_CONNECTION', { connectionArn: CONNECTION });
  await requestApproval({ requestId, taskToken: `approval-token-${requestId}` });
  return requestId;
}

const host = (Status: string) => connections.on(GetHostCommand, { HostArn: HOST }).resolves({ Name: 'h', Status });
const connection = (status: ConnectionStatus) => connections.on(GetConnectionCommand, { ConnectionArn: CONNECTION }).resolves({ Connection: { ConnectionArn: CONNECTION, ConnectionStatus: status } });

describe('checking a request now', () => {
  it('finds nothing to check when the request waits for nobody', async () => {
    const requestId = await request('ATTACHING_PIPELINE');
    const check = await checkRequest(requestId, 'alice');
    expect(check).toEqual({ outcome: 'not-waiting' });
    expect(connections.calls()).toHaveLength(0);
    expect(checkMessage(check, 'ATTACHING_PIPELINE')).toBe('Request is ATTACHING_PIPELINE: it is not waiting for a step in the AWS console, so there was nothing to check.');
  });

  it('says a host still PENDING is not set up yet, and changes nothing', async () => {
    const requestId = await waitingForHost();
    host('PENDING');
    const check = await checkRequest(requestId, 'slack:U0ADMIN');
    expect(check).toEqual({ outcome: 'still-waiting', waitingOn: 'host-setup', resourceArn: HOST, resourceStatus: 'PENDING' });
    expect(checkMessage(check, 'WAITING_FOR_HOST_SETUP')).toBe('The host is still PENDING: the console step is not finished yet. The broker keeps looking every minute.');
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(await waits.forRequest(requestId)).toHaveLength(1);
    expect(connections.commandCalls(ListHostsCommand)).toHaveLength(0);
  });

  it('resumes a request whose host is AVAILABLE at once, saying who asked', async () => {
    const requestId = await waitingForHost();
    host('AVAILABLE');
    const check = await checkRequest(requestId, 'slack:U0ADMIN');
    expect(check).toMatchObject({ outcome: 'resumed', waitingOn: 'host-setup' });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: `host-token-${requestId}`, output: JSON.stringify({ status: 'AVAILABLE', noticedBy: 'slack:U0ADMIN' }) },
    ]);
    expect((await store.getRequest(requestId)).timeline.at(-1)?.message).toBe(`Host ${HOST} is AVAILABLE (noticed when slack:U0ADMIN asked to check).`);
    expect(await waits.forRequest(requestId)).toEqual([]);
    expect(checkMessage(check, 'WAITING_FOR_HOST_SETUP')).toBe('The host is AVAILABLE: the request goes on and creates the connection.');
    // Asked again: the request no longer waits.
    expect(await checkRequest(requestId, 'slack:U0ADMIN')).toEqual({ outcome: 'not-waiting' });
  });

  it('fails a request whose VPC host failed to initialize, with the reason only ListHosts gives', async () => {
    const requestId = await waitingForHost();
    host('VPC_CONFIG_FAILED_INITIALIZATION');
    connections.on(ListHostsCommand).resolves({ Hosts: [{ HostArn: HOST, Status: 'VPC_CONFIG_FAILED_INITIALIZATION', StatusMessage: 'subnet-0abc is not in vpc-0def' }] });
    const check = await checkRequest(requestId, 'alice');
    expect(check).toMatchObject({ outcome: 'failed', resourceStatus: 'VPC_CONFIG_FAILED_INITIALIZATION' });
    const [failure] = stepFunctions.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failure).toMatchObject({ taskToken: `host-token-${requestId}`, error: 'VpcInitializationFailed' });
    expect(failure!.cause).toContain('subnet-0abc is not in vpc-0def');
    expect(checkMessage(check, 'WAITING_FOR_HOST_SETUP')).toBe(
      'The host is VPC_CONFIG_FAILED_INITIALIZATION and will not become AVAILABLE: the request fails with AWS\'s reason and is rolled back.',
    );
  });

  it('keeps waiting on a host AWS does not find, while the wait is young', async () => {
    const requestId = await waitingForHost();
    connections.on(GetHostCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    expect(await checkRequest(requestId, 'alice')).toEqual({ outcome: 'still-waiting', waitingOn: 'host-setup', resourceArn: HOST, resourceStatus: 'NOT_FOUND' });
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('approves a request whose handshake is done (APPROVAL_MODE=handshake)', async () => {
    const requestId = await waitingForHandshake();
    connection('AVAILABLE');
    const check = await checkRequest(requestId, 'bob');
    expect(check).toMatchObject({ outcome: 'resumed', waitingOn: 'handshake', resourceStatus: 'AVAILABLE' });
    const { approvalId } = await store.getRequest(requestId);
    expect(await approvals.get(approvalId!)).toMatchObject({ status: 'APPROVED', decidedBy: 'aws-console' });
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual([`approval-token-${requestId}`]);
    expect((await store.getRequest(requestId)).timeline.at(-1)?.message).toContain('noticed when bob asked to check');
  });

  it('in APPROVAL_MODE=explicit says the finished handshake still needs an approver, and approves nothing', async () => {
    configure('explicit');
    const requestId = await waitingForHandshake();
    connection('AVAILABLE');
    const check = await checkRequest(requestId, 'bob');
    expect(check).toMatchObject({ outcome: 'needs-approval', waitingOn: 'handshake', resourceStatus: 'AVAILABLE' });
    expect(checkMessage(check, 'WAITING_FOR_APPROVAL')).toBe('The connection is AVAILABLE: an approver must now approve it (APPROVAL_MODE=explicit).');
    const { approvalId } = await store.getRequest(requestId);
    expect((await approvals.get(approvalId!))?.status).toBe('PENDING');
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(await waits.forRequest(requestId)).toHaveLength(1);
  });
});
