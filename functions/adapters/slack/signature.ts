import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack request signing, version `v0`: HMAC-SHA256 over `v0:{timestamp}:{raw body}` keyed with the
 * app's signing secret. https://docs.slack.dev/authentication/verifying-requests-from-slack
 */

/** Slack's replay window: five minutes either side of our clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SIGNATURE_VERSION = 'v0';

export type SlackVerificationFailure = 'missing-headers' | 'stale-timestamp' | 'future-timestamp' | 'bad-signature' | 'malformed';

export type SlackVerification = { ok: true } | { ok: false; reason: SlackVerificationFailure };

export interface SlackRequestToVerify {
  signingSecret: string;
  /** The body exactly as received: never re-encoded, or `+` versus `%20` breaks the signature. */
  rawBody: string;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  timestampHeader: string | undefined;
  /** `X-Slack-Signature`: `v0=` and 64 hex digits. */
  signatureHeader: string | undefined;
  /** Injected so the check is pure and the 2018 official test vector can be replayed. */
  nowSeconds: number;
  toleranceSeconds?: number;
}

/**
 * Checks that a request comes from Slack and is fresh. Run it before parsing the body.
 * The window is two-sided: Bolt only rejects old timestamps, but a far-future one is as suspicious.
 */
export function verifySlackRequest({
  signingSecret,
  rawBody,
  timestampHeader,
  signatureHeader,
  nowSeconds,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: SlackRequestToVerify): SlackVerification {
  // An empty secret would make every forged signature computable: a deployment bug, not a bad request.
  if (signingSecret === '') throw new Error('The Slack signing secret is empty');
  if (!timestampHeader || !signatureHeader) return fail('missing-headers');
  if (!/^\d{1,12}$/.test(timestampHeader) || !signatureHeader.startsWith(`${SIGNATURE_VERSION}=`)) return fail('malformed');

  const age = nowSeconds - Number(timestampHeader);
  if (age > toleranceSeconds) return fail('stale-timestamp');
  if (-age > toleranceSeconds) return fail('future-timestamp');

  const expected = Buffer.from(signSlackRequest(signingSecret, timestampHeader, rawBody), 'utf8');
  const received = Buffer.from(signatureHeader, 'utf8');
  // timingSafeEqual throws on unequal lengths; a length mismatch reveals nothing secret.
  const matches = expected.length === received.length && timingSafeEqual(expected, received);
  return matches ? { ok: true } : fail('bad-signature');
}

/** The `X-Slack-Signature` value Slack would send for this body and timestamp. */
export function signSlackRequest(signingSecret: string, timestamp: string | number, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret).update(`${SIGNATURE_VERSION}:${timestamp}:${rawBody}`, 'utf8').digest('hex');
  return `${SIGNATURE_VERSION}=${digest}`;
}

/** The part of an API Gateway event (REST or HTTP API, any payload version) that carries the body. */
export interface EventWithBody {
  body?: string | null;
  isBase64Encoded?: boolean;
}

/**
 * The raw body to verify. HTTP APIs deliver form bodies base64-encoded; Slack bodies are URL-encoded
 * ASCII, so decoding the bytes as UTF-8 gives back exactly what Slack signed.
 */
export function decodeApiGatewayBody(event: EventWithBody): string {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/** The two signing headers, whatever their case (HTTP APIs lower-case them, REST APIs do not). */
export function slackSignatureHeaders(headers: Record<string, string | undefined> | null | undefined): {
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
} {
  const lowerCased = Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    timestampHeader: lowerCased['x-slack-request-timestamp'],
    signatureHeader: lowerCased['x-slack-signature'],
  };
}

function fail(reason: SlackVerificationFailure): SlackVerification {
  return { ok: false, reason };
}
