import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Slack answers JSON with an explicit charset; `@slack/web-api` parses any JSON body. */
export function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** `scheme://host:port` the client used to reach us, as seen in its Host header. */
export function requestOrigin(request: IncomingMessage): string {
  return `http://${request.headers.host ?? '127.0.0.1'}`;
}

/**
 * Waits `ms` real milliseconds before answering (a slow Slack); false when the caller hung up
 * meanwhile (its timeout), so nothing is done or recorded for it and no timer outlives it.
 */
export async function answerLate(ms: number, response: ServerResponse): Promise<boolean> {
  if (ms <= 0) return true;
  const hungUp = new AbortController();
  const onClose = () => hungUp.abort();
  response.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: hungUp.signal });
    return true;
  } catch {
    return false;
  } finally {
    response.off('close', onClose);
  }
}

export function isJson(request: IncomingMessage): boolean {
  return String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}
