import type { IncomingMessage } from 'node:http';
import type { HttpRoute } from '../../raw-routes.ts';
import type { SandboxDeps } from '../../service.ts';
import { answerLate, isJson, requestOrigin, writeJson } from './http.ts';
import { SLACK_METHODS, SlackMethodError, type SlackArgs } from './methods.ts';
import { slackState, type SlackState } from './state.ts';

export const WEB_API_PREFIX = '/slack/api/';

/** Scopes a bot with our manifest would hold; the client copies them into `response_metadata`. */
const BOT_SCOPES = 'chat:write,im:write,users:read,usergroups:read';

/**
 * `POST /slack/api/<method>`: Slack's Web API as `@slack/web-api` calls it (form or JSON body,
 * `Authorization: Bearer xoxb-…`). Failures are HTTP 200 `{ok: false, error}`, as on slack.com;
 * only rate limiting uses a status (429 with Retry-After).
 */
export function webApiRoute({ store, clock }: SandboxDeps): HttpRoute {
  return {
    prefix: WEB_API_PREFIX,
    async handle(request, response, body) {
      if (!(await answerLate(slackState(store).latencyMs, response))) return;
      const state = slackState(store);
      const method = (request.url ?? '').split('?')[0]!.slice(WEB_API_PREFIX.length);
      if (state.rateLimit.remaining > 0) {
        state.rateLimit.remaining -= 1;
        store.markChanged(state, 'rateLimit');
        const retryAfter = String(state.rateLimit.retryAfterSeconds);
        return writeJson(response, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': retryAfter });
      }
      try {
        const implementation = SLACK_METHODS[method];
        if (!implementation) throw new SlackMethodError('unknown_method');
        const args = readArgs(request, body);
        authenticate(state, request, args);
        // The state's helpers tell the store what each method changes.
        const result = implementation(args, { state, nowMs: clock.nowMs(), origin: requestOrigin(request) });
        writeJson(response, 200, { ok: true, ...result }, { 'x-oauth-scopes': BOT_SCOPES });
      } catch (error) {
        if (!(error instanceof SlackMethodError)) throw error;
        const failure = { ok: false, error: error.error, ...(error.detail ? { response_metadata: { messages: [error.detail] } } : {}) };
        writeJson(response, 200, failure);
      }
    },
  };
}

function readArgs(request: IncomingMessage, body: string): SlackArgs {
  const query = Object.fromEntries(new URL(request.url ?? '/', 'http://sandbox').searchParams);
  if (!isJson(request)) return { ...query, ...Object.fromEntries(new URLSearchParams(body)) };
  try {
    const parsed = body.trim() === '' ? {} : (JSON.parse(body) as unknown);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    // Slack ignores a token inside a JSON body: JSON calls must authenticate with the header.
    const { token: _ignored, ...args } = parsed as SlackArgs;
    return { ...query, ...args };
  } catch {
    throw new SlackMethodError('invalid_json');
  }
}

function authenticate(state: SlackState, request: IncomingMessage, args: SlackArgs): void {
  const header = String(request.headers.authorization ?? '');
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : args.token;
  if (typeof token !== 'string' || token === '') throw new SlackMethodError('not_authed');
  if (token !== state.config.botToken) throw new SlackMethodError('invalid_auth');
}
