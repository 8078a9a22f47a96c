import { optionalNumber, requiredString } from '../../control/router.ts';
import { ControlApiError } from '../../errors.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { clickAnswer, deliverClick, deliverRawBody, replayDelivery } from './click.ts';
import { isUserId, slackState, type RecordedSlackEvent, type SlackConfig } from './state.ts';
import { renderMrkdwn } from './users.ts';

/**
 * Test and local-run controls for the fake Slack: configure the app, read what our code made
 * Slack show, click a button as a user would, and rate-limit or slow down the Web API.
 */
export function slackControlRoutes({ store, clock }: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'GET',
      path: '/slack/messages',
      summary: 'Every message posted, updated, shown ephemerally or sent to a response URL {?channel=&kind=}; `shown`: the text as people see it, names for mentions',
      handle: ({ query }) => ({ messages: filterEvents(slackState(store).events, query).map(withShown) }),
    },
    {
      method: 'GET',
      path: '/slack/config',
      summary: 'The fake Slack app settings (secrets masked)',
      handle: () => configView(slackState(store).config),
    },
    {
      method: 'PUT',
      path: '/slack/config',
      summary: 'Configure the app {signingSecret, interactivityUrl, botToken?, teamId, appId, channels?, userGroups?, ackTimeoutMs?}',
      handle: ({ body }) => {
        const state = slackState(store);
        state.config = { ...state.config, ...configChanges(body) };
        store.markChanged(state, 'config');
        return configView(state.config);
      },
    },
    {
      method: 'POST',
      path: '/slack/click',
      summary:
        'Click a button {channel, ts, actionId, userId, teamId?, appId?, timestamp?, forgeSignature?}: a signed block_actions POST; answers what the user saw {?verbose=1 adds the payload}',
      handle: async ({ body, query }) => {
        const state = slackState(store);
        const click = {
          channel: requiredString(body, 'channel'),
          ts: requiredString(body, 'ts'),
          actionId: requiredString(body, 'actionId'),
          userId: requiredString(body, 'userId'),
          teamId: optionalString(body, 'teamId'),
          appId: optionalString(body, 'appId'),
          timestamp: optionalNumber(body, 'timestamp', { min: 0, max: 99_999_999_999 }),
          forgeSignature: body.forgeSignature === true,
        };
        const sinceSeq = state.seq;
        const result = await deliverClick(state, click, clock.nowMs());
        // The response URL it minted is marked where it is minted; the kept deliveries move along.
        store.markChanged(state, 'deliveries');
        return clickAnswer(slackState(store), click, result, sinceSeq, /^(1|true|yes)$/i.test(query.get('verbose') ?? ''));
      },
    },
    {
      method: 'POST',
      path: '/slack/replay',
      summary: 'Send a recent interactivity request again, byte for byte with its signature {deliveryId}: a replay attack',
      handle: async ({ body }) => {
        // A replay sends a kept delivery again: the state does not change.
        return replayDelivery(slackState(store), requiredString(body, 'deliveryId'));
      },
    },
    {
      method: 'POST',
      path: '/slack/deliver',
      summary: 'Send any form body to the Interactivity URL, correctly signed {body, timestamp?}: payloads Slack could send that no button produces',
      handle: async ({ body }) => {
        const raw = body.body;
        if (typeof raw !== 'string') throw invalid('body', 'body must be the raw form body, a string');
        const result = await deliverRawBody(slackState(store), raw, optionalNumber(body, 'timestamp', { min: 0, max: 99_999_999_999 }) ?? Math.floor(clock.nowMs() / 1000));
        store.markChanged(slackState(store), 'deliveries');
        return result;
      },
    },
    {
      method: 'POST',
      path: '/slack/rate-limit',
      summary: 'Answer the next {calls} Web API calls with 429 and Retry-After {retryAfterSeconds}',
      handle: ({ body }) => {
        const state = slackState(store);
        state.rateLimit = {
          remaining: optionalNumber(body, 'calls', { min: 0, max: 1000 }) ?? 1,
          retryAfterSeconds: optionalNumber(body, 'retryAfterSeconds', { min: 0, max: 3600 }) ?? 1,
        };
        store.markChanged(state, 'rateLimit');
        return state.rateLimit;
      },
    },
    {
      method: 'PUT',
      path: '/slack/latency',
      summary: 'Answer every Web API call and response-URL POST {ms} real milliseconds late (0: at once): a slow Slack',
      handle: ({ body }) => {
        const state = slackState(store);
        state.latencyMs = optionalNumber(body, 'ms', { min: 0, max: 600_000 }) ?? 0;
        store.markChanged(state, 'latencyMs');
        return { latencyMs: state.latencyMs };
      },
    },
  ];
}

export function configView(config: SlackConfig): Record<string, unknown> {
  return {
    ...config,
    signingSecret: config.signingSecret ? '(set)' : undefined,
    botToken: `${config.botToken.slice(0, 5)}…`,
  };
}

function configChanges(body: Record<string, unknown>): Partial<SlackConfig> {
  const changes: Partial<SlackConfig> = {};
  const signingSecret = optionalString(body, 'signingSecret');
  if (signingSecret !== undefined) changes.signingSecret = signingSecret;
  const interactivityUrl = optionalString(body, 'interactivityUrl');
  if (interactivityUrl !== undefined) {
    if (!/^https?:\/\/\S+$/.test(interactivityUrl)) throw invalid('interactivityUrl', 'interactivityUrl must be an http(s) URL');
    changes.interactivityUrl = interactivityUrl;
  }
  const botToken = optionalString(body, 'botToken');
  if (botToken !== undefined) {
    if (!botToken.startsWith('xoxb-')) throw invalid('botToken', 'botToken must be a bot token (xoxb-…)');
    changes.botToken = botToken;
  }
  const teamId = optionalString(body, 'teamId');
  if (teamId !== undefined) changes.teamId = slackId(teamId, /^[TE][A-Z0-9]{2,20}$/, 'teamId');
  const appId = optionalString(body, 'appId');
  if (appId !== undefined) changes.appId = slackId(appId, /^A[A-Z0-9]{2,20}$/, 'appId');
  if (body.channels !== undefined) {
    const channels = body.channels;
    if (!Array.isArray(channels) || !channels.every((channel) => typeof channel === 'string' && /^[CG][A-Z0-9]{2,20}$/.test(channel))) {
      throw invalid('channels', 'channels must be a list of channel ids such as C0APPROVALS');
    }
    changes.channels = channels as string[];
  }
  if (body.userGroups !== undefined) changes.userGroups = userGroups(body.userGroups);
  const ackTimeoutMs = optionalNumber(body, 'ackTimeoutMs', { min: 1, max: 60_000 });
  if (ackTimeoutMs !== undefined) changes.ackTimeoutMs = ackTimeoutMs;
  return changes;
}

/** `{"S0GROUP": ["U0MEMBER", …]}`: user group ids to their members' user ids. */
function userGroups(value: unknown): Record<string, string[]> {
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(
      ([group, members]) => /^S[A-Z0-9]{2,20}$/.test(group) && Array.isArray(members) && members.every((member) => typeof member === 'string' && isUserId(member)),
    );
  if (!valid) throw invalid('userGroups', 'userGroups must map user group ids (S…) to lists of user ids (U…)');
  return structuredClone(value as Record<string, string[]>);
}

/** What `GET /_sandbox/slack/messages` lists: each event, with `shown` where its text reads differently to people. */
export interface SlackMessageView extends RecordedSlackEvent {
  /** The text as Slack shows it to people (`<@U0APPROVER>` as `@Ada Approver`), where that differs. */
  shown?: string;
}

function withShown(event: RecordedSlackEvent): SlackMessageView {
  if (event.text === undefined) return event;
  const shown = renderMrkdwn(event.text);
  return shown === event.text ? event : { ...event, shown };
}

function filterEvents(events: RecordedSlackEvent[], query: URLSearchParams): RecordedSlackEvent[] {
  const channel = query.get('channel');
  const kind = query.get('kind');
  return events.filter((event) => (!channel || event.channel === channel) && (!kind || event.kind === kind));
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(field, `${field} must be a non-empty string`);
  return value;
}

function slackId(value: string, pattern: RegExp, field: string): string {
  if (!pattern.test(value)) throw invalid(field, `${field} must match ${pattern.source}`);
  return value;
}

function invalid(field: string, message: string): ControlApiError {
  return new ControlApiError(400, 'InvalidParameter', message, field);
}

