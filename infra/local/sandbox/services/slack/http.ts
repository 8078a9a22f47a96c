import type { IncomingMessage, ServerResponse } from 'node:http';

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

export function isJson(request: IncomingMessage): boolean {
  return String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
}
