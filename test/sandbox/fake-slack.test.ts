import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';
import { APPROVALS_CHANNEL, BOT_TOKEN, recordedSlackEvents, slackApiUrl, TEAM_ID } from '../helpers/fake-slack.ts';

interface RawAnswer {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
}

/** Calls the fake Web API without @slack/web-api, for what the client would never send. */
async function rawCall(sandbox: Sandbox, method: string, init: { body?: string; contentType?: string; token?: string | null } = {}): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? BOT_TOKEN}`;
  const response = await fetch(`${slackApiUrl(sandbox)}${method}`, { method: 'POST', headers, body: init.body ?? '' });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

function form(values: Record<string, unknown>): string {
  return new URLSearchParams(
    Object.entries(values).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  ).toString();
}

describe('fake Slack Web API', () => {
  let sandbox: Sandbox;
  let web: WebClient;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    web = new WebClient(BOT_TOKEN, { slackApiUrl: slackApiUrl(sandbox), retryConfig: { retries: 0 }, allowAbsoluteUrls: false });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset');
  });

  describe('authentication', () => {
    it('answers auth.test for the bot', async () => {
      const result = await web.auth.test();
      expect(result).toMatchObject({ ok: true, team_id: TEAM_ID, user_id: 'U0SANDBOXBOT', bot_id: 'B0SANDBOXBOT' });
      expect(result.response_metadata?.scopes).toContain('chat:write');
    });

    it('answers not_authed without a token and invalid_auth with a wrong one, both with HTTP 200 like Slack', async () => {
      expect(await rawCall(sandbox, 'auth.test', { token: null })).toMatchObject({ status: 200, json: { ok: false, error: 'not_authed' } });
      expect(await rawCall(sandbox, 'auth.test', { token: 'xoxb-wrong' })).toMatchObject({ status: 200, json: { ok: false, error: 'invalid_auth' } });
    });

    it('accepts the token as a form field too', async () => {
      const answer = await rawCall(sandbox, 'auth.test', { token: null, body: form({ token: BOT_TOKEN }) });
      expect(answer.json).toMatchObject({ ok: true });
    });

    it('ignores a token inside a JSON body: JSON calls must use the header', async () => {
      const answer = await rawCall(sandbox, 'auth.test', { token: null, contentType: 'application/json', body: JSON.stringify({ token: BOT_TOKEN }) });
      expect(answer.json).toMatchObject({ ok: false, error: 'not_authed' });
    });

    it('answers unknown_method for methods it does not serve', async () => {
      expect((await rawCall(sandbox, 'admin.users.list')).json).toMatchObject({ ok: false, error: 'unknown_method' });
    });
  });

  describe('chat.postMessage', () => {
    it('accepts a JSON body with real arrays, as well as form bodies with JSON text', async () => {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];
      const viaJson = await rawCall(sandbox, 'chat.postMessage', {
        contentType: 'application/json; charset=utf-8',
        body: JSON.stringify({ channel: APPROVALS_CHANNEL, text: 'hello', blocks }),
      });
      const viaForm = await rawCall(sandbox, 'chat.postMessage', { body: form({ channel: APPROVALS_CHANNEL, text: 'hello', blocks }) });

      for (const { json } of [viaJson, viaForm]) {
        expect(json).toMatchObject({
          ok: true,
          channel: APPROVALS_CHANNEL,
          message: { type: 'message', text: 'hello', bot_id: 'B0SANDBOXBOT', blocks: [{ ...blocks[0], block_id: expect.any(String) }] },
        });
      }
      expect(viaJson.json.ts).not.toBe(viaForm.json.ts);
    });

    it('answers no_text without text or blocks', async () => {
      expect((await web.chat.postMessage({ channel: APPROVALS_CHANNEL, text: '' }).catch((error: { data: unknown }) => error.data))).toMatchObject({
        ok: false,
        error: 'no_text',
      });
    });

    it.each([
      ['51 blocks', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks'],
      ['a section text of 3001 characters', [{ type: 'section', text: { type: 'mrkdwn', text: 'a'.repeat(3001) } }], '/blocks/0/text/text'],
      ['11 section fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }], '/blocks/0/fields'],
      ['a header in mrkdwn', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }], '/blocks/0/text/type'],
      ['a button value of 2001 characters', [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' }, value: 'v'.repeat(2001) }] }], '/blocks/0/elements/0/value'],
      ['a button text of 76 characters', [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(76) } }] }], '/blocks/0/elements/0/text/text'],
      ['two buttons with one action_id', [{ type: 'actions', elements: [1, 2].map(() => ({ type: 'button', action_id: 'same', text: { type: 'plain_text', text: 'A' } })) }], '/blocks/0/elements/1/action_id'],
      ['a confirm text of 301 characters', [{ type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' }, confirm: { title: { type: 'plain_text', text: 't' }, text: { type: 'plain_text', text: 'c'.repeat(301) }, confirm: { type: 'plain_text', text: 'Yes' }, deny: { type: 'plain_text', text: 'No' } } }] }], '/blocks/0/elements/0/confirm/text/text'],
      ['duplicate block ids', [{ type: 'divider', block_id: 'x' }, { type: 'divider', block_id: 'x' }], '/blocks/1/block_id'],
      ['an unknown block type', [{ type: 'carousel' }], '/blocks/0/type'],
    ])('answers invalid_blocks for %s, pointing at the culprit', async (_case, blocks, pointer) => {
      const answer = await rawCall(sandbox, 'chat.postMessage', { body: form({ channel: APPROVALS_CHANNEL, text: 'x', blocks }) });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ ok: false, error: 'invalid_blocks' });
      expect((answer.json.response_metadata as { messages: string[] }).messages[0]).toContain(`[json-pointer:${pointer}]`);
    });

    it('answers invalid_blocks_format for blocks that are not JSON', async () => {
      const answer = await rawCall(sandbox, 'chat.postMessage', { body: form({ channel: APPROVALS_CHANNEL, text: 'x', blocks: '[{' }) });
      expect(answer.json).toMatchObject({ ok: false, error: 'invalid_blocks_format' });
    });

    it('answers msg_too_long above 40,000 characters of text', async () => {
      const answer = await rawCall(sandbox, 'chat.postMessage', { body: form({ channel: APPROVALS_CHANNEL, text: 'a'.repeat(40_001) }) });
      expect(answer.json).toMatchObject({ ok: false, error: 'msg_too_long' });
    });

    it('knows only the configured channels', async () => {
      await control(sandbox, 'PUT', '/slack/config', { channels: ['C0OTHER'] });
      expect((await rawCall(sandbox, 'chat.postMessage', { body: form({ channel: APPROVALS_CHANNEL, text: 'x' }) })).json).toMatchObject({ error: 'channel_not_found' });
      expect((await rawCall(sandbox, 'chat.postMessage', { body: form({ channel: 'C0OTHER', text: 'x' }) })).json).toMatchObject({ ok: true });
    });
  });

  describe('chat.update', () => {
    it('keeps the blocks when only the text changes, as Slack does', async () => {
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];
      const posted = await web.chat.postMessage({ channel: APPROVALS_CHANNEL, text: 'hello', blocks });
      const updated = await web.chat.update({ channel: APPROVALS_CHANNEL, ts: posted.ts!, text: 'hello again' });
      expect(updated).toMatchObject({ ok: true, channel: APPROVALS_CHANNEL, ts: posted.ts, text: 'hello again', message: { blocks: posted.message!.blocks } });
    });

    it('validates the new content', async () => {
      const posted = await web.chat.postMessage({ channel: APPROVALS_CHANNEL, text: 'hello' });
      const answer = await rawCall(sandbox, 'chat.update', { body: form({ channel: APPROVALS_CHANNEL, ts: posted.ts!, blocks: [{ type: 'carousel' }] }) });
      expect(answer.json).toMatchObject({ ok: false, error: 'invalid_blocks' });
    });
  });

  describe('conversations.open and users.info', () => {
    it('opens the DM with a user, which then takes messages', async () => {
      const opened = await web.conversations.open({ users: 'U0APPROVER' });
      expect(opened.channel?.id).toBe('D0APPROVER');
      const posted = await web.chat.postMessage({ channel: 'D0APPROVER', text: 'hi' });
      expect(posted.channel).toBe('D0APPROVER');
    });

    it('refuses group DMs and unknown users', async () => {
      expect((await rawCall(sandbox, 'conversations.open', { body: form({ users: 'U0A,U0B' }) })).json).toMatchObject({ ok: false, error: 'not_supported' });
      expect((await rawCall(sandbox, 'conversations.open', { body: form({ users: 'nobody' }) })).json).toMatchObject({ ok: false, error: 'user_not_found' });
      expect((await rawCall(sandbox, 'users.info', { body: form({ user: 'nobody' }) })).json).toMatchObject({ ok: false, error: 'user_not_found' });
    });

    it('describes a user minimally', async () => {
      const info = await web.users.info({ user: 'U0APPROVER' });
      expect(info.user).toMatchObject({ id: 'U0APPROVER', team_id: TEAM_ID, is_bot: false, deleted: false });
    });
  });

  describe('rate limiting', () => {
    it('answers 429 with Retry-After for as many calls as asked', async () => {
      await control(sandbox, 'POST', '/slack/rate-limit', { calls: 2, retryAfterSeconds: 7 });
      const first = await rawCall(sandbox, 'auth.test');
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('7');
      expect((await rawCall(sandbox, 'auth.test')).status).toBe(429);
      expect((await rawCall(sandbox, 'auth.test')).status).toBe(200);
    });
  });

  describe('control API', () => {
    it('validates the configuration, naming the field', async () => {
      const response = await fetch(`${sandbox.url}/_sandbox/slack/config`, { method: 'PUT', body: JSON.stringify({ botToken: 'xoxp-user-token' }) });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'InvalidParameter', details: [{ path: 'botToken' }] } });
      const badUrl = await fetch(`${sandbox.url}/_sandbox/slack/config`, { method: 'PUT', body: JSON.stringify({ interactivityUrl: 'ftp://x' }) });
      expect(await badUrl.json()).toMatchObject({ error: { details: [{ path: 'interactivityUrl' }] } });
    });

    it('never shows the signing secret or the bot token back', async () => {
      const view = await control(sandbox, 'PUT', '/slack/config', { signingSecret: 'shh-secret', botToken: 'xoxb-new-token-123', teamId: 'T0OTHER' });
      expect(view).toMatchObject({ signingSecret: '(set)', teamId: 'T0OTHER' });
      expect(JSON.stringify(view)).not.toContain('shh-secret');
      expect(JSON.stringify(view)).not.toContain('xoxb-new-token-123');
      expect(JSON.stringify(await control(sandbox, 'GET', '/state'))).not.toContain('shh-secret');
    });

    it('lists its routes with the others, and forgets everything on reset', async () => {
      const { routes } = await control<{ routes: { path: string }[] }>(sandbox, 'GET', '/');
      expect(routes.map((route) => route.path)).toEqual(expect.arrayContaining(['/_sandbox/slack/messages', '/_sandbox/slack/config', '/_sandbox/slack/click']));

      await web.chat.postMessage({ channel: APPROVALS_CHANNEL, text: 'hello' });
      expect(await recordedSlackEvents(sandbox)).toHaveLength(1);
      await control(sandbox, 'POST', '/reset');
      expect(await recordedSlackEvents(sandbox)).toEqual([]);
    });

    it('filters recorded messages by channel and kind', async () => {
      await web.chat.postMessage({ channel: APPROVALS_CHANNEL, text: 'one' });
      await web.chat.postMessage({ channel: 'C0HOSTADMINS', text: 'two' });
      expect((await recordedSlackEvents(sandbox, '?channel=C0HOSTADMINS')).map((event) => event.text)).toEqual(['two']);
      expect(await recordedSlackEvents(sandbox, '?kind=update')).toEqual([]);
    });
  });

  it('leaves the AWS protocols alone: a form POST elsewhere still reaches IAM', async () => {
    const response = await fetch(sandbox.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=ListRoles&Version=2010-05-08',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<ListRolesResponse');
  });
});
