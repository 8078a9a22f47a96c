import { CodeStarConnectionsClient, GetConnectionCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { mintToken } from '../../infra/local/runtime/jwt.ts';
import type { SlackMessageView as RecordedSlackEvent } from '../../infra/local/sandbox/services/slack/control-routes.ts';
import { api, eventually, rawApi, sandboxControl, startSystem, tokenFor } from './local-system.ts';

/**
 * Slack approvals end to end, over HTTP against the local runtime: the interactivity endpoint's
 * checks, exactly-once decisions, reminders, escalation and timeout on the sandbox clock, and a
 * scan of everything the system logged or showed in Slack for the task tokens it handed out.
 *
 * Local configuration (infra/local/local-system.ts and the fake Slack's defaults): approvals in
 * C0APPROVALS; U0APPROVER may approve by id, U0GROUPMEMBER through user group S0APPROVERS, U0LEAD
 * through the escalation's S0LEADS, posted to C0ESCALATIONS.
 */

interface RequestBody {
  requestId: string;
  status: string;
  connectionName: string;
  connectionArn?: string;
  hostArn?: string;
  failure?: { code: string; message: string };
  waitingFor?: { who: string };
  timeline: { step: string; actor: string; message: string }[];
}

interface DeliveryAnswer {
  status: number;
  elapsedMs: number;
  failure?: string;
  deliveryId: string;
  /** What the clicker saw (the fake Slack's brief answer to a click). */
  shown?: string[];
  payload?: Record<string, unknown>;
}

interface CallCount {
  service: string;
  operation: string;
  ok: number;
  clientError: number;
}

const HOUR = 3600;
const SLACK_ACK_DEADLINE_MS = 3000;

let system: LocalSystem;
let requester: string;
let admin: string;
let connections: CodeStarConnectionsClient;
let sfn: SFNClient;
let documents: DynamoDBDocumentClient;

/** Everything the local system printed while this file ran: Powertools logs, the Slack client's warnings, anything else. */
const captured: string[] = [];
/** Every task token the engine handed to an approval stage, read from the approval records (test only). */
const issuedTokens = new Set<string>();
/** Every interactivity request body the fake Slack sent, and every control answer about clicks. */
const sentToUs: unknown[] = [];
let stopCapturing: () => void = () => undefined;

beforeAll(async () => {
  stopCapturing = captureOutput();
  // APPROVAL_MODE=explicit: an approver's click decides, after the handshake (test/e2e/waits.test.ts covers the default, handshake mode).
  // LOG_FORMAT=json: the token scan reads everything the functions logged, not only the warnings the terminal shows by default.
  system = await startSystem({ APPROVAL_MODE: 'explicit' }, { logFormat: 'json' });
  requester = await mintToken({ sub: 'alice@example.com', email: 'alice@example.com', slackUserId: 'U0REQUESTER' });
  admin = await tokenFor('root@example.com', true);
  const aws = { endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  connections = new CodeStarConnectionsClient(aws);
  sfn = new SFNClient(aws);
  // The local runtime put its settings in this process's environment: the table and DynamoDB's address.
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...aws, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB }));
}, 60_000);

afterAll(async () => {
  stopCapturing();
  connections?.destroy();
  sfn?.destroy();
  documents?.destroy();
  await system?.close();
});

/** Tees stdout, stderr and console into `captured`, so the token scan sees what Lambda would have logged. */
function captureOutput(): () => void {
  const restore: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original;
    });
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method];
    console[method] = (...parts: unknown[]) => {
      captured.push(parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part, errorFields))).join(' '));
      original.apply(console, parts);
    };
    restore.push(() => {
      console[method] = original;
    });
  }
  return () => restore.forEach((undo) => undo());
}

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack, cause: value.cause } : value;
}

/** Reads the current token of every approval and host-setup wait straight from DynamoDB (a retried wait re-points them, so call it after each). */
async function recordIssuedTokens(): Promise<void> {
  const { Items } = await documents.send(
    new ScanCommand({
      TableName: process.env.TABLE_NAME,
      FilterExpression: 'begins_with(pk, :approval) OR begins_with(pk, :wait)',
      ExpressionAttributeValues: { ':approval': 'APPROVAL#', ':wait': 'WAIT#' },
    }),
  );
  for (const item of Items ?? []) if (typeof item.taskToken === 'string') issuedTokens.add(item.taskToken);
}

let keys = 0;
async function requestConnection(providerEndpoint = 'https://ghe.example.com'): Promise<RequestBody> {
  const answer = await api<RequestBody>(system, 'POST', '/v1/connection-requests', { token: requester, body: { providerEndpoint }, idempotencyKey: `approvals-${++keys}` });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

const read = (requestId: string) => async () => (await api<RequestBody>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: requester })).body;
const inStatus = (requestId: string, status: string) => eventually(read(requestId), (request) => request.status === status, `request ${requestId} to be ${status}`);

async function slackEvents(query = ''): Promise<RecordedSlackEvent[]> {
  return (await sandboxControl<{ messages: RecordedSlackEvent[] }>(system, 'GET', `/slack/messages${query}`)).messages;
}

/** A request whose connection exists and whose approval request is in C0APPROVALS. */
async function waitingForApproval(): Promise<{ request: RequestBody; message: RecordedSlackEvent }> {
  const created = await requestConnection();
  const waiting = await eventually(read(created.requestId), (request) => ['WAITING_FOR_HOST_SETUP', 'WAITING_FOR_APPROVAL'].includes(request.status), 'host set-up or approval');
  if (waiting.status === 'WAITING_FOR_HOST_SETUP') {
    await recordIssuedTokens();
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    // The watcher's next sweep (on the sandbox clock) sees the host AVAILABLE and resumes the request.
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
  }
  const request = await inStatus(created.requestId, 'WAITING_FOR_APPROVAL');
  const message = await eventually(
    async () => (await slackEvents('?channel=C0APPROVALS&kind=post')).find((event) => event.text?.includes(`Approval needed: connection ${request.connectionName} `)),
    (found) => found !== undefined,
    'the approval request in Slack',
  );
  await recordIssuedTokens();
  return { request, message: message! };
}

async function click(message: { channel: string; ts?: string }, actionId: 'approve' | 'reject', userId: string, extra: Record<string, unknown> = {}): Promise<DeliveryAnswer> {
  // verbose: the answer carries the payload sent, for the token scan.
  const answer = await sandboxControl<DeliveryAnswer>(system, 'POST', '/slack/click?verbose=1', { channel: message.channel, ts: message.ts, actionId, userId, ...extra });
  sentToUs.push(answer);
  return answer;
}

async function deliver(body: string, timestamp?: number): Promise<DeliveryAnswer> {
  const answer = await sandboxControl<DeliveryAnswer>(system, 'POST', '/slack/deliver', { body, ...(timestamp === undefined ? {} : { timestamp }) });
  sentToUs.push(body, answer);
  return answer;
}

async function taskCallbacks(): Promise<{ success: number; failure: number; all: number }> {
  const { calls } = await sandboxControl<{ calls: CallCount[] }>(system, 'GET', '/calls');
  const count = (operation: string) => calls.filter((call) => call.service === 'states' && call.operation === operation).reduce((sum, call) => sum + call.ok + call.clientError, 0);
  return { success: count('SendTaskSuccess'), failure: count('SendTaskFailure'), all: count('SendTaskSuccess') + count('SendTaskFailure') };
}

/** The states the request's execution entered, in order (GetExecutionHistory). */
async function statesEntered(requestId: string): Promise<string[]> {
  const { executionArn } = await sandboxControl<{ executionArn: string }>(system, 'GET', `/executions/${requestId}`);
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (events ?? []).flatMap((event) => (event.type?.endsWith('StateEntered') ? [event.stateEnteredEventDetails!.name!] : []));
}

/** What Slack showed one user privately after their click (answers through the response URL). */
async function ephemeralsFor(userId: string): Promise<string[]> {
  return (await slackEvents('?kind=response')).filter((event) => event.user === userId && event.responseType === 'ephemeral').map((event) => event.text ?? '');
}

/** The message as it reads now: the last post or update of that channel and ts. */
async function currentMessage(channel: string, ts: string): Promise<RecordedSlackEvent> {
  const versions = (await slackEvents(`?channel=${channel}`)).filter((event) => event.ts === ts && (event.kind === 'post' || event.kind === 'update'));
  return versions.at(-1)!;
}

function hasButtons(message: RecordedSlackEvent): boolean {
  return JSON.stringify(message.blocks ?? []).includes('"type":"button"');
}

/** Advances the sandbox clock past the reminder or escalation (the watcher sends it) and waits for its note on the timeline. */
async function passStage(requestId: string, hours: number, note: string): Promise<RequestBody> {
  await sandboxControl(system, 'POST', '/clock/advance', { seconds: hours * HOUR });
  const request = await eventually(read(requestId), (current) => current.timeline.some((entry) => entry.message.startsWith(note)), `"${note}" on the timeline`);
  await recordIssuedTokens();
  return request;
}

describe('the Slack interactivity endpoint', () => {
  let request: RequestBody;
  let message: RecordedSlackEvent;
  let winningDelivery: string;

  beforeAll(async () => {
    ({ request, message } = await waitingForApproval());
    // Count callbacks from here: the watcher's resume of the host wait is not a decision.
    await sandboxControl(system, 'DELETE', '/calls');
  });

  /** Nothing about the request or its approval moved. */
  async function expectNothingChanged(): Promise<void> {
    expect((await read(request.requestId)()).status).toBe('WAITING_FOR_APPROVAL');
    expect(await taskCallbacks()).toMatchObject({ all: 0 });
    expect(hasButtons(await currentMessage(message.channel, message.ts!))).toBe(true);
  }

  it('asks the approvers with buttons that carry only the approval id, and says who may approve', async () => {
    expect(message.text).toContain('Approval needed');
    const values = [...JSON.stringify(message.blocks).matchAll(/"value":"([^"]*)"/g)].map((match) => match[1]);
    expect(values).toHaveLength(2);
    expect(values[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(values[1]).toBe(values[0]);
    expect(JSON.stringify(message.blocks)).toContain('Who may approve: <@U0APPROVER> <!subteam^S0APPROVERS>');
  });

  it('refuses a forged signature, stale and future timestamps (401), and another workspace or app (403), changing nothing', async () => {
    // Slack's and the functions' clock is the sandbox clock (moved on by the earlier tests), read when
    // each click is made, with room for the handler's own delay: the window is 300 s either way.
    const now = async () => (await sandboxControl<{ epochSeconds: number }>(system, 'GET', '/clock')).epochSeconds;
    expect((await click(message, 'approve', 'U0APPROVER', { forgeSignature: true })).status).toBe(401);
    expect((await click(message, 'approve', 'U0APPROVER', { timestamp: Math.floor(await now()) - 301 })).status).toBe(401);
    expect((await click(message, 'approve', 'U0APPROVER', { timestamp: Math.floor(await now()) + 310 })).status).toBe(401);
    expect((await click(message, 'approve', 'U0APPROVER', { teamId: 'T0ELSEWHERE' })).status).toBe(403);
    expect((await click(message, 'approve', 'U0APPROVER', { appId: 'A0ELSEWHERE' })).status).toBe(403);
    const unsigned = await rawApi(system, 'POST', '/slack/interactions', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'payload=%7B%7D' });
    expect(unsigned.status).toBe(401);
    await expectNothingChanged();
    expect(await ephemeralsFor('U0APPROVER')).toEqual([]);
  });

  it('answers correctly signed but malformed payloads with 400, and buttons that are not ours with 200, changing nothing', async () => {
    const approvalId = [...JSON.stringify(message.blocks).matchAll(/"value":"([^"]*)"/g)][0]![1]!;
    const payload = (value: unknown) => new URLSearchParams({ payload: typeof value === 'string' ? value : JSON.stringify(value) }).toString();
    const valid = { type: 'block_actions', team: { id: 'T0SANDBOX' }, api_app_id: 'A0SANDBOX', user: { id: 'U0APPROVER' }, actions: [{ action_id: 'approve', value: approvalId }] };
    for (const body of [
      'no-payload=here',
      payload('{"type": "block_actions", '),
      payload({ ...valid, type: 'view_submission' }),
      payload({ ...valid, actions: [] }),
      payload({ ...valid, user: {} }),
      payload({ ...valid, actions: [{ action_id: 'approve', value: 'x'.repeat(3000) }] }),
      payload({ ...valid, response_url: 'javascript:alert(1)' }),
    ]) {
      expect((await deliver(body)).status, body.slice(0, 80)).toBe(400);
    }
    expect((await deliver(payload({ ...valid, actions: [{ action_id: 'something-else', value: approvalId }] }))).status).toBe(200);
    await expectNothingChanged();
  });

  it('refuses someone who is not an approver, privately, and changes nothing', async () => {
    const answer = await click(message, 'approve', 'U0STRANGER');
    expect(answer.status).toBe(200);
    expect(await ephemeralsFor('U0STRANGER')).toEqual([expect.stringMatching(/^Only the approvers of https:\/\/ghe\.example\.com can decide this request; nothing was changed\./)]);
    await expectNothingChanged();
    expect(captured.join('\n')).toContain('refused a Slack decision from someone who is not an approver');
  });

  it('keeps the approval open when Approve comes before the handshake, pointing to the console', async () => {
    const answer = await click(message, 'approve', 'U0APPROVER');
    expect(answer.status).toBe(200);
    const [said] = await ephemeralsFor('U0APPROVER');
    expect(said).toMatch(/still PENDING, so nothing was approved/);
    expect(said).toContain('https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1/codestar-connections/connections/');
    await expectNothingChanged();
  });

  it('resumes the workflow exactly once when two approvers click at the same time, within Slack’s three seconds', async () => {
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
    await sandboxControl(system, 'DELETE', '/calls');
    const answers = await Promise.all([click(message, 'approve', 'U0APPROVER'), click(message, 'approve', 'U0GROUPMEMBER')]);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.failure).toBeUndefined();
      expect(answer.elapsedMs).toBeLessThan(SLACK_ACK_DEADLINE_MS);
    }
    await inStatus(request.requestId, 'COMPLETED');
    expect(await taskCallbacks()).toEqual({ success: 1, failure: 0, all: 1 });

    // The loser is told who won; the message now says who approved and when, with no buttons left.
    const loserSaid = [...(await ephemeralsFor('U0APPROVER')), ...(await ephemeralsFor('U0GROUPMEMBER'))].filter((text) => text.startsWith('This request was already approved'));
    expect(loserSaid).toHaveLength(1);
    const decided = await currentMessage(message.channel, message.ts!);
    expect(decided.kind).toBe('update');
    expect(decided.text).toMatch(/^Approved by <@U0(APPROVER|GROUPMEMBER)> at \d{4}-\d\d-\d\dT/);
    expect(hasButtons(decided)).toBe(false);
    const winner = /^Approved by <@(U0\w+)>/.exec(decided.text!)![1];
    // Slack shows the mention as the approver's name (the fake Slack's directory: Ada Approver, Gus Groupmember).
    expect(decided.shown).toMatch(winner === 'U0APPROVER' ? /^Approved by @Ada Approver at / : /^Approved by @Gus Groupmember at /);
    const winnerSaw = answers.find((answer) => (answer.payload?.user as { id: string }).id === winner)!.shown;
    expect(winnerSaw).toContainEqual(expect.stringMatching(/^the message now reads: Approved by @(Ada Approver|Gus Groupmember) at /));
    winningDelivery = answers.find((answer) => (answer.payload?.user as { id: string }).id === winner)!.deliveryId;
  });

  it('ignores a replay of the winning request after the decision', async () => {
    const before = await taskCallbacks();
    const replayed = await sandboxControl<DeliveryAnswer>(system, 'POST', '/slack/replay', { deliveryId: winningDelivery });
    expect(replayed.status).toBe(200);
    expect(await taskCallbacks()).toEqual(before);
    expect((await read(request.requestId)()).status).toBe('COMPLETED');
  });

  it('tells the requester by DM that the connection is ready', async () => {
    // The DM follows COMPLETED within the same step, so it may land a moment after the status.
    const ready = new RegExp(`^Your connection ${request.connectionName} to https://ghe.example.com is ready`);
    const dms = await eventually(
      async () => (await slackEvents('?channel=D0REQUESTER')).map((event) => event.text),
      (texts) => texts.some((text) => ready.test(text ?? '')),
      'the requester to be told by DM',
    );
    expect(dms).toEqual(expect.arrayContaining([expect.stringMatching(ready)]));
  });
});

describe('reminder, escalation and timeout on the fast-forward clock', () => {
  it('costs nothing extra when approved before the reminder', async () => {
    const { request, message } = await waitingForApproval();
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 4 * HOUR });
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
    expect((await click(message, 'approve', 'U0APPROVER')).status).toBe(200);
    await inStatus(request.requestId, 'COMPLETED');
    expect((await slackEvents('?kind=post')).filter((event) => event.threadTs === message.ts)).toEqual([]);
  });

  it('reminds after 24 h in the thread, escalates after 48 h to the leads, and the same approval id still decides', async () => {
    const { request, message } = await waitingForApproval();
    const approvalId = [...JSON.stringify(message.blocks).matchAll(/"value":"([^"]*)"/g)][0]![1]!;

    const reminded = await passStage(request.requestId, 24, 'Reminded the approvers');
    expect(reminded.status).toBe('WAITING_FOR_APPROVAL');
    const reminder = (await slackEvents('?channel=C0APPROVALS&kind=post')).find((event) => event.threadTs === message.ts);
    expect(reminder?.text).toBe(`Reminder: the connection ${request.connectionName} to https://ghe.example.com has waited 24 hours for the handshake and an approval.`);
    expect(JSON.stringify(reminder?.blocks)).toContain('<@U0APPROVER> <!subteam^S0APPROVERS>');
    expect(hasButtons(await currentMessage(message.channel, message.ts!))).toBe(true);

    const escalated = await passStage(request.requestId, 24, 'Escalated to Slack C0ESCALATIONS, <!subteam^S0LEADS>');
    expect(escalated.waitingFor?.who).toContain('escalated to Slack C0ESCALATIONS');
    const escalation = (await slackEvents('?channel=C0ESCALATIONS&kind=post')).find((event) => event.text?.includes(request.connectionName));
    expect(escalation?.text).toMatch(/^Escalated after 48 hours without a decision\. Approval needed/);
    expect(JSON.stringify(escalation?.blocks)).toContain('<!subteam^S0LEADS>, please decide');
    expect([...JSON.stringify(escalation?.blocks).matchAll(/"value":"([^"]*)"/g)].map((match) => match[1])).toEqual([approvalId, approvalId]);

    // A lead decides from the escalation; both messages end up saying so.
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
    await sandboxControl(system, 'DELETE', '/calls');
    expect((await click(escalation!, 'approve', 'U0LEAD')).status).toBe(200);
    await inStatus(request.requestId, 'COMPLETED');
    expect(await taskCallbacks()).toEqual({ success: 1, failure: 0, all: 1 });
    for (const posted of [message, escalation!]) {
      const now = await currentMessage(posted.channel, posted.ts!);
      expect(now.text).toMatch(/^Approved by <@U0LEAD> at /);
      expect(hasButtons(now)).toBe(false);
    }
    // The watcher sends the reminder and the escalation: the wait is one state, entered once, however long it lasts.
    const entered = await statesEntered(request.requestId);
    expect(entered.filter((state) => state === 'AwaitHandshake')).toHaveLength(1);
    expect(new Set(entered).size).toBe(entered.length);
  });

  it('times out after 72 h: TIMED_OUT, rolled back, the messages say it expired and the requester hears it', async () => {
    const { request, message } = await waitingForApproval();
    await passStage(request.requestId, 24, 'Reminded the approvers');
    await passStage(request.requestId, 24, 'Escalated');
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 24 * HOUR });
    const timedOut = await inStatus(request.requestId, 'TIMED_OUT');
    expect(timedOut.failure).toMatchObject({ code: 'ApprovalTimedOut' });
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: request.connectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    const escalation = (await slackEvents('?channel=C0ESCALATIONS&kind=post')).find((event) => event.text?.includes(request.connectionName))!;
    for (const posted of [message, escalation]) {
      const now = await currentMessage(posted.channel, posted.ts!);
      expect(now.text).toMatch(/^Expired at .*nobody approved/);
      expect(hasButtons(now)).toBe(false);
    }
    // The requester's DM follows the TIMED_OUT record in the same rollback step: wait for it rather than race it.
    const dms = await eventually(
      async () => (await slackEvents('?channel=D0REQUESTER')).map((event) => event.text),
      (texts) => texts.some((text) => /expired: nobody approved it in time/.test(text ?? '')),
      'the requester to hear the request expired',
    );
    expect(dms).toEqual(expect.arrayContaining([expect.stringMatching(/expired: nobody approved it in time/)]));
    expect((await api(system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: admin })).status).toBe(409);
  });
});

describe('APPROVAL_MODE=explicit', () => {
  it('still needs the Approve click after the handshake: the watcher and "check now" resume nothing until then', async () => {
    const { request, message } = await waitingForApproval();
    expect(JSON.stringify(message.blocks)).toContain('"action_id":"approve"');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
    // Two sweeps of the watcher see the connection AVAILABLE.
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    expect((await read(request.requestId)()).status).toBe('WAITING_FOR_APPROVAL');
    const check = await api<{ check: { outcome: string; message: string } }>(system, 'POST', `/v1/connection-requests/${request.requestId}/check`, { token: requester });
    expect(check.body.check).toMatchObject({ outcome: 'needs-approval', message: 'The connection is AVAILABLE: an approver must now approve it (APPROVAL_MODE=explicit).' });
    expect((await read(request.requestId)()).status).toBe('WAITING_FOR_APPROVAL');

    expect((await click(message, 'approve', 'U0APPROVER')).status).toBe(200);
    const done = await inStatus(request.requestId, 'COMPLETED');
    expect(done.timeline.find((entry) => entry.step === 'approval' && entry.message.startsWith('Approved'))).toMatchObject({ actor: 'slack:U0APPROVER' });
  });
});

describe('decisions outside Slack', () => {
  it('updates the Slack message when an admin approves through the API', async () => {
    const { request, message } = await waitingForApproval();
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: request.connectionArn });
    expect((await api(system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: admin })).status).toBe(200);
    const now = await currentMessage(message.channel, message.ts!);
    expect(now.text).toMatch(/^Approved by root@example\.com at /);
    expect(hasButtons(now)).toBe(false);
    await inStatus(request.requestId, 'COMPLETED');
  });

  it('closes the approval message when the requester cancels', async () => {
    const { request, message } = await waitingForApproval();
    expect((await api(system, 'POST', `/v1/connection-requests/${request.requestId}/cancel`, { token: requester })).status).toBe(202);
    // The workflow rolls back (closing the approval) once it has waited out the stopped execution's steps.
    await eventually(
      async () => {
        await sandboxControl(system, 'POST', '/clock/advance', { seconds: 30 });
        return read(request.requestId)();
      },
      (current) => current.status === 'CANCELLED',
      'the cancelled request to be rolled back',
    );
    const now = await currentMessage(message.channel, message.ts!);
    expect(now.text).toMatch(/^No longer needed at .*\(the request was cancelled\)/);
    expect(hasButtons(now)).toBe(false);
  });
});

describe('task tokens', () => {
  it('appear in no log line, Slack message, interactivity request or API answer', async () => {
    await recordIssuedTokens();
    // One token per wait: the seven approvals above, and the host set-up wait of the first request.
    expect(issuedTokens.size).toBeGreaterThanOrEqual(8);
    for (const token of issuedTokens) expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);

    const { executions } = await sandboxControl<{ executions: { name: string }[] }>(system, 'GET', '/executions');
    const requestViews = await Promise.all(executions.map(async (execution) => (await api(system, 'GET', `/v1/connection-requests/${execution.name}`, { token: admin })).body));
    const corpus = [
      ['logs', captured.join('\n')],
      ['Slack messages', JSON.stringify(await slackEvents())],
      ['requests sent to the interactivity endpoint', JSON.stringify(sentToUs)],
      ['the sandbox state (incl. deliveries)', JSON.stringify(await sandboxControl(system, 'GET', '/state'))],
      ['executions', JSON.stringify(await Promise.all(executions.map((execution) => sandboxControl(system, 'GET', `/executions/${execution.name}`))))],
      ['request views', JSON.stringify(requestViews)],
    ] as const;
    expect(captured.length).toBeGreaterThan(0);
    for (const [where, text] of corpus) {
      const leaked = [...issuedTokens].filter((token) => text.includes(token));
      expect(leaked, `task tokens found in ${where}`).toEqual([]);
    }
  });
});
