import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalStore } from './store.ts';
import type { BrokerStore } from '../request/store.ts';
import type { WaitStore } from '../waits/wait-store.ts';
import { ApprovalClosedError, handler, sendApprovalNotice } from './request-approval.ts';
import { configureSteps, useWorkflowSteps } from '../../test/helpers/workflow-steps.ts';

/**
 * The approval wait without Slack (no credentials configured): the AwaitHandshake step asks once
 * and records one handshake wait; a retried attempt re-points the same approval at its new token;
 * the reminder and escalation are sent (once each) by whoever calls sendApprovalNotice, i.e. the watcher.
 */
const stepFunctions = mockClient(SFNClient);
let store: BrokerStore;
let approvals: ApprovalStore;
let waits: WaitStore;

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const HOUR = 3600;


const steps = useWorkflowSteps();
beforeAll(() => ({ store, approvals, waits } = steps));
beforeEach(() => {
  configureSteps({ APPROVAL_MODE: '' });
  stepFunctions.reset();
  stepFunctions.on(SendTaskSuccessCommand).resolves({});
  stepFunctions.on(SendTaskFailureCommand).resolves({});
});

let requests = 0;
async function connectionCreated(): Promise<string> {
  const requestId = `approval-request-${++requests}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status: 'CREATING_CONNECTION', requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, connectionArn: CONNECTION });
  return requestId;
}

const messages = async (requestId: string) => (await store.getRequest(requestId)).timeline.map((entry) => entry.message);

describe('the approval wait', () => {
  it('asks once, and records one handshake wait on the connection until the approval times out', async () => {
    const before = Date.now();
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-1' });
    const record = await store.getRequest(requestId);
    expect(record.status).toBe('WAITING_FOR_APPROVAL');
    expect(record.approvalId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await approvals.get(record.approvalId!)).toMatchObject({ taskToken: 'token-1', status: 'PENDING' });

    const [wait, ...others] = await waits.forRequest(requestId);
    expect(others).toEqual([]);
    expect(wait).toMatchObject({ requestId, kind: 'handshake', resourceArn: CONNECTION, approvalId: record.approvalId, availableApproves: true });
    // The token stays with the approval; the wait does not carry a copy of it.
    expect(wait!.taskToken).toBeUndefined();
    expect(Date.parse(wait!.since)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(wait!.deadline) - Date.parse(wait!.since)).toBe(72 * HOUR * 1000);
    expect(wait!.since).toBe(record.waitingFor?.since);

    expect(await messages(requestId)).toEqual([
      'Asked the approvers: A GitHub organization owner must choose "Update pending connection" in the AWS console for connection c.',
    ]);
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('in APPROVAL_MODE=explicit records that AVAILABLE alone does not approve, and asks for the approval too', async () => {
    configureSteps({ APPROVAL_MODE: 'explicit' });
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-1' });
    expect(await waits.forRequest(requestId)).toEqual([expect.objectContaining({ kind: 'handshake', availableApproves: false })]);
    expect(await messages(requestId)).toEqual([
      'Asked the approvers: A GitHub organization owner must choose "Update pending connection" in the AWS console for connection c, then an approver must approve it.',
    ]);
  });

  it('re-points the same approval at a retried attempt’s token, keeps when the wait began, and does not ask twice', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-1' });
    const [first] = await waits.forRequest(requestId);
    const { approvalId } = await store.getRequest(requestId);
    await handler({ requestId, taskToken: 'token-2' });
    expect(await approvals.get(approvalId!)).toMatchObject({ taskToken: 'token-2', status: 'PENDING' });
    expect((await approvals.forRequest(requestId)).map((each) => each.approvalId)).toEqual([approvalId]);
    const [second, ...others] = await waits.forRequest(requestId);
    expect(others).toEqual([]);
    expect(second).toMatchObject({ since: first!.since, deadline: first!.deadline, approvalId });
    expect(await messages(requestId)).toHaveLength(1);
  });

  it('passes on a decision taken while no attempt was listening, with the new attempt’s token', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-1' });
    const { approvalId } = await store.getRequest(requestId);
    await approvals.decide(approvalId!, 'REJECTED', 'slack:U0APPROVER');

    await handler({ requestId, taskToken: 'token-2' });
    expect(stepFunctions.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: 'token-2', error: 'Rejected', cause: 'Rejected by slack:U0APPROVER' },
    ]);
  });

  it('refuses to wait on an approval that was already closed', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 't1' });
    const { approvalId } = await store.getRequest(requestId);
    await approvals.decide(approvalId!, 'EXPIRED', 'system');
    await expect(handler({ requestId, taskToken: 't2' })).rejects.toBeInstanceOf(ApprovalClosedError);
  });
});

describe('the reminder and the escalation the watcher sends', () => {
  it('are each sent once, whoever asks how often, and are recorded on the request', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-1' });
    const { approvalId } = await store.getRequest(requestId);

    expect(await Promise.all([sendApprovalNotice(requestId, approvalId!, 'reminder'), sendApprovalNotice(requestId, approvalId!, 'reminder')])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await sendApprovalNotice(requestId, approvalId!, 'escalation')).toBe(true);
    expect(await sendApprovalNotice(requestId, approvalId!, 'escalation')).toBe(false);

    const approval = await approvals.get(approvalId!);
    expect(approval?.remindedAt).toBeDefined();
    expect(approval?.escalatedAt).toBeDefined();
    expect(await messages(requestId)).toEqual([
      'Asked the approvers: A GitHub organization owner must choose "Update pending connection" in the AWS console for connection c.',
      'Reminded the approvers: no decision after 24 hours.',
      'Escalated to the admins: no decision after 48 hours.',
    ]);
    expect((await store.getRequest(requestId)).waitingFor?.who).toBe('approvers (admin API); escalated to the admins');
    // Notices never resume the workflow.
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('are not sent once the approval is decided', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-1' });
    const { approvalId } = await store.getRequest(requestId);
    await approvals.decide(approvalId!, 'APPROVED', 'slack:U0APPROVER');
    expect(await sendApprovalNotice(requestId, approvalId!, 'reminder')).toBe(false);
    expect(await sendApprovalNotice(requestId, approvalId!, 'escalation')).toBe(false);
    expect(await messages(requestId)).toHaveLength(1);
  });
});
