import { describe, expect, it } from 'vitest';
import { readInteraction, type InteractionChecks } from './interaction.ts';
import { signSlackRequest } from '../adapters/slack/signature.ts';

const SECRET = 'test-signing-secret';
const NOW = 1_767_225_600;
const CHECKS: InteractionChecks = { signingSecret: SECRET, teamId: 'T0TEAM', appId: 'A0APP', nowSeconds: NOW };
const APPROVAL_ID = 'q8Xr2c1VwZk0d5nYbH3p9A';

function payload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T0TEAM' },
    api_app_id: 'A0APP',
    user: { id: 'U0APPROVER' },
    actions: [{ action_id: 'approve', value: APPROVAL_ID, block_id: 'approval-decision' }],
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
    ...overrides,
  };
}

function formBody(value: unknown): string {
  return new URLSearchParams({ payload: typeof value === 'string' ? value : JSON.stringify(value) }).toString();
}

/** An API Gateway HTTP API event: lower-cased headers, the form body base64-encoded. */
function event(body: string, options: { timestamp?: number; secret?: string; base64?: boolean } = {}) {
  const timestamp = String(options.timestamp ?? NOW);
  const base64 = options.base64 ?? true;
  return {
    headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signSlackRequest(options.secret ?? SECRET, timestamp, body) },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

describe('readInteraction', () => {
  it('reads a signed, base64-encoded Approve click into who clicked what', () => {
    expect(readInteraction(event(formBody(payload())), CHECKS)).toEqual({
      kind: 'click',
      click: { approvalId: APPROVAL_ID, decision: 'approve', userId: 'U0APPROVER', responseUrl: 'https://hooks.slack.com/actions/T0TEAM/1/abc' },
    });
    const reject = payload({ actions: [{ action_id: 'reject', value: APPROVAL_ID }] });
    expect(readInteraction(event(formBody(reject), { base64: false }), CHECKS)).toMatchObject({ kind: 'click', click: { decision: 'reject' } });
  });

  it('refuses a forged signature (401)', () => {
    expect(readInteraction(event(formBody(payload()), { secret: 'guessed' }), CHECKS)).toEqual({ kind: 'refused', status: 401, reason: 'bad-signature' });
  });

  it('refuses stale and future timestamps beyond five minutes either way (401), and accepts them within', () => {
    const body = formBody(payload());
    expect(readInteraction(event(body, { timestamp: NOW - 301 }), CHECKS)).toMatchObject({ status: 401, reason: 'stale-timestamp' });
    expect(readInteraction(event(body, { timestamp: NOW + 301 }), CHECKS)).toMatchObject({ status: 401, reason: 'future-timestamp' });
    expect(readInteraction(event(body, { timestamp: NOW - 300 }), CHECKS).kind).toBe('click');
    expect(readInteraction(event(body, { timestamp: NOW + 300 }), CHECKS).kind).toBe('click');
  });

  it('refuses a request without the signing headers (401)', () => {
    expect(readInteraction({ headers: {}, body: formBody(payload()) }, CHECKS)).toMatchObject({ status: 401, reason: 'missing-headers' });
  });

  it('checks the signature before it parses anything: a forged malformed body is a 401, not a 400', () => {
    expect(readInteraction(event('payload=%7Bnot-json', { secret: 'guessed' }), CHECKS)).toMatchObject({ status: 401 });
  });

  it.each([
    ['no payload field', 'text=hello'],
    ['a payload that is not JSON', 'payload=%7Bnot-json'],
    ['another interaction type', formBody(payload({ type: 'view_submission' }))],
    ['no actions', formBody(payload({ actions: [] }))],
    ['no user', formBody(payload({ user: undefined }))],
    ['a button value that cannot be an approval id', formBody(payload({ actions: [{ action_id: 'approve', value: 'x'.repeat(80) }] }))],
    ['a button value with a task-token-like payload', formBody(payload({ actions: [{ action_id: 'approve', value: 'AAAA/+==' }] }))],
  ])('refuses a correctly signed malformed payload: %s (400)', (_name, body) => {
    expect(readInteraction(event(body), CHECKS)).toEqual({ kind: 'refused', status: 400, reason: 'malformed-payload' });
  });

  it('refuses clicks from another workspace or another app (403)', () => {
    expect(readInteraction(event(formBody(payload({ team: { id: 'T0OTHER' } }))), CHECKS)).toEqual({ kind: 'refused', status: 403, reason: 'wrong-workspace' });
    expect(readInteraction(event(formBody(payload({ api_app_id: 'A0OTHER' }))), CHECKS)).toEqual({ kind: 'refused', status: 403, reason: 'wrong-app' });
  });

  it('reads a signed "Done — check now" click into which request to check and who asked', () => {
    const requestId = '5f0c3a52-8d1e-4b7a-9c1f-2e3d4c5b6a70';
    const check = payload({ actions: [{ action_id: 'check_now', value: requestId, block_id: 'host-setup-done' }] });
    expect(readInteraction(event(formBody(check)), CHECKS)).toEqual({
      kind: 'check',
      check: { requestId, userId: 'U0APPROVER', responseUrl: 'https://hooks.slack.com/actions/T0TEAM/1/abc' },
    });
  });

  it('checks a "check now" click like any other: signature, workspace and app first', () => {
    const check = payload({ actions: [{ action_id: 'check_now', value: '5f0c3a52-8d1e-4b7a-9c1f-2e3d4c5b6a70' }] });
    expect(readInteraction(event(formBody(check), { secret: 'guessed' }), CHECKS)).toMatchObject({ status: 401, reason: 'bad-signature' });
    expect(readInteraction(event(formBody({ ...check, team: { id: 'T0OTHER' } })), CHECKS)).toMatchObject({ status: 403, reason: 'wrong-workspace' });
    expect(readInteraction(event(formBody({ ...check, api_app_id: 'A0OTHER' })), CHECKS)).toMatchObject({ status: 403, reason: 'wrong-app' });
  });

  it.each(['', 'not-a-request-id', APPROVAL_ID, '5f0c3a52-8d1e-4b7a-9c1f-2e3d4c5b6a70/../x'])('refuses a "check now" value that is not a request id (%s) (400)', (value) => {
    const check = payload({ actions: [{ action_id: 'check_now', value }] });
    expect(readInteraction(event(formBody(check)), CHECKS)).toEqual({ kind: 'refused', status: 400, reason: 'malformed-payload' });
  });

  it('ignores buttons that are not ours to act on', () => {
    expect(readInteraction(event(formBody(payload({ actions: [{ action_id: 'open-console', value: '' }] }))), CHECKS)).toEqual({ kind: 'ignored' });
  });
});
