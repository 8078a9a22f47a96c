import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackClient, SlackApiError, type PostedMessage, type SlackClient } from '../../functions/adapters/slack/client.ts';
import { parseInteractionPayload } from '../../functions/adapters/slack/interaction-payload.ts';
import { approvalRequestMessage, decisionMessage, hostSetupMessage } from '../../functions/adapters/slack/messages.ts';
import { slackSignatureHeaders, verifySlackRequest, type SlackVerification } from '../../functions/adapters/slack/signature.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import type { ClickAnswer } from '../../infra/local/sandbox/services/slack/click.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';
import {
  APP_ID,
  APPROVALS_CHANNEL,
  BOT_TOKEN,
  recordedSlackEvents,
  slackApiUrl,
  startReceiver,
  TEAM_ID,
  type ReceivedRequest,
  type Receiver,
} from '../helpers/fake-slack.ts';

const SIGNING_SECRET = 'click-test-signing-secret';
const APPROVAL_ID = 'q8Xr2c1VwZk0d5nYbH3p9A';

const facts = {
  approvalId: APPROVAL_ID,
  requestId: 'req-0001',
  requester: 'U0REQUESTER',
  providerEndpoint: 'https://ghe.example.com',
  connectionName: 'ghe-payments',
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/6f1b2c3d-0000-4000-8000-000000000001',
  consoleUrl: 'https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1/codeconnections/connections/6f1b2c3d',
  region: 'us-east-1',
  // Approve is a button only in explicit mode (the default's finished handshake is the approval).
  approvalMode: 'explicit' as const,
};

/**
 * What our interactivity endpoint will do: verify with our own verifier, answer 401 or 200. Its
 * clock is the sandbox clock, as the local functions' is (Slack signs with the sandbox clock too).
 */
let nowSeconds: () => number = () => Date.now() / 1000;
function verify(request: ReceivedRequest): SlackVerification {
  return verifySlackRequest({
    signingSecret: SIGNING_SECRET,
    rawBody: request.rawBody,
    ...slackSignatureHeaders(request.headers as Record<string, string>),
    nowSeconds: nowSeconds(),
  });
}

describe('POST /_sandbox/slack/click', () => {
  let sandbox: Sandbox;
  let receiver: Receiver;
  let slack: SlackClient;
  let posted: PostedMessage;

  const clickBody = (overrides: Record<string, unknown>) => ({
    channel: posted.channel,
    ts: posted.ts,
    actionId: 'approve',
    userId: 'U0APPROVER',
    ...overrides,
  });
  const click = (overrides: Record<string, unknown> = {}) => control<ClickAnswer>(sandbox, 'POST', '/slack/click', clickBody(overrides));

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    nowSeconds = () => sandbox.clock.nowMs() / 1000;
    receiver = await startReceiver((request, response) => {
      const verdict = verify(request);
      response.writeHead(verdict.ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(verdict));
    });
    slack = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), retries: 0 });
  });

  afterAll(async () => {
    await receiver.close();
    await sandbox.close();
  });

  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset');
    receiver.received.length = 0;
    await control(sandbox, 'PUT', '/slack/config', { signingSecret: SIGNING_SECRET, interactivityUrl: receiver.url, ackTimeoutMs: 3000 });
    posted = await slack.postMessage(APPROVALS_CHANNEL, approvalRequestMessage(facts));
  });

  it('delivers a correctly signed, form-encoded block_actions POST that our verifier accepts', async () => {
    const result = await click();

    expect(result).toMatchObject({ status: 200, body: JSON.stringify({ ok: true }) });
    expect(result.failure).toBeUndefined();
    const [request] = receiver.received;
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(verify(request!)).toEqual({ ok: true });
  });

  it('sends a genuine payload: team, app, user, the button value, the message and a response_url back to the fake Slack', async () => {
    await click();

    const payload = parseInteractionPayload(receiver.received[0]!.rawBody);
    expect(payload).toMatchObject({
      type: 'block_actions',
      team: { id: TEAM_ID },
      api_app_id: APP_ID,
      user: { id: 'U0APPROVER' },
      actions: [{ action_id: 'approve', value: APPROVAL_ID, block_id: 'approval-decision' }],
      message: { ts: posted.ts },
      channel: { id: APPROVALS_CHANNEL },
      container: { type: 'message', message_ts: posted.ts, channel_id: APPROVALS_CHANNEL },
    });
    expect(payload.response_url).toMatch(new RegExp(`^${sandbox.url}/slack/response/[0-9a-f]{24}$`));
  });

  it('clicks Reject with the same approval id', async () => {
    await click({ actionId: 'reject' });
    expect(parseInteractionPayload(receiver.received[0]!.rawBody).actions[0]).toMatchObject({ action_id: 'reject', value: APPROVAL_ID });
  });

  it('clicks "Done — check now" on the default (handshake mode) approval request and on the host set-up notice, with the request id', async () => {
    const handshake = await slack.postMessage(APPROVALS_CHANNEL, approvalRequestMessage({ ...facts, approvalMode: 'handshake' }));
    await click({ ts: handshake.ts, actionId: 'check_now' });
    expect(parseInteractionPayload(receiver.received[0]!.rawBody).actions[0]).toMatchObject({ action_id: 'check_now', value: facts.requestId, block_id: 'approval-decision' });
    await expect(click({ ts: handshake.ts, actionId: 'approve' })).rejects.toThrow('ButtonNotFound');

    const host = await slack.postMessage(APPROVALS_CHANNEL, hostSetupMessage({ ...facts, hostName: 'ghe-example-com', hostArn: 'arn:aws:codeconnections:us-east-1:111111111111:host/ghe-0a1b2c3d' }));
    await click({ ts: host.ts, actionId: 'check_now' });
    expect(parseInteractionPayload(receiver.received[1]!.rawBody).actions[0]).toMatchObject({ action_id: 'check_now', value: facts.requestId, block_id: 'host-setup-done' });
  });

  it('lets a test claim another workspace or app', async () => {
    await click({ teamId: 'T0FOREIGN', appId: 'A0FOREIGN' });
    expect(parseInteractionPayload(receiver.received[0]!.rawBody)).toMatchObject({ team: { id: 'T0FOREIGN' }, api_app_id: 'A0FOREIGN' });
  });

  it('forges the signature on request, which our verifier refuses', async () => {
    const result = await click({ forgeSignature: true });
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body!)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('sends a custom timestamp, signed, so the replay window can be tested', async () => {
    const stale = await click({ timestamp: Math.floor(nowSeconds()) - 600 });
    expect(JSON.parse(stale.body!)).toEqual({ ok: false, reason: 'stale-timestamp' });
    const future = await click({ timestamp: Math.floor(nowSeconds()) + 600 });
    expect(JSON.parse(future.body!)).toEqual({ ok: false, reason: 'future-timestamp' });
  });

  it('lets the app replace the message through response_url, after which the buttons are gone', async () => {
    await click();
    const { response_url: responseUrl } = parseInteractionPayload(receiver.received[0]!.rawBody);

    await slack.respond(responseUrl!, decisionMessage({ ...facts, outcome: 'approved', decidedBy: 'U0APPROVER', decidedAt: new Date() }));

    const [response] = await recordedSlackEvents(sandbox, '?kind=response');
    expect(response).toMatchObject({ kind: 'response', channel: posted.channel, ts: posted.ts, replaceOriginal: true });
    expect(response!.text).toMatch(/^Approved by <@U0APPROVER> at /);
    const again = await fetch(`${sandbox.url}/_sandbox/slack/click`, {
      method: 'POST',
      body: JSON.stringify(clickBody({ userId: 'U0OTHER' })),
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: 'ButtonNotFound' } });
  });

  it('answers briefly with what the clicker saw, people by name; ?verbose=1 adds the payload sent', async () => {
    // An endpoint that does what ours does within the request: a private answer, then the decided message.
    const answering = await startReceiver(async (request, response) => {
      const { response_url: responseUrl } = parseInteractionPayload(request.rawBody);
      await slack.respond(responseUrl!, { text: 'Thanks, <@U0APPROVER>: <!subteam^S0APPROVERS> are told.', blocks: [] }, { replaceOriginal: false });
      await slack.respond(responseUrl!, decisionMessage({ ...facts, outcome: 'approved', decidedBy: 'U0APPROVER', decidedAt: new Date('2026-03-01T12:34:56Z') }));
      response.writeHead(200).end();
    });
    try {
      await control(sandbox, 'PUT', '/slack/config', { interactivityUrl: answering.url });
      const answer = await click();
      expect(Object.keys(answer).sort()).toEqual(['deliveryId', 'elapsedMs', 'shown', 'status']);
      expect(answer).toMatchObject({ status: 200, deliveryId: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect(answer.shown).toEqual([
        'only visible to you: Thanks, @Ada Approver: @approvers are told.',
        `the message now reads: Approved by @Ada Approver at 2026-03-01T12:34:56.000Z: connection ghe-payments to https://ghe.example.com. (request ${facts.requestId})`,
      ]);
      expect(JSON.stringify(answer).length).toBeLessThan(600);

      // The recorded text keeps the mention as Slack stores it; `shown` is what people read.
      const [, replaced] = await recordedSlackEvents(sandbox, '?kind=response');
      expect(replaced).toMatchObject({ text: expect.stringMatching(/^Approved by <@U0APPROVER> at /), shown: expect.stringMatching(/^Approved by @Ada Approver at /) });

      const fresh = await slack.postMessage(APPROVALS_CHANNEL, approvalRequestMessage(facts));
      const verbose = await control<ClickAnswer>(sandbox, 'POST', '/slack/click?verbose=1', clickBody({ ts: fresh.ts, userId: 'U0LEAD' }));
      expect(verbose.payload).toMatchObject({ type: 'block_actions', user: { id: 'U0LEAD', username: 'lee' }, message: { ts: fresh.ts } });
    } finally {
      await answering.close();
    }
  });

  it('allows a response_url five times, then answers used_url', async () => {
    await click();
    const { response_url: responseUrl } = parseInteractionPayload(receiver.received[0]!.rawBody);
    const note = { text: 'Working on it', blocks: [] };

    for (let use = 0; use < 5; use += 1) await slack.respond(responseUrl!, note, { replaceOriginal: false });

    const error = await slack.respond(responseUrl!, note, { replaceOriginal: false }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(SlackApiError);
    expect(error).toMatchObject({ code: 'used_url' });
    expect(await recordedSlackEvents(sandbox, '?kind=response')).toHaveLength(5);
    expect((await recordedSlackEvents(sandbox, '?kind=response'))[0]).toMatchObject({ responseType: 'ephemeral', user: 'U0APPROVER' });
  });

  it('expires a response_url thirty minutes (sandbox time) after the click', async () => {
    await click();
    const { response_url: responseUrl } = parseInteractionPayload(receiver.received[0]!.rawBody);
    await control(sandbox, 'POST', '/clock/advance', { seconds: 31 * 60 });

    await expect(slack.respond(responseUrl!, { text: 'late', blocks: [] })).rejects.toMatchObject({ code: 'expired_url' });
  });

  it('refuses to click before the app is configured, on unknown messages and on missing buttons', async () => {
    const attempt = (overrides: Record<string, unknown>) =>
      fetch(`${sandbox.url}/_sandbox/slack/click`, { method: 'POST', body: JSON.stringify(clickBody(overrides)) });

    expect((await attempt({ ts: '1700000000.000001' })).status).toBe(404);
    expect((await attempt({ actionId: 'open-console' })).status).toBe(404);
    const missingUser = await attempt({ userId: '' });
    expect(await missingUser.json()).toMatchObject({ error: { details: [{ path: 'userId' }] } });

    await control(sandbox, 'POST', '/reset');
    const fresh = await slack.postMessage(APPROVALS_CHANNEL, approvalRequestMessage(facts));
    const unconfigured = await attempt({ ts: fresh.ts });
    expect(unconfigured.status).toBe(409);
    expect(await unconfigured.json()).toMatchObject({ error: { code: 'NotConfigured' } });
  });

  it('signs with the sandbox clock, so a receiver on that clock (as the local functions are) accepts a click after days have passed', async () => {
    await control(sandbox, 'POST', '/clock/advance', { seconds: 2 * 86_400 });
    const result = await click();
    expect(result.status).toBe(200);
    const stamped = Number(receiver.received[0]!.headers['x-slack-request-timestamp']);
    expect(Math.abs(stamped - nowSeconds())).toBeLessThan(5);
    expect(stamped - Date.now() / 1000).toBeGreaterThan(86_400);
  });

  it('replays an earlier request byte for byte, signature and timestamp included', async () => {
    const first = await click();
    const replayed = await control<{ status: number; deliveryId: string }>(sandbox, 'POST', '/slack/replay', { deliveryId: first.deliveryId });
    expect(replayed).toMatchObject({ status: 200, deliveryId: first.deliveryId });
    const [original, again] = receiver.received;
    expect(again!.rawBody).toBe(original!.rawBody);
    expect(again!.headers['x-slack-signature']).toBe(original!.headers['x-slack-signature']);
    expect(again!.headers['x-slack-request-timestamp']).toBe(original!.headers['x-slack-request-timestamp']);
    await expect(control(sandbox, 'POST', '/slack/replay', { deliveryId: 'nope' })).rejects.toThrow('DeliveryNotFound');
  });

  it('delivers any form body, correctly signed', async () => {
    const result = await control<{ status: number }>(sandbox, 'POST', '/slack/deliver', { body: 'payload=%7Bnot-json' });
    expect(result.status).toBe(200);
    expect(receiver.received.at(-1)!.rawBody).toBe('payload=%7Bnot-json');
    expect(verify(receiver.received.at(-1)!)).toEqual({ ok: true });
    await expect(control(sandbox, 'POST', '/slack/deliver', { body: 42 })).rejects.toThrow('body must be the raw form body');
  });

  it('takes user groups in its configuration, and refuses ones that are not ids', async () => {
    const config = await control<{ userGroups: Record<string, string[]> }>(sandbox, 'PUT', '/slack/config', { userGroups: { S0OPS: ['U0ONE'] } });
    expect(config.userGroups).toEqual({ S0OPS: ['U0ONE'] });
    await expect(control(sandbox, 'PUT', '/slack/config', { userGroups: { ops: ['alice'] } })).rejects.toThrow('userGroups must map user group ids');
  });

  describe('the three-second acknowledgement', () => {
    let slowReceiver: Receiver;

    beforeAll(async () => {
      slowReceiver = await startReceiver(async (_request, response) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        response.writeHead(200).end();
      });
    });

    afterEach(async () => {
      await control(sandbox, 'PUT', '/slack/config', { interactivityUrl: receiver.url, ackTimeoutMs: 3000 });
    });

    afterAll(async () => {
      await slowReceiver.close();
    });

    it('reports an endpoint that answers after the deadline as ack-timeout (Slack would show the user an error)', async () => {
      await control(sandbox, 'PUT', '/slack/config', { interactivityUrl: slowReceiver.url, ackTimeoutMs: 150 });
      const result = await click();
      expect(result).toMatchObject({ status: 0, failure: 'ack-timeout' });
      expect(result.elapsedMs).toBeLessThan(400);
    });

    it('reports an endpoint that is not listening as unreachable', async () => {
      await control(sandbox, 'PUT', '/slack/config', { interactivityUrl: 'http://127.0.0.1:9/slack/interactivity' });
      expect(await click()).toMatchObject({ status: 0, failure: 'unreachable' });
    });
  });

  it('records nothing that looks like a Slack token or a task token', async () => {
    await click();
    const { response_url: responseUrl } = parseInteractionPayload(receiver.received[0]!.rawBody);
    await slack.respond(responseUrl!, decisionMessage({ ...facts, outcome: 'rejected', decidedBy: 'U0APPROVER', decidedAt: new Date() }));

    const recorded = JSON.stringify(await recordedSlackEvents(sandbox));
    expect(recorded).not.toMatch(/xox[abeprs]-/);
    expect(recorded).not.toMatch(/"[^"]*token[^"]*":/i);
  });
});
