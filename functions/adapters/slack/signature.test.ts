import { describe, expect, it } from 'vitest';
import {
  decodeApiGatewayBody,
  signSlackRequest,
  slackSignatureHeaders,
  verifySlackRequest,
  type SlackRequestToVerify,
} from './signature.ts';

// Slack's published example (docs.slack.dev "Verifying requests from Slack"), byte for byte.
const OFFICIAL = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
    '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
    '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};

const SECRET = 'test-signing-secret';
const NOW = 1_800_000_000;
const BODY = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'approve', value: 'a1' }] }))}`;

function signed(overrides: Partial<SlackRequestToVerify> = {}): SlackRequestToVerify {
  return {
    signingSecret: SECRET,
    rawBody: BODY,
    timestampHeader: String(NOW),
    signatureHeader: signSlackRequest(SECRET, NOW, BODY),
    nowSeconds: NOW,
    ...overrides,
  };
}

describe("Slack's official test vector", () => {
  it('is 362 characters of body, as published', () => {
    expect(OFFICIAL.body).toHaveLength(362);
  });

  it('signs to the published signature', () => {
    expect(signSlackRequest(OFFICIAL.signingSecret, OFFICIAL.timestamp, OFFICIAL.body)).toBe(OFFICIAL.signature);
  });

  it('verifies when "now" is the timestamp of 2018', () => {
    const result = verifySlackRequest({
      signingSecret: OFFICIAL.signingSecret,
      rawBody: OFFICIAL.body,
      timestampHeader: OFFICIAL.timestamp,
      signatureHeader: OFFICIAL.signature,
      nowSeconds: Number(OFFICIAL.timestamp),
    });
    expect(result).toEqual({ ok: true });
  });

  it('is rejected as stale at any realistic "now"', () => {
    const result = verifySlackRequest({
      signingSecret: OFFICIAL.signingSecret,
      rawBody: OFFICIAL.body,
      timestampHeader: OFFICIAL.timestamp,
      signatureHeader: OFFICIAL.signature,
      nowSeconds: NOW,
    });
    expect(result).toEqual({ ok: false, reason: 'stale-timestamp' });
  });
});

describe('verifySlackRequest', () => {
  it('accepts a correctly signed interactivity body', () => {
    expect(verifySlackRequest(signed())).toEqual({ ok: true });
  });

  // Signed inside each test (not while the file loads), so a broken signer fails these tests rather than the file.
  it.each([
    ['a tampered body', () => ({ rawBody: BODY.replace('a1', 'a2') })],
    ['a wrong secret', () => ({ signingSecret: 'another-secret' })],
    ['a signature of another timestamp', () => ({ signatureHeader: signSlackRequest(SECRET, NOW - 1, BODY) })],
    ['a signature one character short', () => ({ signatureHeader: signSlackRequest(SECRET, NOW, BODY).slice(0, -1) })],
    ['a signature one character long', () => ({ signatureHeader: `${signSlackRequest(SECRET, NOW, BODY)}0` })],
    ['an upper-cased signature', () => ({ signatureHeader: signSlackRequest(SECRET, NOW, BODY).toUpperCase().replace('V0=', 'v0=') })],
    ['a body re-encoded with %20 instead of +', () => ({ rawBody: 'payload=a+b', signatureHeader: signSlackRequest(SECRET, NOW, 'payload=a%20b') })],
  ])('rejects %s as bad-signature', (_case, overrides: () => Partial<SlackRequestToVerify>) => {
    expect(verifySlackRequest(signed(overrides()))).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['no timestamp', { timestampHeader: undefined }],
    ['no signature', { signatureHeader: undefined }],
    ['an empty signature', { signatureHeader: '' }],
  ])('rejects %s as missing-headers', (_case, overrides) => {
    expect(verifySlackRequest(signed(overrides))).toEqual({ ok: false, reason: 'missing-headers' });
  });

  it.each([
    ['a non-numeric timestamp', () => ({ timestampHeader: 'yesterday' })],
    ['a negative timestamp', () => ({ timestampHeader: '-1' })],
    ['a fractional timestamp', () => ({ timestampHeader: `${NOW}.5` })],
    ['a v1= signature', () => ({ signatureHeader: signSlackRequest(SECRET, NOW, BODY).replace('v0=', 'v1=') })],
    ['a bare hex signature', () => ({ signatureHeader: signSlackRequest(SECRET, NOW, BODY).slice(3) })],
  ])('rejects %s as malformed', (_case, overrides: () => Partial<SlackRequestToVerify>) => {
    expect(verifySlackRequest(signed(overrides()))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts timestamps up to the tolerance either side, and no further', () => {
    const at = (nowSeconds: number) => verifySlackRequest(signed({ nowSeconds }));
    expect(at(NOW + 300)).toEqual({ ok: true });
    expect(at(NOW - 300)).toEqual({ ok: true });
    expect(at(NOW + 301)).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(at(NOW - 301)).toEqual({ ok: false, reason: 'future-timestamp' });
  });

  it('honours a custom tolerance', () => {
    expect(verifySlackRequest(signed({ nowSeconds: NOW + 61, toleranceSeconds: 60 }))).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('checks the time window even when the signature is genuine: a replayed request is refused', () => {
    const replay = signed({ nowSeconds: NOW + 3600 });
    expect(replay.signatureHeader).toBe(signSlackRequest(SECRET, NOW, BODY));
    expect(verifySlackRequest(replay)).toEqual({ ok: false, reason: 'stale-timestamp' });
  });

  it('refuses to run with an empty signing secret (a deployment error, not a bad request)', () => {
    expect(() => verifySlackRequest(signed({ signingSecret: '' }))).toThrow(/signing secret is empty/);
  });
});

describe('decodeApiGatewayBody', () => {
  it('decodes a base64 body (how HTTP APIs deliver form posts) back to the signed bytes', () => {
    const event = { body: Buffer.from(BODY, 'utf8').toString('base64'), isBase64Encoded: true };
    const rawBody = decodeApiGatewayBody(event);
    expect(rawBody).toBe(BODY);
    expect(verifySlackRequest(signed({ rawBody }))).toEqual({ ok: true });
  });

  it('passes a plain body through and treats a missing one as empty', () => {
    expect(decodeApiGatewayBody({ body: BODY, isBase64Encoded: false })).toBe(BODY);
    expect(decodeApiGatewayBody({ body: null })).toBe('');
    expect(decodeApiGatewayBody({})).toBe('');
  });

  it('does not verify when the base64 body is checked undecoded', () => {
    const encoded = Buffer.from(BODY, 'utf8').toString('base64');
    expect(verifySlackRequest(signed({ rawBody: encoded }))).toEqual({ ok: false, reason: 'bad-signature' });
  });
});

describe('slackSignatureHeaders', () => {
  it('reads the headers whatever their case', () => {
    expect(slackSignatureHeaders({ 'x-slack-request-timestamp': '1', 'x-slack-signature': 'v0=a' })).toEqual({
      timestampHeader: '1',
      signatureHeader: 'v0=a',
    });
    expect(slackSignatureHeaders({ 'X-Slack-Request-Timestamp': '2', 'X-Slack-Signature': 'v0=b' })).toEqual({
      timestampHeader: '2',
      signatureHeader: 'v0=b',
    });
  });

  it('reports absent headers as undefined, so the verifier answers missing-headers', () => {
    const headers = slackSignatureHeaders(undefined);
    expect(verifySlackRequest(signed(headers))).toEqual({ ok: false, reason: 'missing-headers' });
  });
});
