import { randomBytes } from 'node:crypto';
import type { HttpRoute } from '../../raw-routes.ts';
import type { SandboxDeps } from '../../service.ts';
import { answerLate, writeJson } from './http.ts';
import { content, SlackMethodError } from './methods.ts';
import {
  addMessage,
  deleteMessage,
  findMessage,
  newMessageTs,
  record,
  replaceMessageContent,
  RESPONSE_URL_LIFETIME_MS,
  RESPONSE_URL_MAX_USES,
  slackChanged,
  slackState,
  type ResponseUrlRecord,
  type SlackState,
} from './state.ts';

export const RESPONSE_URL_PREFIX = '/slack/response/';

/** Mints the `response_url` of one interaction on a message: usable 5 times within 30 minutes. */
export function mintResponseUrl(state: SlackState, origin: string, click: { channel: string; ts: string; userId: string }, nowMs: number): string {
  const id = randomBytes(12).toString('hex');
  state.responseUrls[id] = { id, ...click, uses: 0, expiresAtMs: nowMs + RESPONSE_URL_LIFETIME_MS };
  slackChanged(state, 'responseUrls', id);
  return `${origin}${RESPONSE_URL_PREFIX}${id}`;
}

/**
 * `POST /slack/response/<id>`: a response URL. JSON `{text, blocks}` with `replace_original`
 * replaces the clicked message, `delete_original` deletes it, otherwise it posts a new message
 * (`response_type: in_channel`) or an ephemeral one to the clicker (the default).
 */
export function responseUrlRoute({ store, clock }: SandboxDeps): HttpRoute {
  return {
    prefix: RESPONSE_URL_PREFIX,
    async handle(request, response, body) {
      if (!(await answerLate(slackState(store).latencyMs, response))) return;
      const state = slackState(store);
      const nowMs = clock.nowMs();
      const hook = state.responseUrls[(request.url ?? '').split('?')[0]!.slice(RESPONSE_URL_PREFIX.length)];
      if (request.method !== 'POST') return writeJson(response, 405, { ok: false, error: 'method_not_allowed' });
      if (!hook || hook.expiresAtMs < nowMs) return writeJson(response, 404, { ok: false, error: 'expired_url' });
      if (hook.uses >= RESPONSE_URL_MAX_USES) return writeJson(response, 404, { ok: false, error: 'used_url' });
      const reply = parseReply(body);
      if (!reply) return writeJson(response, 400, { ok: false, error: 'invalid_payload' });
      hook.uses += 1;
      store.markChanged(state, 'responseUrls', hook.id);
      const answer = applyReply(state, hook, reply, nowMs);
      writeJson(response, answer.status, answer.body);
    },
  };
}

type Reply = Record<string, unknown>;

function parseReply(body: string): Reply | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Reply) : undefined;
  } catch {
    return undefined;
  }
}

function applyReply(state: SlackState, hook: ResponseUrlRecord, reply: Reply, nowMs: number): { status: number; body: unknown } {
  const original = findMessage(state, hook.channel, hook.ts);
  const base = { responseUrlId: hook.id, channel: hook.channel, ts: hook.ts };
  if (reply.delete_original === true) {
    if (original) deleteMessage(state, original);
    record(state, nowMs, { kind: 'response', ...base, deleteOriginal: true });
    return { status: 200, body: { ok: true } };
  }
  let message: { text: string | undefined; blocks: unknown[] | undefined };
  try {
    message = content(reply.text, reply.blocks);
  } catch (error) {
    if (!(error instanceof SlackMethodError)) throw error;
    const metadata = error.detail ? { response_metadata: { messages: [error.detail] } } : {};
    return { status: 400, body: { ok: false, error: error.error, ...metadata } };
  }
  const text = message.text ?? '';
  const blocks = message.blocks ?? [];
  if (reply.replace_original === true) {
    if (!original) return { status: 404, body: { ok: false, error: 'message_not_found' } };
    const response = record(state, nowMs, { kind: 'response', ...base, replaceOriginal: true, text, blocks });
    replaceMessageContent(state, original, response);
  } else if (reply.response_type === 'in_channel') {
    const ts = newMessageTs(state, nowMs);
    const response = record(state, nowMs, { kind: 'response', ...base, ts, responseType: 'in_channel', text, blocks });
    addMessage(state, { channel: hook.channel, ts, origin: original?.origin ?? '' }, response);
  } else {
    record(state, nowMs, { kind: 'response', ...base, user: hook.userId, responseType: 'ephemeral', text, blocks });
  }
  return { status: 200, body: { ok: true } };
}
