import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApprovalStore } from '../approval/store.ts';
import type { ConnectionRequestRecord, RequestStatus } from '../request/model.ts';
import { BrokerStore } from '../request/store.ts';
import { setClients } from '../adapters/aws-clients.ts';
import { workflowClients } from '../../test/helpers/workflow-clients.ts';
import { resetConfig } from '../shell/config.ts';
import { handler as completeRequest } from './complete-request.ts';
import { resetWorkflowContext } from './context.ts';
import { RequestNotActive } from './errors.ts';
import { handler as requestApproval } from '../approval/request-approval.ts';
import { handler as awaitHostSetup } from '../host/wait-for-host.ts';
import { WaitStore } from '../waits/wait-store.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';
import { control, startTestSandbox } from '../../test/helpers/sandbox.ts';
import { BOT_TOKEN, recordedSlackEvents, slackApiUrl } from '../../test/helpers/fake-slack.ts';

/**
 * A Slack that does not answer in time must not fail a workflow step: each step that posts gives
 * Slack only what its Lambda time allows (less a reserve for its writes), then records the notice
 * as not delivered and succeeds. The handlers get a Lambda context with 3 s left and the fake
 * Slack answers after 20 s; without the bound each post would take 3 × 5 s.
 */
const REMAINING_MS = 3000;
const HOST_ADMINS = 'C0HOSTADMINS';
const APPROVERS = 'C0APPROVALS';
const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d';
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const TASK_TOKEN = 'task-token-that-must-never-be-logged';

let sandbox: Sandbox;
let table: Awaited<ReturnType<typeof startBrokerTable>>;
let store: BrokerStore;
let approvals: ApprovalStore;
let waits: WaitStore;

/** Lambda's context, as far as the handlers read it: `ms` left from now. */
function lambdaContext(ms: number) {
  const endsAt = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()) };
}

beforeAll(async () => {
  [sandbox, table] = await Promise.all([startTestSandbox(), startBrokerTable()]);
  store = new BrokerStore(table.documents, TEST_TABLE);
  approvals = new ApprovalStore(table.documents, TEST_TABLE);
  waits = new WaitStore(table.documents, TEST_TABLE);
  vi.stubEnv('TABLE_NAME', TEST_TABLE);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', table.dynamo.url);
  vi.stubEnv('SLACK_SECRET_ID', '');
  vi.stubEnv('SLACK_BOT_TOKEN', BOT_TOKEN);
  vi.stubEnv('SLACK_SIGNING_SECRET', 'a-signing-secret');
  vi.stubEnv('SLACK_API_URL', slackApiUrl(sandbox));
  vi.stubEnv('SLACK_HOST_ADMINS_CHANNEL', HOST_ADMINS);
  vi.stubEnv('SLACK_APPROVERS_CHANNEL', APPROVERS);
  resetConfig();
  resetWorkflowContext();
  setClients(workflowClients(table.documents));
});
afterAll(async () => {
  setClients(undefined);
  resetWorkflowContext();
  resetConfig();
  vi.unstubAllEnvs();
  table.client.destroy();
  await Promise.all([table.dynamo.close(), sandbox.close()]);
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
});

let requests = 0;
async function request(status: RequestStatus, extra: Partial<ConnectionRequestRecord> = {}): Promise<string> {
  const requestId = `slow-slack-${++requests}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId, status, requester: { id: 'alice', slackUserId: 'U0REQUESTER' }, providerEndpoint: 'https://ghe.example.com', connectionName: 'c',
    hostName: 'h', tags: {}, region: 'us-east-1', createdAt: now, updatedAt: now, timeline: [], revision: 0, hostArn: HOST, connectionArn: CONNECTION,
    ...extra,
  });
  return requestId;
}

async function slowSlack(): Promise<void> {
  await control(sandbox, 'PUT', '/slack/latency', { ms: 20_000 });
}

/** Runs `step`, returning what it returned and how long it took. */
async function timed<T>(step: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const started = Date.now();
  const result = await step();
  return { result, elapsedMs: Date.now() - started };
}

async function timelineOf(requestId: string): Promise<string[]> {
  return (await store.getRequest(requestId)).timeline.map((entry) => entry.message);
}

/** Everything written to stdout, stderr and the console while `run` runs. */
async function captureLogs(run: () => Promise<unknown>): Promise<string> {
  const captured: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
      captured.push(String(chunk));
      return true;
    }),
  );
  const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...parts: unknown[]) => void captured.push(parts.map(String).join(' '))),
  );
  try {
    await run();
  } finally {
    for (const spy of [...spies, ...consoleSpies]) spy.mockRestore();
  }
  return captured.join('\n');
}

describe('workflow steps with a Slack that does not answer in time', { timeout: 10_000 }, () => {
  it('awaitHostSetup returns within its time, records the notice as not delivered, and begins the wait with its token; nothing secret is logged', async () => {
    const requestId = await request('PROVISIONING_HOST');
    await slowSlack();

    let elapsedMs = Number.POSITIVE_INFINITY;
    const logs = await captureLogs(async () => {
      ({ elapsedMs } = await timed(() => awaitHostSetup({ requestId, host: { hostArn: HOST, status: 'PENDING' }, taskToken: TASK_TOKEN }, lambdaContext(REMAINING_MS))));
    });

    expect(elapsedMs).toBeLessThan(REMAINING_MS);
    expect((await store.getRequest(requestId)).status).toBe('WAITING_FOR_HOST_SETUP');
    expect(await waits.forRequest(requestId)).toEqual([expect.objectContaining({ kind: 'host-setup', resourceArn: HOST, taskToken: TASK_TOKEN })]);
    expect(await timelineOf(requestId)).toEqual([
      `Asked the GHES administrators for host ${HOST}: A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.`,
      `Slack notice not delivered: the host set-up request to ${HOST_ADMINS} (Slack did not answer in time).`,
    ]);
    expect(await recordedSlackEvents(sandbox)).toEqual([]);
    expect(logs).not.toContain(TASK_TOKEN);
    expect(logs).not.toContain(BOT_TOKEN);
  });

  it('requestApproval returns within its time and waits on the approval, which admins can still decide; nothing secret is logged', async () => {
    const requestId = await request('CREATING_CONNECTION');
    await slowSlack();

    let elapsedMs = Number.POSITIVE_INFINITY;
    const logs = await captureLogs(async () => {
      ({ elapsedMs } = await timed(() => requestApproval({ requestId, taskToken: TASK_TOKEN }, lambdaContext(REMAINING_MS))));
    });

    expect(elapsedMs).toBeLessThan(REMAINING_MS);
    const record = await store.getRequest(requestId);
    expect(record.status).toBe('WAITING_FOR_APPROVAL');
    const approval = await approvals.get(record.approvalId!);
    expect(approval).toMatchObject({ status: 'PENDING', taskToken: TASK_TOKEN });
    expect(approval?.requestMessage).toBeUndefined();
    expect(await waits.forRequest(requestId)).toEqual([expect.objectContaining({ kind: 'handshake', resourceArn: CONNECTION, approvalId: record.approvalId })]);
    expect(await timelineOf(requestId)).toEqual([
      'Asked the approvers: A GitHub organization owner must choose "Update pending connection" in the AWS console for connection c.',
      `Slack notice not delivered: the approval request to ${APPROVERS} (Slack did not answer in time).`,
    ]);
    expect(logs).toContain('not delivered');
    expect(logs).not.toContain(TASK_TOKEN);
    expect(logs).not.toContain(BOT_TOKEN);
  });

  it('completeRequest returns COMPLETED within its time, the DM and the channel fallback both bounded', async () => {
    const requestId = await request('ATTACHING_PIPELINE');
    await slowSlack();

    const { result, elapsedMs } = await timed(() => completeRequest({ requestId }, lambdaContext(REMAINING_MS)));

    expect(elapsedMs).toBeLessThan(REMAINING_MS);
    expect(result).toEqual({ status: 'COMPLETED' });
    expect((await store.getRequest(requestId)).status).toBe('COMPLETED');
    expect(await timelineOf(requestId)).toEqual([
      'The connection is ready.',
      `Slack notice not delivered: the outcome for the requester to ${APPROVERS} (Slack did not answer in time).`,
    ]);
  });
});

describe('completeRequest, repeated or too late', () => {
  it('completes once and tells the requester once, however often it runs', async () => {
    const requestId = await request('ATTACHING_PIPELINE');

    expect(await completeRequest({ requestId }, lambdaContext(REMAINING_MS))).toEqual({ status: 'COMPLETED' });
    // A retry after a partial run: the answer was lost, or the step was cut off after its write.
    expect(await completeRequest({ requestId }, lambdaContext(REMAINING_MS))).toEqual({ status: 'COMPLETED' });

    expect(await timelineOf(requestId)).toEqual(['The connection is ready.']);
    expect(await recordedSlackEvents(sandbox, '?kind=post')).toMatchObject([{ channel: 'D0REQUESTER' }]);
  });

  it('never turns a request that is being rolled back, or was cancelled, into COMPLETED', async () => {
    for (const status of ['ROLLING_BACK', 'CANCELLED'] as const) {
      const requestId = await request(status);
      await expect(completeRequest({ requestId }, lambdaContext(REMAINING_MS))).rejects.toBeInstanceOf(RequestNotActive);
      expect((await store.getRequest(requestId)).status).toBe(status);
    }
    expect(await recordedSlackEvents(sandbox)).toEqual([]);
  });
});
