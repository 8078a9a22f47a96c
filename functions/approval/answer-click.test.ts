import { CodeStarConnectionsClient, GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import { answerClick, type ClickDependencies } from './answer-click.ts';
import { ApproversConfigError, parseApproversConfig } from './approvers.ts';
import type { ApprovalClick } from './interaction.ts';
import { ApprovalStore, newApprovalId, type ApprovalRecord } from './store.ts';
import { BrokerStore } from '../request/store.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';

const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);
let table: Awaited<ReturnType<typeof startBrokerTable>>;
let approvals: ApprovalStore;
let store: BrokerStore;

const APPROVERS = JSON.stringify({ default: { users: ['U0APPROVER'], userGroups: ['S0APPROVERS'], escalation: { userGroups: ['S0LEADS'] } } });
const GROUPS: Record<string, string[]> = { S0APPROVERS: ['U0MEMBER'], S0LEADS: ['U0LEAD'] };
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

type LogFunction = (message: string, details: Record<string, unknown>) => void;
let log: { info: Mock<LogFunction>; warn: Mock<LogFunction>; error: Mock<LogFunction> };
let showClosed: Mock<ClickDependencies['showClosed']>;
let membersOf: Mock<ClickDependencies['membersOf']>;
let approversConfig: () => ReturnType<typeof parseApproversConfig>;

beforeAll(async () => {
  table = await startBrokerTable();
  approvals = new ApprovalStore(table.documents, TEST_TABLE);
  store = new BrokerStore(table.documents, TEST_TABLE);
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
  log = { info: vi.fn<LogFunction>(), warn: vi.fn<LogFunction>(), error: vi.fn<LogFunction>() };
  showClosed = vi.fn<ClickDependencies['showClosed']>(async () => undefined);
  membersOf = vi.fn<ClickDependencies['membersOf']>(async (group: string) => GROUPS[group] ?? []);
  approversConfig = () => parseApproversConfig(APPROVERS);
});

function dependencies(): ClickDependencies {
  return {
    aws: { connections: new CodeStarConnectionsClient({}), stepFunctions: new SFNClient({}) },
    approvals,
    store,
    approversConfig: () => approversConfig(),
    membersOf,
    showClosed,
    log,
  };
}

async function pendingApproval(): Promise<ApprovalRecord> {
  const requestId = newApprovalId();
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status: 'WAITING_FOR_APPROVAL', requester: { id: 'alice' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, connectionArn: CONNECTION,
  });
  return approvals.open({ approvalId: newApprovalId(), requestId, taskToken: `secret-token-${requestId}`, expiresAt: 0 });
}

const click = (approval: ApprovalRecord, userId: string, decision: ApprovalClick['decision'] = 'approve'): ApprovalClick => ({
  approvalId: approval.approvalId,
  decision,
  userId,
  responseUrl: 'https://hooks.slack.com/actions/1',
});

/** Everything logged, as one string, to search for what must never be there. */
const logged = () => JSON.stringify([log.info.mock.calls, log.warn.mock.calls, log.error.mock.calls]);

describe('answerClick', () => {
  it('lets a listed approver decide, resumes the workflow once and updates the messages', async () => {
    const approval = await pendingApproval();
    expect(await answerClick(click(approval, 'U0APPROVER'), dependencies())).toBeUndefined();
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(showClosed).toHaveBeenCalledWith(expect.objectContaining({ approvalId: approval.approvalId }), expect.anything(), expect.objectContaining({ outcome: 'approved', decidedBy: 'slack:U0APPROVER' }));
    expect(membersOf).not.toHaveBeenCalled();
  });

  it('lets members of the approvers’ and the escalation’s user groups decide', async () => {
    expect(await answerClick(click(await pendingApproval(), 'U0MEMBER', 'reject'), dependencies())).toBeUndefined();
    expect(await answerClick(click(await pendingApproval(), 'U0LEAD'), dependencies())).toBeUndefined();
    expect(stepFunctions.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
    expect(stepFunctions.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('refuses anyone else privately, changes nothing, and logs who tried (without the token)', async () => {
    const approval = await pendingApproval();
    const answer = await answerClick(click(approval, 'U0STRANGER'), dependencies());
    expect(answer).toMatch(/^Only the approvers of https:\/\/ghe\.example\.com can decide this request; nothing was changed\. Approvers: <@U0APPROVER> <!subteam\^S0APPROVERS> <!subteam\^S0LEADS>$/);
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(connections.calls()).toHaveLength(0);
    expect((await approvals.get(approval.approvalId))?.status).toBe('PENDING');
    expect((await store.getRequest(approval.requestId)).timeline).toEqual([]);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('not an approver'), expect.objectContaining({ userId: 'U0STRANGER', approvalId: approval.approvalId }));
    expect(logged()).not.toContain(approval.taskToken);
  });

  it('refuses (and changes nothing) when Slack cannot say who is in a user group', async () => {
    membersOf.mockRejectedValue(new Error('Slack usergroups.users.list failed: ratelimited'));
    const approval = await pendingApproval();
    expect(await answerClick(click(approval, 'U0MEMBER'), dependencies())).toMatch(/Could not check whether you may decide/);
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  it('refuses everyone when the approvers configuration is broken: an allow-list fails closed', async () => {
    approversConfig = () => {
      throw new ApproversConfigError('is not valid JSON');
    };
    const approval = await pendingApproval();
    expect(await answerClick(click(approval, 'U0APPROVER'), dependencies())).toMatch(/misconfigured, so nothing was changed/);
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(log.error).toHaveBeenCalled();
  });

  it('keeps the approval open while the handshake is not done, with the console link', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'PENDING' } });
    const approval = await pendingApproval();
    const answer = await answerClick(click(approval, 'U0APPROVER'), dependencies());
    expect(answer).toMatch(/still PENDING, so nothing was approved.*Update pending connection.*https:\/\/us-east-1\.console\.aws\.amazon\.com\//);
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(showClosed).not.toHaveBeenCalled();
  });

  it('tells a second decider who decided first, and changes nothing', async () => {
    const approval = await pendingApproval();
    await answerClick(click(approval, 'U0APPROVER'), dependencies());
    expect(await answerClick(click(approval, 'U0MEMBER', 'reject'), dependencies())).toBe('This request was already approved by <@U0APPROVER>; nothing was changed.');
    expect(stepFunctions.calls()).toHaveLength(1);
  });

  it('says "already decided or expired" when the wait ended just before the click, and closes the messages the rollback left', async () => {
    stepFunctions.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const approval = await pendingApproval();
    await store.updateRequest(approval.requestId, (current) => ({ ...current, status: 'ROLLING_BACK', failure: { code: 'ApprovalTimedOut', message: 'late' } }));
    expect(await answerClick(click(approval, 'U0APPROVER'), dependencies())).toBe('This approval was already decided or has expired; nothing was changed.');
    expect((await approvals.get(approval.approvalId))?.status).toBe('EXPIRED');
    expect(showClosed).toHaveBeenCalledWith(expect.objectContaining({ approvalId: approval.approvalId }), expect.anything(), expect.objectContaining({ outcome: 'expired' }));
  });

  it('answers an unknown approval id without looking further', async () => {
    const answer = await answerClick({ approvalId: newApprovalId(), decision: 'approve', userId: 'U0APPROVER', responseUrl: undefined }, dependencies());
    expect(answer).toBe('This approval is unknown or has expired; nothing was changed.');
  });
});
