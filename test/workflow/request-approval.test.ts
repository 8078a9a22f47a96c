import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApprovalStore } from '../../functions/requests/approvals.ts';
import { BrokerStore } from '../../functions/requests/store.ts';
import { setClients } from '../../functions/shared/clients.ts';
import { workflowClients } from '../helpers/workflow-clients.ts';
import { resetConfig } from '../../functions/shared/config.ts';
import { ApprovalClosedError, handler } from '../../functions/workflow/request-approval.ts';
import { resetWorkflowContext } from '../../functions/workflow/context.ts';
import { startBrokerTable, TEST_TABLE } from '../helpers/broker-table.ts';

/**
 * The approval stages without Slack (no credentials configured): one approval id for the whole
 * wait, re-pointed at each stage's token, and a decision taken between two stages passed on.
 */
const stepFunctions = mockClient(SFNClient);
let table: Awaited<ReturnType<typeof startBrokerTable>>;
let store: BrokerStore;
let approvals: ApprovalStore;

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

beforeAll(async () => {
  table = await startBrokerTable();
  store = new BrokerStore(table.documents, TEST_TABLE);
  approvals = new ApprovalStore(table.documents, TEST_TABLE);
  vi.stubEnv('TABLE_NAME', TEST_TABLE);
  vi.stubEnv('SLACK_SECRET_ID', '');
  vi.stubEnv('SLACK_BOT_TOKEN', '');
  vi.stubEnv('SLACK_SIGNING_SECRET', '');
  resetConfig();
  resetWorkflowContext();
  const clients = workflowClients(table.documents);
  setClients(clients);
});
afterAll(async () => {
  setClients(undefined);
  resetWorkflowContext();
  resetConfig();
  vi.unstubAllEnvs();
  table.client.destroy();
  await table.dynamo.close();
});
beforeEach(() => {
  stepFunctions.reset();
  stepFunctions.on(SendTaskSuccessCommand).resolves({});
  stepFunctions.on(SendTaskFailureCommand).resolves({});
});

let requests = 0;
async function connectionCreated(): Promise<string> {
  const requestId = `stage-request-${++requests}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status: 'CREATING_CONNECTION', requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, connectionArn: CONNECTION,
  });
  return requestId;
}

describe('the approval stages', () => {
  it('keep one approval id for the whole wait and point it at each stage’s token', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-request', stage: 'request' });
    const record = await store.getRequest(requestId);
    expect(record.status).toBe('WAITING_FOR_APPROVAL');
    expect(record.approvalId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    await handler({ requestId, taskToken: 'token-reminder', stage: 'reminder' });
    await handler({ requestId, taskToken: 'token-escalation', stage: 'escalation' });
    const approval = await approvals.get(record.approvalId!);
    expect(approval).toMatchObject({ taskToken: 'token-escalation', stage: 'escalation', status: 'PENDING' });
    expect(approval?.remindedAt).toBeDefined();
    expect(approval?.escalatedAt).toBeDefined();
    expect((await approvals.forRequest(requestId)).map((each) => each.approvalId)).toEqual([record.approvalId]);
    const notes = (await store.getRequest(requestId)).timeline.map((entry) => entry.message);
    expect(notes).toEqual([
      'Asked the approvers: A GitHub organization owner must choose "Update pending connection" in the AWS console for connection c, then an approver must approve it.',
      'Reminded the approvers: no decision after 24 hours.',
      'Escalated to the admins: no decision after 48 hours.',
    ]);
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('send the reminder once, however often a stage is retried', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 't1', stage: 'request' });
    await handler({ requestId, taskToken: 't2', stage: 'reminder' });
    await handler({ requestId, taskToken: 't3', stage: 'reminder' });
    const reminders = (await store.getRequest(requestId)).timeline.filter((entry) => entry.message.startsWith('Reminded'));
    expect(reminders).toHaveLength(1);
  });

  it('pass on a decision taken while no stage was listening, with the new stage’s token', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 'token-request', stage: 'request' });
    const { approvalId } = await store.getRequest(requestId);
    await approvals.decide(approvalId!, 'REJECTED', 'slack:U0APPROVER');

    await handler({ requestId, taskToken: 'token-reminder', stage: 'reminder' });
    expect(stepFunctions.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input)).toEqual([
      { taskToken: 'token-reminder', error: 'Rejected', cause: 'Rejected by slack:U0APPROVER' },
    ]);
    expect((await store.getRequest(requestId)).timeline.some((entry) => entry.message.startsWith('Reminded'))).toBe(false);
  });

  it('refuse to wait on an approval that was already closed', async () => {
    const requestId = await connectionCreated();
    await handler({ requestId, taskToken: 't1', stage: 'request' });
    const { approvalId } = await store.getRequest(requestId);
    await approvals.decide(approvalId!, 'EXPIRED', 'system');
    await expect(handler({ requestId, taskToken: 't2', stage: 'reminder' })).rejects.toBeInstanceOf(ApprovalClosedError);
  });
});
