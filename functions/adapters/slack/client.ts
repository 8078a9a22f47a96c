import { setTimeout as sleep } from 'node:timers/promises';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, type FetchFunction } from '@slack/web-api';
import { NO_DEADLINE, type Deadline } from '../../shell/deadline.ts';
import type { SlackMessage } from './block-kit.ts';
import { quietSlackLogger } from './quiet-logger.ts';
import { attemptTimeoutMs, retryDelayMs, type SlackRetryPolicy } from './retry-policy.ts';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** Where Slack's response URLs live; `respond` refuses any other host (see `respond`). */
const SLACK_RESPONSE_URL_ORIGIN = 'https://hooks.slack.com';

export interface SlackClientSettings {
  botToken: string;
  /** Slack's Web API base; the local sandbox points it at its fake Slack. */
  apiUrl?: string;
  /** Per HTTP request. Slack answers in well under a second; a hung call must not eat the Lambda. */
  timeoutMs?: number;
  /** Retries after network errors, timeouts, 5xx and 429 (a 429 waits the `Retry-After` Slack asks for). */
  retries?: number;
  /**
   * When the caller must have its answer (the Lambda step's time left for Slack): every call, its
   * attempts and the waits between them end by then, or the call fails (`timed_out`,
   * `no_time_left`). Unbounded by default. See retry-policy.ts.
   */
  deadline?: Deadline;
}

export interface PostedMessage {
  /** The channel id Slack posted to: a `D…` id when a user id was given. */
  channel: string;
  ts: string;
}

export interface SlackClient {
  /** `threadTs` posts a reply in that message's thread (reminders go under the approval request). */
  postMessage(channel: string, message: SlackMessage, options?: { threadTs?: string }): Promise<PostedMessage>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, text: string): Promise<void>;
  /** Answers an interaction through its `response_url`; replaces the clicked message unless told otherwise. */
  respond(responseUrl: string, message: SlackMessage, options?: { replaceOriginal?: boolean }): Promise<void>;
  /** The user ids in a user group (`usergroups.users.list`, scope `usergroups:read`). */
  userGroupMembers(userGroup: string): Promise<string[]>;
}

/** A Slack call failed; `code` is Slack's error (`channel_not_found`, `invalid_auth`, ...) or the HTTP status. */
export class SlackApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(`Slack ${method} failed: ${code}`, options);
    this.name = 'SlackApiError';
  }
}

/** Settings for a bot token; `SLACK_API_URL` (optional) points the client elsewhere than slack.com. */
export function slackSettings(botToken: string, env: NodeJS.ProcessEnv = process.env): SlackClientSettings {
  if (!botToken) throw new Error('The Slack bot token is empty');
  return { botToken, apiUrl: env.SLACK_API_URL || DEFAULT_SLACK_API_URL };
}

/**
 * Settings from the environment alone: `SLACK_BOT_TOKEN` (required) and `SLACK_API_URL`. On AWS the
 * token lives in Secrets Manager: prefer `slackBotClient()` from credentials.ts, which reads it there.
 */
export function slackSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SlackClientSettings {
  const botToken = env.SLACK_BOT_TOKEN;
  if (!botToken) throw new Error('SLACK_BOT_TOKEN is not set');
  return slackSettings(botToken, env);
}

/**
 * How patient a client is. `interactive` serves a click, which Slack wants answered within three
 * seconds: short timeouts and one retry. `background` serves workflow steps, which can wait longer.
 * Either way a deadline, when given, cuts both short (see slackClientWithin).
 */
export type SlackClientProfile = 'interactive' | 'background';

const PROFILES: Record<SlackClientProfile, Pick<SlackClientSettings, 'timeoutMs' | 'retries'>> = {
  interactive: { timeoutMs: 1000, retries: 1 },
  background: { timeoutMs: 5000, retries: 2 },
};

const shared = new Map<string, { botToken: string; client: SlackClient }>();

/**
 * One client per profile per Lambda container; a rotated bot token gets a new one. Without a token
 * it falls back to `SLACK_BOT_TOKEN` (see slackSettingsFromEnv).
 */
export function sharedSlackClient(botToken?: string, profile: SlackClientProfile = 'background'): SlackClient {
  const settings = botToken === undefined ? slackSettingsFromEnv() : slackSettings(botToken);
  const current = shared.get(profile);
  if (current?.botToken === settings.botToken) return current.client;
  const client = createSlackClient({ ...settings, ...PROFILES[profile] });
  shared.set(profile, { botToken: settings.botToken, client });
  return client;
}

/**
 * The bot for one invocation, whose calls all end by `deadline` (the time the Lambda has left for
 * Slack); the shared client when nothing bounds it. Cheap to build: connections are pooled by
 * `fetch`, not by the client.
 */
export function slackClientWithin(botToken: string, profile: SlackClientProfile, deadline: Deadline): SlackClient {
  if (deadline.remainingMs() === Number.POSITIVE_INFINITY) return sharedSlackClient(botToken, profile);
  return createSlackClient({ ...slackSettings(botToken), ...PROFILES[profile], deadline });
}

export function createSlackClient({
  botToken,
  apiUrl = DEFAULT_SLACK_API_URL,
  timeoutMs = 5000,
  retries = 2,
  deadline = NO_DEADLINE,
}: SlackClientSettings): SlackClient {
  const policy: SlackRetryPolicy = { attemptTimeoutMs: timeoutMs, retries };
  const web = new WebClient(botToken, {
    slackApiUrl: apiUrl,
    // A method name can never become an absolute URL that escapes the configured base.
    allowAbsoluteUrls: false,
    // One attempt per call, and a 429 is handed back rather than waited out: the retries and
    // waits are ours (`call` below), so they are bounded by the deadline. The library's default
    // would retry for about thirty minutes, far beyond any Lambda timeout.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    // An attempt also ends when the deadline does.
    fetch: ((url, init) => fetch(url, { ...init, signal: boundedSignal(init?.signal, deadline) })) as FetchFunction,
    logger: quietSlackLogger(),
  });
  const allowedResponseOrigins = new Set([SLACK_RESPONSE_URL_ORIGIN, new URL(apiUrl).origin]);
  const call = <T>(method: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> => callWithRetries(method, attempt, policy, deadline);

  return {
    async postMessage(channel, { text, blocks }, { threadTs } = {}) {
      const result = await call('chat.postMessage', () =>
        // Unfurling would fetch the console links from Slack's servers: pointless and noisy.
        web.chat.postMessage({ channel, text, blocks, unfurl_links: false, unfurl_media: false, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
      if (!result.channel || !result.ts) throw new SlackApiError('chat.postMessage', 'missing_channel_or_ts');
      return { channel: result.channel, ts: result.ts };
    },

    async updateMessage(channel, ts, { text, blocks }) {
      await call('chat.update', () => web.chat.update({ channel, ts, text, blocks }));
    },

    async postEphemeral(channel, user, text) {
      await call('chat.postEphemeral', () => web.chat.postEphemeral({ channel, user, text }));
    },

    async respond(responseUrl, { text, blocks }, { replaceOriginal = true } = {}) {
      // The URL comes from a signed payload, but posting only to Slack's own hosts keeps a
      // mistake (or a leaked signing secret) from turning us into a proxy to anywhere.
      if (!allowedResponseOrigins.has(originOf(responseUrl))) throw new SlackApiError('response_url', 'response_url_not_allowed');
      await call('response_url', async (signal) => {
        const response = await fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ text, blocks, replace_original: replaceOriginal }),
          redirect: 'error',
          signal,
        });
        const body = await response.text();
        const failure = responseUrlFailure(response.status, body);
        if (failure) throw new AttemptFailed(failure, response.status >= 500);
      });
    },

    async userGroupMembers(userGroup) {
      const result = await call('usergroups.users.list', () => web.usergroups.users.list({ usergroup: userGroup }));
      return result.users ?? [];
    },
  };
}

/** An attempt's own verdict (response URLs): Slack's error code, and whether trying again may help. */
class AttemptFailed extends Error {
  constructor(
    readonly slackCode: string,
    readonly retryable: boolean,
  ) {
    super(slackCode);
    this.name = 'AttemptFailed';
  }
}

/**
 * Runs `attempt` under the retry policy (retry-policy.ts): each attempt gets a signal that ends it
 * after the profile's timeout or at the deadline, whichever comes first; a retry is made only if
 * its wait and a useful attempt fit before the deadline. Fails with SlackApiError: Slack's error
 * code, `http_<status>`, `ratelimited`, `timed_out`, `request_failed`, or `no_time_left` when not
 * even the first attempt fitted.
 */
async function callWithRetries<T>(method: string, attempt: (signal: AbortSignal) => Promise<T>, policy: SlackRetryPolicy, deadline: Deadline): Promise<T> {
  for (let retriesMade = 0; ; retriesMade++) {
    const timeoutMs = attemptTimeoutMs(policy, deadline.remainingMs());
    if (timeoutMs === undefined) throw new SlackApiError(method, 'no_time_left');
    try {
      return await attempt(AbortSignal.timeout(timeoutMs));
    } catch (error) {
      const failure = classify(error);
      const waitMs = retryDelayMs(policy, { retriesMade, retryable: failure.retryable, retryAfterMs: failure.retryAfterMs, remainingMs: deadline.remainingMs() });
      if (waitMs === undefined) throw new SlackApiError(method, failure.code, { cause: error });
      await sleep(waitMs);
    }
  }
}

interface Failure {
  code: string;
  retryable: boolean;
  retryAfterMs?: number;
}

function classify(error: unknown): Failure {
  if (error instanceof WebAPIPlatformError) return { code: error.data.error, retryable: false };
  if (error instanceof WebAPIHTTPError) return { code: `http_${error.statusCode}`, retryable: error.statusCode >= 500 };
  if (error instanceof WebAPIRateLimitedError) return { code: 'ratelimited', retryable: true, retryAfterMs: error.retryAfter * 1000 };
  if (error instanceof AttemptFailed) return { code: error.slackCode, retryable: error.retryable };
  const cause = error instanceof WebAPIRequestError ? error.original : error;
  if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) return { code: 'timed_out', retryable: true };
  return { code: 'request_failed', retryable: true };
}

/** `signal` (the attempt's timeout), ended early by the deadline. */
function boundedSignal(signal: AbortSignal | undefined, deadline: Deadline): AbortSignal | undefined {
  const remaining = deadline.remainingMs();
  if (remaining === Number.POSITIVE_INFINITY) return signal;
  const atDeadline = AbortSignal.timeout(Math.max(1, Math.ceil(remaining)));
  return signal ? AbortSignal.any([signal, atDeadline]) : atDeadline;
}

/** Response URLs answer 200 with `ok` or `{"ok":true}`; failures carry a short error code. */
function responseUrlFailure(status: number, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const record = typeof parsed === 'object' && parsed !== null ? (parsed as { ok?: unknown; error?: unknown }) : undefined;
  if (status >= 200 && status < 300 && record?.ok !== false) return undefined;
  if (typeof record?.error === 'string') return record.error;
  return body.trim().slice(0, 100) || `http_${status}`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
