import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SlackMessage } from './block-kit.ts';
import {
  createSlackClient,
  DEFAULT_SLACK_API_URL,
  sharedSlackClient,
  SlackApiError,
  slackSettingsFromEnv,
  type SlackClient,
} from './client.ts';
import { approvalRequestMessage, hostSetupMessage } from './messages.ts';
import { deadlineIn } from '../../shell/deadline.ts';
import type { Sandbox } from '../../../infra/local/sandbox/server.ts';
import { control, startTestSandbox } from '../../../test/helpers/sandbox.ts';
import { APPROVALS_CHANNEL, BOT_TOKEN, recordedSlackEvents, slackApiUrl } from '../../../test/helpers/fake-slack.ts';

const approval = approvalRequestMessage({
  approvalId: 'q8Xr2c1VwZk0d5nYbH3p9A',
  requestId: 'req-0001',
  requester: 'U0REQUESTER',
  providerEndpoint: 'https://ghe.example.com',
  connectionName: 'ghe-payments',
  connectionArn: 'arn:aws:codeconnections:us-east-1:111111111111:connection/6f1b2c3d-0000-4000-8000-000000000001',
  consoleUrl: 'https://us-east-1.console.aws.amazon.com/codesuite/settings/111111111111/us-east-1/codeconnections/connections/6f1b2c3d',
  region: 'us-east-1',
});

async function slackError(promise: Promise<unknown>): Promise<SlackApiError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(SlackApiError);
  return error as SlackApiError;
}

describe('Slack client adapter against the fake Slack (real @slack/web-api)', () => {
  let sandbox: Sandbox;
  let slack: SlackClient;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(async () => {
    await sandbox.close();
  });

  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset');
    slack = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), retries: 0 });
  });

  it('posts a message and returns where it landed', async () => {
    const posted = await slack.postMessage(APPROVALS_CHANNEL, approval);

    expect(posted.channel).toBe(APPROVALS_CHANNEL);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const [event] = await recordedSlackEvents(sandbox);
    expect(event).toMatchObject({ kind: 'post', channel: APPROVALS_CHANNEL, ts: posted.ts, text: approval.text });
    // Slack adds generated block ids; apart from that the blocks arrive as built.
    expect(event!.blocks).toEqual(approval.blocks.map((block) => ({ ...block, block_id: expect.any(String) })));
  });

  it('posts to a user id through the DM channel Slack opens for it', async () => {
    const posted = await slack.postMessage('U0REQUESTER', hostSetupMessage({
      requestId: 'req-0001',
      requester: 'U0REQUESTER',
      providerEndpoint: 'https://ghe.example.com',
      hostName: 'ghe-example-com',
      hostArn: 'arn:aws:codeconnections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d',
      consoleUrl: 'https://us-east-1.console.aws.amazon.com/codesuite/settings/connections',
    }));
    expect(posted.channel).toBe('D0REQUESTER');
  });

  it('updates a posted message in place', async () => {
    const posted = await slack.postMessage(APPROVALS_CHANNEL, approval);
    const replacement: SlackMessage = { text: 'Approved', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Approved*' } }] };

    await slack.updateMessage(posted.channel, posted.ts, replacement);

    const events = await recordedSlackEvents(sandbox, '?kind=update');
    expect(events).toMatchObject([{ kind: 'update', channel: posted.channel, ts: posted.ts, text: 'Approved' }]);
  });

  it('replies in a message’s thread', async () => {
    const parent = await slack.postMessage(APPROVALS_CHANNEL, approval);
    const reply = await slack.postMessage(APPROVALS_CHANNEL, { text: 'Reminder', blocks: [] }, { threadTs: parent.ts });
    expect(await recordedSlackEvents(sandbox, '?kind=post')).toMatchObject([{ ts: parent.ts }, { ts: reply.ts, threadTs: parent.ts }]);
  });

  it('lists a user group’s members, and reports an unknown group as no_such_subteam', async () => {
    await control(sandbox, 'PUT', '/slack/config', { userGroups: { S0PLATFORM: ['U0ONE', 'U0TWO'] } });
    expect(await slack.userGroupMembers('S0PLATFORM')).toEqual(['U0ONE', 'U0TWO']);
    expect(await slackError(slack.userGroupMembers('S0NOBODY'))).toMatchObject({ method: 'usergroups.users.list', code: 'no_such_subteam' });
  });

  it('shows an ephemeral message to one user', async () => {
    await slack.postEphemeral(APPROVALS_CHANNEL, 'U0APPROVER', 'Only the listed approvers can decide.');
    expect(await recordedSlackEvents(sandbox)).toMatchObject([
      { kind: 'ephemeral', channel: APPROVALS_CHANNEL, user: 'U0APPROVER', text: 'Only the listed approvers can decide.' },
    ]);
  });

  it('reports a wrong bot token as invalid_auth, and never puts the token in the error', async () => {
    const wrongToken = 'xoxb-not-the-right-one';
    const impostor = createSlackClient({ botToken: wrongToken, apiUrl: slackApiUrl(sandbox), retries: 0 });
    const error = await slackError(impostor.postMessage(APPROVALS_CHANNEL, approval));
    expect(error).toMatchObject({ method: 'chat.postMessage', code: 'invalid_auth' });
    expect(`${error.message} ${String(error.cause)}`).not.toContain(wrongToken);
  });

  it('reports an unknown channel as channel_not_found', async () => {
    const error = await slackError(slack.postMessage('C0NOSUCHCHANNEL', approval));
    expect(error.code).toBe('channel_not_found');
  });

  it('reports blocks Slack would refuse as invalid_blocks, and an overlong text as msg_too_long', async () => {
    const tooManyBlocks: SlackMessage = { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' as const })) };
    expect((await slackError(slack.postMessage(APPROVALS_CHANNEL, tooManyBlocks))).code).toBe('invalid_blocks');

    const longSection: SlackMessage = { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } }] };
    expect((await slackError(slack.postMessage(APPROVALS_CHANNEL, longSection))).code).toBe('invalid_blocks');

    expect((await slackError(slack.postMessage(APPROVALS_CHANNEL, { text: 'a'.repeat(40_001), blocks: [] }))).code).toBe('msg_too_long');
    expect(await recordedSlackEvents(sandbox)).toEqual([]);
  });

  it('reports an update of an unknown message as message_not_found', async () => {
    const error = await slackError(slack.updateMessage(APPROVALS_CHANNEL, '1700000000.000001', approval));
    expect(error).toMatchObject({ method: 'chat.update', code: 'message_not_found' });
  });

  it('waits out a 429 with Retry-After and then succeeds', async () => {
    await control(sandbox, 'POST', '/slack/rate-limit', { calls: 1, retryAfterSeconds: 1 });
    const patient = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), retries: 1 });

    const started = Date.now();
    const posted = await patient.postMessage(APPROVALS_CHANNEL, approval);

    expect(posted.channel).toBe(APPROVALS_CHANNEL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('gives up a call Slack does not answer by the deadline, retries included', async () => {
    await control(sandbox, 'PUT', '/slack/latency', { ms: 20_000 });
    const bounded = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), timeoutMs: 5000, retries: 2, deadline: deadlineIn(800) });

    const started = Date.now();
    const error = await slackError(bounded.postMessage(APPROVALS_CHANNEL, approval));

    expect(error).toMatchObject({ method: 'chat.postMessage', code: 'timed_out' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(await recordedSlackEvents(sandbox)).toEqual([]);
  });

  it('bounds a response_url POST by the deadline too', async () => {
    await control(sandbox, 'PUT', '/slack/latency', { ms: 20_000 });
    const bounded = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), timeoutMs: 5000, deadline: deadlineIn(600) });
    const started = Date.now();
    const error = await slackError(bounded.respond(`${sandbox.url}/slack/response/0123456789abcdef`, approval));
    expect(error).toMatchObject({ method: 'response_url', code: 'timed_out' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('waits for a slow Slack that answers within the attempt timeout', async () => {
    await control(sandbox, 'PUT', '/slack/latency', { ms: 300 });
    const patient = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), timeoutMs: 1000, retries: 0 });
    expect((await patient.postMessage(APPROVALS_CHANNEL, approval)).channel).toBe(APPROVALS_CHANNEL);
  });

  it('does not wait out a Retry-After longer than the time left, and starts no call without time', async () => {
    await control(sandbox, 'POST', '/slack/rate-limit', { calls: 1, retryAfterSeconds: 30 });
    const bounded = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), retries: 2, deadline: deadlineIn(3000) });

    const started = Date.now();
    expect(await slackError(bounded.postMessage(APPROVALS_CHANNEL, approval))).toMatchObject({ code: 'ratelimited' });
    expect(Date.now() - started).toBeLessThan(1000);

    const spent = createSlackClient({ botToken: BOT_TOKEN, apiUrl: slackApiUrl(sandbox), deadline: deadlineIn(0) });
    expect(await slackError(spent.postMessage(APPROVALS_CHANNEL, approval))).toMatchObject({ code: 'no_time_left' });
    expect(await recordedSlackEvents(sandbox)).toEqual([]);
  });

  it('refuses to POST to a response_url outside Slack and the configured API host', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const error = await slackError(slack.respond('https://attacker.example/hook', approval));
      expect(error.code).toBe('response_url_not_allowed');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('reports a response_url Slack does not know as expired_url', async () => {
    const error = await slackError(slack.respond(`${sandbox.url}/slack/response/0123456789abcdef`, approval));
    expect(error).toMatchObject({ method: 'response_url', code: 'expired_url' });
  });

  it('logs nothing that contains the bot token when Slack cannot be reached', async () => {
    const secretToken = 'xoxb-111-222-secretsecret';
    const spies = (['log', 'info', 'debug', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
    try {
      const unreachable = createSlackClient({ botToken: secretToken, apiUrl: 'http://127.0.0.1:9/api/', retries: 0, timeoutMs: 1000 });
      const error = await slackError(unreachable.postMessage(APPROVALS_CHANNEL, approval));
      expect(error.code).toBe('request_failed');
      const logged = JSON.stringify(spies.flatMap((spy) => spy.mock.calls));
      expect(logged).not.toContain(secretToken);
      expect(logged).not.toContain('secretsecret');
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('Slack client settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads the bot token and the API URL from the environment, defaulting to slack.com', () => {
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({ botToken: 'xoxb-1', apiUrl: DEFAULT_SLACK_API_URL });
    expect(slackSettingsFromEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: 'http://127.0.0.1:4566/slack/api/' })).toEqual({
      botToken: 'xoxb-1',
      apiUrl: 'http://127.0.0.1:4566/slack/api/',
    });
  });

  it('fails clearly without a bot token', () => {
    expect(() => slackSettingsFromEnv({})).toThrow('SLACK_BOT_TOKEN is not set');
  });

  it('builds the shared client once per profile, and anew for a rotated token', () => {
    vi.stubEnv('SLACK_BOT_TOKEN', 'xoxb-shared');
    expect(sharedSlackClient()).toBe(sharedSlackClient());
    expect(sharedSlackClient('xoxb-shared')).toBe(sharedSlackClient());
    expect(sharedSlackClient('xoxb-shared', 'interactive')).not.toBe(sharedSlackClient('xoxb-shared'));
    expect(sharedSlackClient('xoxb-rotated')).not.toBe(sharedSlackClient('xoxb-shared'));
  });
});
