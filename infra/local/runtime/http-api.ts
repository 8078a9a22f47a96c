/**
 * A node:http request listener that behaves like an API Gateway HTTP API with Lambda
 * proxy integrations (payload format 2.0) in front of in-process handlers.
 *
 * Never logs headers or bodies: they carry tokens and Slack signing material.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { authorizeJwt } from './http-authorizer.ts';
import { buildHttpApiEvent, splitTarget } from './http-event.ts';
import { gatewayError, internalServerError, mapHandlerResult, type GatewayResponse } from './http-result.ts';
import { createRouteMatcher } from './http-routes.ts';

export type HttpApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer | APIGatewayProxyEventV2;

export interface HttpApiRoute {
  method: string;
  /** `/v1/x/{id}`, `/files/{proxy+}`, or `*` for the `$default` route. */
  path: string;
  authorizer?: 'jwt';
  /** authorizationScopes: the token must carry at least one of them. */
  scopes?: string[];
  invoke: (event: HttpApiEvent) => Promise<APIGatewayProxyResultV2>;
}

export interface HttpApiAccessLogEntry {
  requestId: string;
  method: string;
  path: string;
  routeKey?: string;
  statusCode: number;
  durationMs: number;
}

export interface HttpApiOptions {
  routes: HttpApiRoute[];
  /** Returns the token's claims; throws (with an AWS-style description as message) when invalid. */
  verifyJwt: (token: string) => Promise<Record<string, unknown>>;
  /** Default 111111111111, the sandbox's default account. */
  accountId?: string;
  /** Default `local`. */
  apiId?: string;
  /** HTTP API's payload quota: 10 MB. */
  maxBodyBytes?: number;
  /** HTTP API's maximum integration timeout: 30 s, then 503. */
  integrationTimeoutMs?: number;
  now?: () => Date;
  /** One line per request; default console.log. Only method, path, route, status and timing. */
  onAccess?: (entry: HttpApiAccessLogEntry) => void;
  /** A handler threw; default logs the error's name and stack frames (not its message, which may quote the body). */
  onInvokeError?: (error: unknown, entry: { requestId: string; routeKey: string }) => void;
}

export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const INTEGRATION_TIMEOUT_MS = 30_000;

export function createHttpApi(options: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const match = createRouteMatcher(options.routes);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const timeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const onAccess = options.onAccess ?? logAccess;
  const onInvokeError = options.onInvokeError ?? logInvokeError;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const receivedAt = now();
    const requestId = newRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const { rawPath } = splitTarget(req.url ?? '/');
    const respond = (response: GatewayResponse, routeKey?: string, closeConnection = false) => {
      writeResponse(res, response, requestId, closeConnection);
      onAccess({ requestId, method, path: rawPath, ...(routeKey === undefined ? {} : { routeKey }), statusCode: response.statusCode, durationMs: performance.now() - started });
    };

    if (Number(req.headers['content-length'] ?? 0) > maxBodyBytes) return respond(gatewayError(413, 'Request Entity Too Large'), undefined, true);

    const matched = match(method, rawPath);
    if (matched === undefined) return respond(gatewayError(404, 'Not Found'));
    const { routeKey } = matched;

    let authorizer: { claims: Record<string, unknown>; scopes: string[] | null } | undefined;
    if (matched.route.authorizer === 'jwt') {
      const outcome = await authorizeJwt(req.headers.authorization, matched.route.scopes, options.verifyJwt);
      if (!outcome.allowed) return respond(outcome.response, routeKey);
      authorizer = { claims: outcome.claims, scopes: outcome.scopes };
    }

    const body = await readBody(req, maxBodyBytes);
    // The client hung up mid-upload: nobody is left to answer.
    if (body === 'aborted') return;
    if (body === 'too-large') return respond(gatewayError(413, 'Request Entity Too Large'), routeKey, true);

    const event = buildHttpApiEvent(
      { method, url: req.url ?? '/', rawHeaders: req.rawHeaders, httpVersion: req.httpVersion, sourceIp: clientIp(req), localPort: req.socket.localPort ?? 0, body },
      {
        routeKey,
        ...(matched.pathParameters === undefined ? {} : { pathParameters: matched.pathParameters }),
        requestId,
        now: receivedAt,
        accountId: options.accountId ?? '111111111111',
        apiId: options.apiId ?? 'local',
        traceId: newTraceId(receivedAt),
        ...(authorizer === undefined ? {} : { authorizer }),
      },
    );

    let result: APIGatewayProxyResultV2;
    try {
      result = await withTimeout(matched.route.invoke(event), timeoutMs);
    } catch (error) {
      if (error instanceof IntegrationTimeout) return respond(gatewayError(503, 'Service Unavailable'), routeKey);
      onInvokeError(error, { requestId, routeKey });
      return respond(internalServerError(), routeKey);
    }
    respond(mapHandlerResult(result), routeKey);
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in this adapter, not in a handler: answer like API Gateway and keep serving.
      logInvokeError(error, { requestId: 'adapter', routeKey: 'adapter' });
      if (!res.headersSent) writeResponse(res, internalServerError(), 'adapter', true);
    });
  };
}

/** The body, or 'too-large' as soon as it passes the limit (chunked uploads carry no Content-Length). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('close', () => {
      if (!req.complete) resolve('aborted');
    });
    req.once('error', (error) => (req.complete ? reject(error) : resolve('aborted')));
  });
}

function writeResponse(res: ServerResponse, response: GatewayResponse, requestId: string, closeConnection: boolean): void {
  res.statusCode = response.statusCode;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.cookies.length > 0) res.appendHeader('set-cookie', response.cookies);
  res.setHeader('content-length', response.body.length);
  res.setHeader('apigw-requestid', requestId);
  if (closeConnection) res.setHeader('connection', 'close');
  res.end(response.body);
}

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function clientIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

// API Gateway request ids look like `Mc7UVioPPHcEKPA=`: 11 random bytes in base64.
function newRequestId(): string {
  return randomBytes(11).toString('base64');
}

function newTraceId(at: Date): string {
  return `Root=1-${Math.floor(at.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

function logAccess(entry: HttpApiAccessLogEntry): void {
  console.log(`${entry.method} ${entry.path} → ${entry.statusCode} ${entry.durationMs.toFixed(0)} ms (${entry.routeKey ?? 'no route'}, ${entry.requestId})`);
}

function logInvokeError(error: unknown, entry: { requestId: string; routeKey: string }): void {
  const name = error instanceof Error ? error.name : typeof error;
  const frames = error instanceof Error ? (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n') : '';
  console.error(`${entry.routeKey} (${entry.requestId}): handler threw ${name} (message withheld: it may quote the request)\n${frames}`);
}
