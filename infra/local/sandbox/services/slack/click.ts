import { randomBytes } from 'node:crypto';
import { signSlackRequest } from '../../../../../functions/adapters/slack/signature.ts';
import { ControlApiError } from '../../errors.ts';
import { messageView } from './methods.ts';
import { mintResponseUrl } from './response-urls.ts';
import { findMessage, MAX_KEPT_DELIVERIES, type SignedDelivery, type SlackState, type StoredMessage } from './state.ts';
import { renderMrkdwn, sandboxUser } from './users.ts';

export interface Click {
  channel: string;
  ts: string;
  actionId: string;
  userId: string;
  /** Defaults to the configured workspace and app; override to test foreign clicks. */
  teamId?: string;
  appId?: string;
  /** `X-Slack-Request-Timestamp`; defaults to now (wall clock, see `deliverClick`). */
  timestamp?: number;
  /** Sign with a different secret, as a forger would. */
  forgeSignature?: boolean;
}

export interface DeliveryResult {
  /** The interactivity endpoint's HTTP status; 0 when it never answered. */
  status: number;
  body: string;
  elapsedMs: number;
  /** Set when Slack would have shown the user an error: no answer within the ack deadline, or none at all. */
  failure?: 'ack-timeout' | 'unreachable';
  /** Names the request as sent, for `POST /_sandbox/slack/replay`. */
  deliveryId: string;
}

export interface ClickResult extends DeliveryResult {
  /** The `block_actions` payload that was sent. */
  payload: Record<string, unknown>;
}

/**
 * What `POST /_sandbox/slack/click` answers: briefly, what the clicker saw. The payload sent is
 * there only on request (`?verbose=1`).
 */
export interface ClickAnswer {
  status: number;
  elapsedMs: number;
  failure?: DeliveryResult['failure'];
  deliveryId: string;
  /** The interactivity endpoint's answer body, when it had one. */
  body?: string;
  /** What the clicker saw, as Slack renders it (people by name): their private answer, the message as it now reads. */
  shown: string[];
  /** With `?verbose=1`: the `block_actions` payload that was sent. */
  payload?: Record<string, unknown>;
}

interface FoundButton {
  blockId: string;
  button: Record<string, unknown>;
}

/**
 * A user clicks a button on a message the bot posted: Slack builds a `block_actions` payload,
 * signs it with the app's signing secret and POSTs it form-encoded to the Interactivity URL,
 * giving up after three seconds.
 */
export async function deliverClick(state: SlackState, click: Click, nowMs: number): Promise<ClickResult> {
  const { signingSecret } = configured(state);
  const message = findMessage(state, click.channel, click.ts);
  if (!message) throw new ControlApiError(404, 'MessageNotFound', `No message ${click.ts} in ${click.channel}`, 'ts');
  const found = findButton(message.blocks, click.actionId);
  if (!found) {
    throw new ControlApiError(404, 'ButtonNotFound', `Message ${click.ts} has no button with action_id ${click.actionId}`, 'actionId');
  }

  const payload = blockActionsPayload(state, message, found, click, mintResponseUrl(state, message.origin, click, nowMs), nowMs);
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const secret = click.forgeSignature ? `forged-${randomBytes(8).toString('hex')}` : signingSecret;
  return { ...(await deliver(state, body, secret, click.timestamp ?? Math.floor(nowMs / 1000))), payload };
}

/**
 * The brief answer to a click: what Slack showed the clicker from `sinceSeq` on (the state's `seq`
 * before the click), their private answers (through this click's response URL, or ephemeral) and
 * the clicked message as it changed, with mentions rendered as names.
 */
export function clickAnswer(state: SlackState, click: Pick<Click, 'channel' | 'ts' | 'userId'>, result: ClickResult, sinceSeq: number, verbose: boolean): ClickAnswer {
  const responseUrlId = String(result.payload.response_url ?? '').split('/').at(-1);
  const shown: string[] = [];
  for (const event of state.events) {
    if (event.seq <= sinceSeq) continue;
    const text = renderMrkdwn(event.text ?? '');
    const onClicked = event.channel === click.channel && event.ts === click.ts;
    if (event.kind === 'response' && event.responseUrlId === responseUrlId) {
      if (event.deleteOriginal) shown.push('the message was deleted');
      else if (event.replaceOriginal) shown.push(`the message now reads: ${text}`);
      else if (event.responseType === 'in_channel') shown.push(`posted in ${event.channel}: ${text}`);
      else shown.push(`only visible to you: ${text}`);
    } else if (event.kind === 'ephemeral' && event.user === click.userId && event.channel === click.channel) {
      shown.push(`only visible to you: ${text}`);
    } else if (event.kind === 'update' && onClicked) {
      shown.push(`the message now reads: ${text}`);
    }
  }
  return {
    status: result.status,
    elapsedMs: result.elapsedMs,
    ...(result.failure ? { failure: result.failure } : {}),
    deliveryId: result.deliveryId,
    ...(result.body ? { body: result.body } : {}),
    shown,
    ...(verbose ? { payload: result.payload } : {}),
  };
}

/**
 * Delivers any body, correctly signed: what a payload shape we do not produce (a new interaction
 * type, a malformed field) looks like when it comes from Slack itself.
 */
export async function deliverRawBody(state: SlackState, body: string, timestamp?: number): Promise<DeliveryResult> {
  const { signingSecret } = configured(state);
  return deliver(state, body, signingSecret, timestamp);
}

/** Sends an earlier request again, byte for byte with its original headers: a replay attack. */
export async function replayDelivery(state: SlackState, deliveryId: string): Promise<DeliveryResult> {
  const delivery = state.deliveries.find((candidate) => candidate.id === deliveryId);
  if (!delivery) throw new ControlApiError(404, 'DeliveryNotFound', `No recent delivery ${deliveryId}`, 'deliveryId');
  return send(state, delivery);
}

function configured(state: SlackState): { signingSecret: string; interactivityUrl: string } {
  const { signingSecret, interactivityUrl } = state.config;
  if (!signingSecret || !interactivityUrl) {
    throw new ControlApiError(409, 'NotConfigured', 'PUT /_sandbox/slack/config with signingSecret and interactivityUrl first');
  }
  return { signingSecret, interactivityUrl };
}

async function deliver(state: SlackState, body: string, secret: string, timestampSeconds: number | undefined): Promise<DeliveryResult> {
  // Slack's time is the world's, which locally is the sandbox clock (the functions' clock too, so
  // the receiver's replay window holds after a test moves the clock by days).
  const timestamp = String(timestampSeconds ?? Math.floor(Date.now() / 1000));
  const delivery: SignedDelivery = { id: randomBytes(8).toString('hex'), body, timestamp, signature: signSlackRequest(secret, timestamp, body) };
  state.deliveries.push(delivery);
  state.deliveries.splice(0, Math.max(0, state.deliveries.length - MAX_KEPT_DELIVERIES));
  return send(state, delivery);
}

/** POSTs form-encoded to the Interactivity URL as Slack does, giving up after the ack deadline. */
async function send(state: SlackState, delivery: SignedDelivery): Promise<DeliveryResult> {
  const { interactivityUrl } = configured(state);
  const started = Date.now();
  try {
    const response = await fetch(interactivityUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'x-slack-request-timestamp': delivery.timestamp,
        'x-slack-signature': delivery.signature,
      },
      body: delivery.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(state.config.ackTimeoutMs),
    });
    return { status: response.status, body: await response.text(), elapsedMs: Date.now() - started, deliveryId: delivery.id };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { status: 0, body: '', elapsedMs: Date.now() - started, failure: timedOut ? 'ack-timeout' : 'unreachable', deliveryId: delivery.id };
  }
}

function blockActionsPayload(
  state: SlackState,
  message: StoredMessage,
  { blockId, button }: FoundButton,
  click: Click,
  responseUrl: string,
  nowMs: number,
): Record<string, unknown> {
  const teamId = click.teamId ?? state.config.teamId;
  const username = sandboxUser(click.userId).name;
  const actionTs = `${Math.floor(nowMs / 1000)}.${String(nowMs % 1000).padStart(3, '0')}000`;
  return {
    type: 'block_actions',
    user: { id: click.userId, username, name: username, team_id: teamId },
    api_app_id: click.appId ?? state.config.appId,
    // Slack still sends the deprecated verification token; receivers must ignore it and check signatures.
    token: 'sandbox-legacy-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: `${Math.floor(nowMs / 1000)}.${randomBytes(6).toString('hex')}`,
    team: { id: teamId, domain: 'sandbox' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: message.channel, name: message.channel.startsWith('D') ? 'directmessage' : message.channel.toLowerCase() },
    message: messageView(state, message),
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: blockId,
        text: button.text,
        ...(button.value !== undefined ? { value: button.value } : {}),
        ...(button.style !== undefined ? { style: button.style } : {}),
        action_ts: actionTs,
      },
    ],
  };
}

/** The button with `actionId` in an actions block or a section accessory. */
function findButton(blocks: unknown[], actionId: string): FoundButton | undefined {
  for (const block of blocks as Record<string, unknown>[]) {
    const candidates = block.type === 'actions' && Array.isArray(block.elements) ? block.elements : block.type === 'section' ? [block.accessory] : [];
    for (const element of candidates as (Record<string, unknown> | undefined)[]) {
      if (element?.type === 'button' && element.action_id === actionId) return { blockId: String(block.block_id), button: element };
    }
  }
  return undefined;
}
