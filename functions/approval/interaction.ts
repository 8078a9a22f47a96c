import { InteractionPayloadError, parseInteractionPayload } from '../adapters/slack/interaction-payload.ts';
import { APPROVE_ACTION_ID, CHECK_NOW_ACTION_ID, REJECT_ACTION_ID } from '../adapters/slack/messages.ts';
import { decodeApiGatewayBody, slackSignatureHeaders, verifySlackRequest, type EventWithBody, type SlackVerificationFailure } from '../adapters/slack/signature.ts';
import type { Decision } from './decide.ts';

/** An Approve/Reject click that passed every check: who clicked what, on which approval. */
export interface ApprovalClick {
  approvalId: string;
  decision: Decision;
  userId: string;
  /** Where to answer the clicker (ephemerally); Slack's, from the signed payload. */
  responseUrl: string | undefined;
}

/** A "Done — check now" click: look at the request's host or connection at once. */
export interface CheckClick {
  requestId: string;
  userId: string;
  responseUrl: string | undefined;
}

export type InteractionVerdict =
  | { kind: 'click'; click: ApprovalClick }
  | { kind: 'check'; check: CheckClick }
  /** Genuine, but nothing for us (another button, a future action): acknowledge and do nothing. */
  | { kind: 'ignored' }
  /** Not something to act on; `status` is the HTTP answer, `reason` is for the log. */
  | { kind: 'refused'; status: 401 | 400 | 403; reason: SlackVerificationFailure | 'malformed-payload' | 'wrong-workspace' | 'wrong-app' };

export interface InteractionChecks {
  signingSecret: string;
  /** The Slack workspace (`team.id`) and app (`api_app_id`) whose requests we accept. */
  teamId: string;
  appId: string;
  nowSeconds: number;
}

/** Approval ids are 128-bit base64url (22 characters); anything else cannot be one of ours. */
const APPROVAL_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Request ids are UUIDs. */
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Everything that decides whether an interactivity request may touch an approval, in the order
 * that keeps forgeries cheap: the signature and timestamp on the raw bytes before any parsing;
 * then the payload's shape; then that it comes from our workspace and our app (a signing secret
 * is per app, but a copy of one app's secret in another app's config must not widen who can click).
 * Pure: no clock, no network.
 */
export function readInteraction(event: EventWithBody & { headers?: Record<string, string | undefined> | null }, checks: InteractionChecks): InteractionVerdict {
  const rawBody = decodeApiGatewayBody(event);
  const verification = verifySlackRequest({ signingSecret: checks.signingSecret, rawBody, ...slackSignatureHeaders(event.headers), nowSeconds: checks.nowSeconds });
  if (!verification.ok) return { kind: 'refused', status: 401, reason: verification.reason };

  let payload;
  try {
    payload = parseInteractionPayload(rawBody);
  } catch (error) {
    if (error instanceof InteractionPayloadError) return { kind: 'refused', status: 400, reason: 'malformed-payload' };
    throw error;
  }
  if (payload.team.id !== checks.teamId) return { kind: 'refused', status: 403, reason: 'wrong-workspace' };
  if (payload.api_app_id !== checks.appId) return { kind: 'refused', status: 403, reason: 'wrong-app' };

  const check = payload.actions.find((candidate) => candidate.action_id === CHECK_NOW_ACTION_ID);
  if (check) {
    if (!REQUEST_ID.test(check.value)) return { kind: 'refused', status: 400, reason: 'malformed-payload' };
    return { kind: 'check', check: { requestId: check.value, userId: payload.user.id, responseUrl: payload.response_url } };
  }
  const action = payload.actions.find((candidate) => candidate.action_id === APPROVE_ACTION_ID || candidate.action_id === REJECT_ACTION_ID);
  if (!action) return { kind: 'ignored' };
  if (!APPROVAL_ID.test(action.value)) return { kind: 'refused', status: 400, reason: 'malformed-payload' };
  return {
    kind: 'click',
    click: {
      approvalId: action.value,
      decision: action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject',
      userId: payload.user.id,
      responseUrl: payload.response_url,
    },
  };
}
