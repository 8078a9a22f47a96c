import { optionalNumber, requiredString } from '../../control/router.ts';
import { ControlApiError } from '../../errors.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { deliverClick, deliverRawBody, replayDelivery } from './click.ts';
import { isUserId, slackState, type RecordedSlackEvent, type SlackConfig } from './state.ts';

/**
 * Test and local-run controls for the fake Slack: configure the app, read what our code made
 * Slack show, click a button as a user would, and rate-limit or slow down the Web API.
 */
export function slackControlRoutes({ store, clock }: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'GET',
      path: '/slack/messages',
      summary: 'Every message posted, updated, shown ephemerally or sent to a response URL {?channel=&kind=}',
      handle: ({ query }) => ({ messages: filterEvents(slackState(store).events, query) }),
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
        store.markChanged();
        return configView(state.config);
      },
    },
    {
      method: 'POST',
      path: '/slack/click',
      summary: 'Click a button {channel, ts, actionId, userId, teamId?, appId?, timestamp?, forgeSignature?}: a signed block_actions POST',
      handle: async ({ body }) => {
        const state = slackState(store);
        const result = await deliverClick(
          state,
          {
            channel: requiredString(body, 'channel'),
            ts: requiredString(body, 'ts'),
            actionId: requiredString(body, 'actionId'),
            userId: requiredString(body, 'userId'),
            teamId: optionalString(body, 'teamId'),
            appId: optionalString(body, 'appId'),
            timestamp: optionalNumber(body, 'timestamp', { min: 0, max: 99_999_999_999 }),
            forgeSignature: body.forgeSignature === true,
          },
          clock.nowMs(),
        );
        store.markChanged();
        return result;
      },
    },
    {
      method: 'POST',
      path: '/slack/replay',
      summary: 'Send a recent interactivity request again, byte for byte with its signature {deliveryId}: a replay attack',
      handle: async ({ body }) => {
        const result = await replayDelivery(slackState(store), requiredString(body, 'deliveryId'));
        store.markChanged();
        return result;
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
        store.markChanged();
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
        store.markChanged();
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

