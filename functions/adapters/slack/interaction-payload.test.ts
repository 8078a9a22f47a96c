import { describe, expect, it } from 'vitest';
import { InteractionPayloadError, parseInteractionPayload } from './interaction-payload.ts';

/** A block_actions payload as Slack sends it for a button click, extra fields included. */
function slackPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: 'U0APPROVER', username: 'approver', name: 'approver', team_id: 'T0SANDBOX' },
    api_app_id: 'A0SANDBOX',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0APPROVALS', is_ephemeral: false },
    trigger_id: '1700000000.abc',
    team: { id: 'T0SANDBOX', domain: 'sandbox' },
    channel: { id: 'C0APPROVALS', name: 'approvals' },
    message: { type: 'message', ts: '1700000000.000100', text: 'Approval needed', blocks: [] },
    response_url: 'https://hooks.slack.com/actions/T0SANDBOX/1/abc',
    actions: [{ type: 'button', action_id: 'approve', block_id: 'approval-decision', value: 'approval-123', action_ts: '1700000001.000' }],
    ...overrides,
  };
}

function formBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function failure(rawBody: string): InteractionPayloadError {
  try {
    parseInteractionPayload(rawBody);
  } catch (error) {
    if (error instanceof InteractionPayloadError) return error;
    throw error;
  }
  throw new Error('expected the payload to be rejected');
}

describe('parseInteractionPayload', () => {
  it('reads the fields we act on from a button click', () => {
    const payload = parseInteractionPayload(formBody(slackPayload()));

    expect(payload).toEqual({
      type: 'block_actions',
      team: { id: 'T0SANDBOX' },
      api_app_id: 'A0SANDBOX',
      user: { id: 'U0APPROVER', username: 'approver' },
      actions: [{ action_id: 'approve', block_id: 'approval-decision', value: 'approval-123' }],
      response_url: 'https://hooks.slack.com/actions/T0SANDBOX/1/abc',
      message: { ts: '1700000000.000100' },
      channel: { id: 'C0APPROVALS' },
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0APPROVALS', is_ephemeral: false },
    });
  });

  it('drops the legacy verification token and everything else we do not use', () => {
    const payload = parseInteractionPayload(formBody(slackPayload()));
    expect(payload).not.toHaveProperty('token');
    expect(payload).not.toHaveProperty('trigger_id');
    expect(payload.message).not.toHaveProperty('blocks');
  });

  it('accepts the minimal payload (no response_url, message, channel or container)', () => {
    const { response_url: _r, message: _m, channel: _c, container: _k, ...minimal } = slackPayload();
    expect(parseInteractionPayload(formBody(minimal)).actions[0]!.value).toBe('approval-123');
  });

  it('reads a body whose JSON was encoded with + for spaces, as form encoders do', () => {
    const body = formBody(slackPayload({ user: { id: 'U0APPROVER', username: 'ada lovelace' } }));
    expect(body).toContain('ada+lovelace');
    expect(parseInteractionPayload(body).user.username).toBe('ada lovelace');
  });

  it.each([
    ['a body without payload', 'foo=bar', 'payload'],
    ['an empty payload', 'payload=', 'payload'],
    ['a payload that is not JSON', 'payload=%7Bnot-json', 'payload'],
    ['a JSON array', formBody([]), 'payload'],
    ['another interaction type', formBody(slackPayload({ type: 'view_submission' })), 'type'],
    ['no team', formBody(slackPayload({ team: undefined })), 'team'],
    ['an empty team id', formBody(slackPayload({ team: { id: '' } })), 'team.id'],
    ['no app id', formBody(slackPayload({ api_app_id: undefined })), 'api_app_id'],
    ['no user id', formBody(slackPayload({ user: { username: 'x' } })), 'user.id'],
    ['no actions', formBody(slackPayload({ actions: [] })), 'actions'],
    ['an action without value', formBody(slackPayload({ actions: [{ action_id: 'approve' }] })), 'actions.0.value'],
    ['an action without action_id', formBody(slackPayload({ actions: [{ value: 'a' }] })), 'actions.0.action_id'],
    ['a value longer than a button can hold', formBody(slackPayload({ actions: [{ action_id: 'a', value: 'v'.repeat(2001) }] })), 'actions.0.value'],
    ['a response_url that is not http(s)', formBody(slackPayload({ response_url: 'file:///etc/passwd' })), 'response_url'],
    ['a message without ts', formBody(slackPayload({ message: {} })), 'message.ts'],
    ['a channel id of the wrong type', formBody(slackPayload({ channel: { id: 42 } })), 'channel.id'],
  ])('rejects %s, naming the field', (_case, body, field) => {
    const error = failure(body);
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.name).toBe('InteractionPayloadError');
  });
});
