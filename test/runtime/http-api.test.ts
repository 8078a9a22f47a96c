import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpApi, MAX_BODY_BYTES, type HttpApiAccessLogEntry, type HttpApiEvent, type HttpApiOptions, type HttpApiRoute } from '../../infra/local/runtime/http-api.ts';
import { mintToken, verifyToken } from '../../infra/local/runtime/jwt.ts';

const NOW = new Date('2026-05-01T12:00:00.000Z');
const GOOD_TOKEN = 'good-token';

async function stubVerify(token: string): Promise<Record<string, unknown>> {
  if (token === GOOD_TOKEN) return { sub: 'alice', groups: ['connection-broker-admins'], scope: 'broker/read broker/write', exp: 1800000000 };
  throw new Error('the token has expired');
}

interface Harness {
  url: string;
  events: HttpApiEvent[];
  access: HttpApiAccessLogEntry[];
  errors: unknown[];
  close(): Promise<void>;
}

async function startApi(routes: Omit<HttpApiRoute, 'invoke'>[], options: Partial<HttpApiOptions> & { respond?: (event: HttpApiEvent) => Promise<unknown> } = {}): Promise<Harness> {
  const events: HttpApiEvent[] = [];
  const access: HttpApiAccessLogEntry[] = [];
  const errors: unknown[] = [];
  const respond = options.respond ?? (async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));
  const listener = createHttpApi({
    verifyJwt: stubVerify,
    now: () => NOW,
    onAccess: (entry) => access.push(entry),
    onInvokeError: (error) => errors.push(error),
    ...options,
    routes: routes.map((route) => ({
      ...route,
      invoke: async (event: HttpApiEvent) => {
        events.push(event);
        return (await respond(event)) as never;
      },
    })),
  });
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    access,
    errors,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A raw request, so headers and bodies are exactly what the test says (fetch adds its own). */
function rawRequest(url: string, options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | Buffer[] }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest({ host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    // The server may answer and close before a large body is fully sent; the answer is what counts.
    req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'EPIPE' || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of [options.body ?? []].flat()) req.write(chunk);
    req.end();
  });
}

describe('local HTTP API (node:http → API Gateway payload 2.0)', () => {
  let api: Harness;
  afterEach(async () => {
    await api?.close();
  });

  it('invokes the handler with a full event and answers with its result', async () => {
    api = await startApi([{ method: 'GET', path: '/v1/connection-requests/{id}' }]);
    const response = await fetch(`${api.url}/v1/connection-requests/r-1?view=full`, { headers: { 'x-trace': 'abc' } });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const [event] = api.events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /v1/connection-requests/{id}',
      rawPath: '/v1/connection-requests/r-1',
      rawQueryString: 'view=full',
      queryStringParameters: { view: 'full' },
      pathParameters: { id: 'r-1' },
      isBase64Encoded: false,
      headers: { 'x-trace': 'abc', host: expect.stringMatching(/^127\.0\.0\.1:\d+$/), 'x-forwarded-proto': 'http' },
      requestContext: {
        accountId: '111111111111',
        apiId: 'local',
        domainName: '127.0.0.1',
        http: { method: 'GET', path: '/v1/connection-requests/r-1', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        routeKey: 'GET /v1/connection-requests/{id}',
        stage: '$default',
        time: '01/May/2026:12:00:00 +0000',
        timeEpoch: NOW.getTime(),
      },
    });
    expect(event?.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(event?.requestContext.requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(response.headers.get('apigw-requestid')).toBe(event?.requestContext.requestId);
    expect(api.access).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/connection-requests/r-1', routeKey: 'GET /v1/connection-requests/{id}', statusCode: 200 })]);
  });

  it('answers 404 {"message":"Not Found"} for an unknown path or method, without invoking anything', async () => {
    api = await startApi([{ method: 'GET', path: '/v1/health' }]);
    for (const [method, path] of [['GET', '/v1/nope'], ['POST', '/v1/health']] as const) {
      const response = await fetch(`${api.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.text()).toBe('{"message":"Not Found"}');
    }
    expect(api.events).toHaveLength(0);
  });

  describe('JWT authorizer', () => {
    it('answers 401 {"message":"Unauthorized"} without a token and does not invoke the handler', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/me', authorizer: 'jwt' }]);
      const response = await fetch(`${api.url}/v1/me`);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('{"message":"Unauthorized"}');
      expect(api.events).toHaveLength(0);
    });

    it('answers 401 with a www-authenticate description for a rejected token', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/me', authorizer: 'jwt' }]);
      const response = await fetch(`${api.url}/v1/me`, { headers: { authorization: 'Bearer expired-token' } });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('{"message":"Unauthorized"}');
      expect(response.headers.get('www-authenticate')).toBe('Bearer scope="" error="invalid_token" error_description="the token has expired"');
      expect(api.events).toHaveLength(0);
    });

    it('passes string-rendered claims and null scopes to the handler; the Bearer prefix is optional', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/me', authorizer: 'jwt' }]);
      for (const authorization of [`Bearer ${GOOD_TOKEN}`, GOOD_TOKEN]) {
        expect((await fetch(`${api.url}/v1/me`, { headers: { authorization } })).status).toBe(200);
      }
      expect(api.events[0]?.requestContext).toMatchObject({
        authorizer: { jwt: { claims: { sub: 'alice', groups: '[connection-broker-admins]', exp: '1800000000' }, scopes: null } },
      });
    });

    it('enforces route scopes with 403 {"message":"Forbidden"} and lists the token scopes when allowed', async () => {
      api = await startApi([
        { method: 'POST', path: '/v1/admin', authorizer: 'jwt', scopes: ['broker/admin'] },
        { method: 'POST', path: '/v1/write', authorizer: 'jwt', scopes: ['broker/write', 'broker/admin'] },
      ]);
      const headers = { authorization: `Bearer ${GOOD_TOKEN}` };
      const forbidden = await fetch(`${api.url}/v1/admin`, { method: 'POST', headers });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.text()).toBe('{"message":"Forbidden"}');
      expect((await fetch(`${api.url}/v1/write`, { method: 'POST', headers })).status).toBe(200);
      expect(api.events.map((event) => event.requestContext)).toEqual([
        expect.objectContaining({ authorizer: { jwt: expect.objectContaining({ scopes: ['broker/read', 'broker/write'] }) } }),
      ]);
    });

    it('accepts tokens from the local issuer end to end', async () => {
      const keyDir = await mkdtemp(join(tmpdir(), 'jwt-'));
      try {
        api = await startApi([{ method: 'GET', path: '/v1/me', authorizer: 'jwt' }], { verifyJwt: (token) => verifyToken(token, { keyDir }) });
        const token = await mintToken({ sub: 'bob@example.com', groups: ['connection-broker-admins'] }, { keyDir });
        expect((await fetch(`${api.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
        expect(api.events[0]?.requestContext).toMatchObject({ authorizer: { jwt: { claims: { sub: 'bob@example.com', aud: 'connection-broker' } } } });
      } finally {
        await rm(keyDir, { recursive: true, force: true });
      }
    });
  });

  describe('request bodies', () => {
    it('delivers a Slack form post base64-encoded', async () => {
      api = await startApi([{ method: 'POST', path: '/v1/slack/interactions' }]);
      const form = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
      await fetch(`${api.url}/v1/slack/interactions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      expect(api.events[0]).toMatchObject({ isBase64Encoded: true, body: Buffer.from(form).toString('base64') });
    });

    it('answers 413 when Content-Length is over 10 MB, before reading or invoking', async () => {
      api = await startApi([{ method: 'POST', path: '/v1/upload' }]);
      const response = await rawRequest(api.url, { method: 'POST', path: '/v1/upload', headers: { 'content-length': MAX_BODY_BYTES + 1 }, body: Buffer.alloc(1024) });
      expect(response.status).toBe(413);
      expect(response.body).toBe('{"message":"Request Entity Too Large"}');
      expect(api.events).toHaveLength(0);
    });

    it('answers 413 when a chunked body grows past the limit, and accepts one exactly at it', async () => {
      api = await startApi([{ method: 'POST', path: '/v1/upload' }], { maxBodyBytes: 64 * 1024 });
      const over = await rawRequest(api.url, { method: 'POST', path: '/v1/upload', headers: { 'transfer-encoding': 'chunked' }, body: [Buffer.alloc(32 * 1024), Buffer.alloc(32 * 1024 + 1)] });
      expect(over.status).toBe(413);
      const at = await rawRequest(api.url, { method: 'POST', path: '/v1/upload', headers: { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' }, body: [Buffer.alloc(32 * 1024, 'a'), Buffer.alloc(32 * 1024, 'b')] });
      expect(at.status).toBe(200);
      expect(api.events[0]?.body).toHaveLength(64 * 1024);
    });

    it('drops a request whose client hangs up mid-upload, and keeps serving', async () => {
      api = await startApi([{ method: 'POST', path: '/v1/upload' }]);
      const target = new URL(api.url);
      await new Promise<void>((resolve) => {
        const req = httpRequest({ host: target.hostname, port: target.port, method: 'POST', path: '/v1/upload', headers: { 'content-length': 100 } });
        req.on('error', () => undefined);
        req.on('close', () => resolve());
        req.write(Buffer.alloc(10), () => setTimeout(() => req.destroy(), 20));
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(api.events).toHaveLength(0);
      expect(api.access).toHaveLength(0);
      expect((await fetch(`${api.url}/v1/upload`, { method: 'POST', body: 'ok' })).status).toBe(200);
    });
  });

  describe('results and failures', () => {
    it('sends cookies as separate Set-Cookie headers and decodes base64 bodies', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/file' }], {
        respond: async () => ({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, cookies: ['a=1', 'b=2'], body: Buffer.from([0, 1, 2]).toString('base64'), isBase64Encoded: true }),
      });
      const response = await rawRequest(api.url, { path: '/v1/file' });
      expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(Buffer.from(response.body, 'latin1')).toEqual(Buffer.from([0, 1, 2]));
    });

    it('turns a plain object result into a 200 JSON response', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/x' }], { respond: async () => ({ items: [] }) });
      const response = await fetch(`${api.url}/v1/x`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ items: [] });
    });

    it('answers 500 {"message":"Internal Server Error"} when the handler throws', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/x' }], { respond: async () => { throw new TypeError('boom'); } });
      const response = await fetch(`${api.url}/v1/x`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('{"message":"Internal Server Error"}');
      expect(api.errors).toEqual([expect.any(TypeError)]);
    });

    it('answers 503 {"message":"Service Unavailable"} when the integration times out', async () => {
      api = await startApi([{ method: 'GET', path: '/v1/slow' }], { integrationTimeoutMs: 50, respond: () => new Promise(() => undefined) });
      const response = await fetch(`${api.url}/v1/slow`);
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('{"message":"Service Unavailable"}');
    });
  });

  describe('default logging', () => {
    const spies: ReturnType<typeof vi.spyOn>[] = [];
    beforeAll(() => {
      spies.push(vi.spyOn(console, 'log').mockImplementation(() => undefined), vi.spyOn(console, 'error').mockImplementation(() => undefined));
    });
    afterAll(() => spies.forEach((spy) => spy.mockRestore()));

    it('never logs the Authorization header, the body, or a thrown message', async () => {
      const secretBody = 'text=SECRET-BODY-CONTENT';
      api = await startApi([{ method: 'POST', path: '/v1/x', authorizer: 'jwt' }], {
        onAccess: undefined,
        onInvokeError: undefined,
        respond: async (event) => {
          throw new Error(`cannot parse ${event.body ?? ''}`);
        },
      });
      const response = await fetch(`${api.url}/v1/x`, { method: 'POST', headers: { authorization: `Bearer ${GOOD_TOKEN}`, 'content-type': 'text/plain' }, body: secretBody });
      expect(response.status).toBe(500);
      const logged = spies.flatMap((spy) => spy.mock.calls.flat().map(String)).join('\n');
      expect(logged).toContain('POST /v1/x → 500');
      expect(logged).not.toContain(GOOD_TOKEN);
      expect(logged).not.toContain('SECRET-BODY-CONTENT');
    });
  });
});
