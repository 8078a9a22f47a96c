import { CodeStarConnectionsClient, GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { InvalidToken, SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decideApproval, resumeWorkflow } from './decide.ts';
import { ApprovalStore, newApprovalId } from './store.ts';
import { BrokerStore } from '../request/store.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';

const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);
let table: Awaited<ReturnType<typeof startBrokerTable>>;
let approvals: ApprovalStore;
let store: BrokerStore;
let dependencies: Parameters<typeof decideApproval>[3];

beforeAll(async () => {
  table = await startBrokerTable();
  approvals = new ApprovalStore(table.documents, TEST_TABLE);
  store = new BrokerStore(table.documents, TEST_TABLE);
  dependencies = { aws: { connections: new CodeStarConnectionsClient({}), stepFunctions: new SFNClient({}) }, approvals, store };
});
afterAll(async () => {
  table.client.destroy();
  await table.dynamo.close();
});
beforeEach(() => {
  connections.reset();
  stepFunctions.reset();
  connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'AVAILABLE' } });
  stepFunctions.on(SendTaskSuccessCommand).resolves({});
  stepFunctions.on(SendTaskFailureCommand).resolves({});
});

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

async function pendingApproval() {
  const requestId = newApprovalId();
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status: 'WAITING_FOR_APPROVAL', requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, connectionArn: CONNECTION,
  });
  return approvals.open({ approvalId: newApprovalId(), requestId, taskToken: `token-${requestId}`, expiresAt: 0 });
}

const timedOut = () => new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} });

describe('deciding an approval', () => {
  it('resumes the workflow once, however many approvers click at the same time', async () => {
    const approval = await pendingApproval();
    const outcomes = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((user) => decideApproval(approval, 'approve', user, dependencies)));
    expect(outcomes.filter((outcome) => outcome.kind === 'decided')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'already-decided')).toHaveLength(3);
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe(approval.taskToken);
    expect((await store.getRequest(approval.requestId)).timeline.at(-1)?.message).toBe('Approved: the handshake is done.');
  });

  it('does not resume while the handshake is not done, and keeps the approval open', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'PENDING' } });
    const approval = await pendingApproval();
    const outcome = await decideApproval(approval, 'approve', 'u1', dependencies);
    expect(outcome).toMatchObject({ kind: 'handshake-pending', connectionStatus: 'PENDING' });
    expect(stepFunctions.calls()).toHaveLength(0);
    expect((await approvals.get(approval.approvalId))?.status).toBe('PENDING');
  });

  it('rejects with the Rejected error the state machine catches', async () => {
    const approval = await pendingApproval();
    await decideApproval(approval, 'reject', 'u9', dependencies);
    expect(stepFunctions.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({ error: 'Rejected', cause: 'Rejected by u9' });
    expect(connections.calls()).toHaveLength(0);
  });

  it('reports an approval whose wait timed out as expired, and records it so, though the request still reads WAITING_FOR_APPROVAL', async () => {
    stepFunctions.on(SendTaskSuccessCommand).rejects(timedOut());
    const approval = await pendingApproval();
    expect((await store.getRequest(approval.requestId)).status).toBe('WAITING_FOR_APPROVAL');
    expect(await decideApproval(approval, 'approve', 'u1', dependencies)).toEqual({ kind: 'already-decided', status: 'EXPIRED', tooLate: true });
    expect((await approvals.get(approval.approvalId))?.status).toBe('EXPIRED');
    expect((await store.getRequest(approval.requestId)).timeline).toEqual([]);
  });

  it('treats InvalidToken and TaskDoesNotExist like a timed-out token', async () => {
    stepFunctions.on(SendTaskFailureCommand).rejects(new InvalidToken({ message: 'Invalid token', $metadata: {} }));
    const approval = await pendingApproval();
    expect(await decideApproval(approval, 'reject', 'u1', dependencies)).toMatchObject({ kind: 'already-decided', status: 'EXPIRED' });
    stepFunctions.on(SendTaskSuccessCommand).rejects(new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} }));
    const other = await pendingApproval();
    expect(await decideApproval(other, 'approve', 'u1', dependencies)).toMatchObject({ kind: 'already-decided', status: 'EXPIRED' });
  });

  it.each([
    ['throttled', () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['unreachable', () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' })],
  ])('does not expire the approval when Step Functions is %s: the decision stands, fails loudly, and is delivered on a retry', async (_, failure) => {
    stepFunctions.on(SendTaskSuccessCommand).rejectsOnce(failure());
    const approval = await pendingApproval();
    await expect(decideApproval(approval, 'approve', 'u1', dependencies)).rejects.toThrow();
    const decided = await approvals.get(approval.approvalId);
    expect(decided).toMatchObject({ status: 'APPROVED', decidedBy: 'u1', taskToken: approval.taskToken });
    // Nothing said the wait is over: the workflow still gets the decision when it is handed over again.
    expect(await resumeWorkflow(decided!, new SFNClient({}))).toBe('resumed');
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual([approval.taskToken, approval.taskToken]);
    expect((await approvals.get(approval.approvalId))?.status).toBe('APPROVED');
  });

  it('rejects a throttled Reject the same way: still REJECTED, not EXPIRED', async () => {
    stepFunctions.on(SendTaskFailureCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const approval = await pendingApproval();
    await expect(decideApproval(approval, 'reject', 'u2', dependencies)).rejects.toThrow();
    expect((await approvals.get(approval.approvalId))?.status).toBe('REJECTED');
  });

  it('hands nothing to the workflow for an approval that has no decision', async () => {
    const approval = await pendingApproval();
    await expect(resumeWorkflow(approval, new SFNClient({}))).rejects.toThrow();
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('lets a retried wait that opens after the decision pass it on with its own token', async () => {
    const approval = await pendingApproval();
    expect(await decideApproval(approval, 'approve', 'u1', dependencies)).toMatchObject({ kind: 'decided' });
    const reopened = await approvals.open({ ...approval, taskToken: 'token-of-the-retry' });
    expect(reopened).toMatchObject({ status: 'APPROVED', decidedBy: 'u1', taskToken: 'token-of-the-retry' });
  });

  it('counts a decision as delivered when a retried wait re-pointed the approval while the old token was being answered', async () => {
    const approval = await pendingApproval();
    stepFunctions.on(SendTaskSuccessCommand).callsFake(async () => {
      // The re-point happened after the decision, so the retried wait saw it and passes it on.
      await approvals.open({ ...approval, taskToken: 'a-newer-token' });
      throw timedOut();
    });
    expect(await decideApproval(approval, 'approve', 'u1', dependencies)).toMatchObject({ kind: 'decided' });
    expect((await approvals.get(approval.approvalId))?.status).toBe('APPROVED');
  });

  it('resumes with the token of the wait current at the moment of the decision', async () => {
    const approval = await pendingApproval();
    await approvals.open({ ...approval, taskToken: 'token-of-the-retry' });
    await decideApproval(approval, 'approve', 'u1', dependencies);
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.taskToken).toBe('token-of-the-retry');
  });

  it('approves without asking AWS again when the caller has just seen the connection AVAILABLE, in the caller’s words', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'PENDING' } });
    const approval = await pendingApproval();
    const outcome = await decideApproval(approval, 'approve', 'aws-console', dependencies, { seenAvailable: true, timelineMessage: 'Approved: the handshake is done in the AWS console.' });
    expect(outcome).toMatchObject({ kind: 'decided', approval: { status: 'APPROVED', decidedBy: 'aws-console' } });
    expect(connections.calls()).toHaveLength(0);
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect((await store.getRequest(approval.requestId)).timeline.at(-1)).toMatchObject({ actor: 'aws-console', message: 'Approved: the handshake is done in the AWS console.' });
  });
});

describe('deciding an approval: what is asked and what is handed on', () => {
  it('asks AWS about this request’s connection, and keeps the approval open while AWS shows no connection', async () => {
    connections.on(GetConnectionCommand).resolves({});
    const approval = await pendingApproval();
    expect(await decideApproval(approval, 'approve', 'u1', dependencies)).toMatchObject({ kind: 'handshake-pending', connectionStatus: 'UNKNOWN' });
    expect(connections.commandCalls(GetConnectionCommand)[0]!.args[0].input).toEqual({ ConnectionArn: CONNECTION });
    expect((await approvals.get(approval.approvalId))?.status).toBe('PENDING');
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('changes nothing and asks nobody for an approval already decided', async () => {
    const approval = await pendingApproval();
    const decided = { ...approval, status: 'REJECTED' as const, decidedBy: 'u0' };
    expect(await decideApproval(decided, 'approve', 'u1', dependencies)).toEqual({ kind: 'already-decided', status: 'REJECTED', decidedBy: 'u0' });
    expect(connections.calls()).toHaveLength(0);
    expect(stepFunctions.calls()).toHaveLength(0);
    expect((await approvals.get(approval.approvalId))?.status).toBe('PENDING');
  });

  it('hands the workflow who decided and when', async () => {
    const approval = await pendingApproval();
    const outcome = await decideApproval(approval, 'approve', 'u1', dependencies);
    expect(outcome.kind).toBe('decided');
    const { decidedAt } = (outcome as { approval: { decidedAt?: string } }).approval;
    expect(JSON.parse(String(stepFunctions.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output))).toEqual({ decidedBy: 'u1', decidedAt });
    expect(decidedAt).toEqual(expect.any(String));
  });

  it('records a rejection on the timeline as the approval step, by who rejected', async () => {
    const approval = await pendingApproval();
    expect(await decideApproval(approval, 'reject', 'u9', dependencies)).toMatchObject({ kind: 'decided', approval: { status: 'REJECTED', decidedBy: 'u9' } });
    expect((await store.getRequest(approval.requestId)).timeline).toEqual([expect.objectContaining({ step: 'approval', actor: 'u9', message: 'Rejected.' })]);
  });

  it('reports an approval that vanished while it was being decided as expired', async () => {
    const approval = await pendingApproval();
    const lost = vi.spyOn(approvals, 'decide').mockResolvedValueOnce(undefined);
    const gone = vi.spyOn(approvals, 'get').mockResolvedValueOnce(undefined);
    try {
      expect(await decideApproval(approval, 'approve', 'u1', dependencies)).toEqual({ kind: 'already-decided', status: 'EXPIRED', decidedBy: undefined });
    } finally {
      lost.mockRestore();
      gone.mockRestore();
    }
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('expires a decision whose token closed when the approval record is gone as well', async () => {
    stepFunctions.on(SendTaskSuccessCommand).rejects(timedOut());
    const approval = await pendingApproval();
    // The record is removed (its TTL) right after the decision was written.
    const gone = vi.spyOn(approvals, 'get').mockResolvedValue(undefined);
    try {
      expect(await decideApproval(approval, 'approve', 'u1', dependencies)).toEqual({ kind: 'already-decided', status: 'EXPIRED', tooLate: true });
    } finally {
      gone.mockRestore();
    }
  });
});
