import { describe, expect, it } from 'vitest';
import { buildHttpApiEvent, formatRequestTime, isTextContentType, renderClaims, type ReceivedRequest } from '../../infra/local/runtime/http-event.ts';

const NOW = new Date('2026-03-12T19:03:58.123Z');

function request(overrides: Partial<ReceivedRequest> = {}): ReceivedRequest {
  return {
    method: 'POST',
    url: '/v1/connection-requests/req%201/cancel?force=true&tag=a&tag=b%20c&flag',
    rawHeaders: [
      'Host', '127.0.0.1:3000',
      'User-Agent', 'curl/8.5.0',
      'Content-Type', 'application/json',
      'X-Custom', 'one',
      'x-custom', 'two',
      'Cookie', 'session=abc; theme=dark',
      'Authorization', 'Bearer secret-token',
    ],
    httpVersion: '1.1',
    sourceIp: '127.0.0.1',
    localPort: 3000,
    body: Buffer.from('{"reason":"no longer needed"}'),
    ...overrides,
  };
}

const context = {
  routeKey: 'POST /v1/connection-requests/{id}/cancel',
  pathParameters: { id: 'req 1' },
  requestId: 'Mc7UVioPPHcEKPA=',
  now: NOW,
  accountId: '111111111111',
  apiId: 'local',
  traceId: 'Root=1-69b31f0e-0123456789abcdef01234567',
};

describe('HTTP API payload 2.0 event', () => {
  it('fills every field of the event as API Gateway does', () => {
    expect(buildHttpApiEvent(request(), context)).toEqual({
      version: '2.0',
      routeKey: 'POST /v1/connection-requests/{id}/cancel',
      rawPath: '/v1/connection-requests/req 1/cancel',
      rawQueryString: 'force=true&tag=a&tag=b%20c&flag',
      cookies: ['session=abc', 'theme=dark'],
      headers: {
        host: '127.0.0.1:3000',
        'user-agent': 'curl/8.5.0',
        'content-type': 'application/json',
        'x-custom': 'one,two',
        authorization: 'Bearer secret-token',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-port': '3000',
        'x-forwarded-proto': 'http',
        'x-amzn-trace-id': 'Root=1-69b31f0e-0123456789abcdef01234567',
      },
      queryStringParameters: { force: 'true', tag: 'a,b c', flag: '' },
      pathParameters: { id: 'req 1' },
      requestContext: {
        accountId: '111111111111',
        apiId: 'local',
        domainName: '127.0.0.1',
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/v1/connection-requests/req 1/cancel',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8.5.0',
        },
        requestId: 'Mc7UVioPPHcEKPA=',
        routeKey: 'POST /v1/connection-requests/{id}/cancel',
        stage: '$default',
        time: '12/Mar/2026:19:03:58 +0000',
        timeEpoch: NOW.getTime(),
      },
      body: '{"reason":"no longer needed"}',
      isBase64Encoded: false,
    });
  });

  it('leaves out cookies, queryStringParameters, pathParameters, body and authorizer when there are none', () => {
    const event = buildHttpApiEvent(
      request({ method: 'GET', url: '/v1/health', rawHeaders: ['Host', 'localhost:3000'], body: Buffer.alloc(0) }),
      { ...context, routeKey: 'GET /v1/health', pathParameters: undefined },
    );
    expect(Object.keys(event).sort()).toEqual(['headers', 'isBase64Encoded', 'rawPath', 'rawQueryString', 'requestContext', 'routeKey', 'version']);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.rawQueryString).toBe('');
    expect(event.requestContext).not.toHaveProperty('authorizer');
    expect(event.requestContext.http.userAgent).toBe('');
  });

  it('base64-encodes a Slack form post, as API Gateway delivers it', () => {
    const form = 'payload=%7B%22type%22%3A%22block_actions%22%7D&token=x';
    const event = buildHttpApiEvent(
      request({ rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded'], body: Buffer.from(form) }),
      context,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString('utf8')).toBe(form);
  });

  it('base64-encodes bodies without a content type and binary ones byte for byte', () => {
    const bytes = Buffer.from([0, 255, 10, 128]);
    const event = buildHttpApiEvent(request({ rawHeaders: [], body: bytes }), context);
    expect(event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
  });

  it('treats only text/*, JSON, XML and JavaScript as text', () => {
    expect(isTextContentType('text/plain; charset=utf-8')).toBe(true);
    expect(isTextContentType('text/csv')).toBe(true);
    expect(isTextContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isTextContentType('application/xml')).toBe(true);
    expect(isTextContentType('application/javascript')).toBe(true);
    expect(isTextContentType('application/x-www-form-urlencoded')).toBe(false);
    expect(isTextContentType('multipart/form-data; boundary=x')).toBe(false);
    expect(isTextContentType('application/octet-stream')).toBe(false);
    expect(isTextContentType(undefined)).toBe(false);
  });

  it('appends the client to a forwarded-for chain and keeps a client trace id', () => {
    const event = buildHttpApiEvent(
      request({ rawHeaders: ['X-Forwarded-For', '10.0.0.1', 'X-Amzn-Trace-Id', 'Root=client'] }),
      context,
    );
    expect(event.headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(event.headers['x-amzn-trace-id']).toBe('Root=client');
  });

  it('puts the JWT authorizer context on protected routes with claims rendered as strings', () => {
    const event = buildHttpApiEvent(request(), {
      ...context,
      authorizer: {
        claims: { sub: 'alice', exp: 1700000000, email_verified: true, groups: ['connection-broker-admins', 'ops'], address: { city: 'X' }, nickname: null },
        scopes: null,
      },
    });
    expect(event.requestContext).toMatchObject({
      authorizer: {
        jwt: {
          claims: { sub: 'alice', exp: '1700000000', email_verified: 'true', groups: '[connection-broker-admins ops]', address: '{"city":"X"}' },
          scopes: null,
        },
      },
    });
  });

  it('renders claims the way API Gateway hands them over', () => {
    expect(renderClaims({ aud: ['a', 'b'], n: 0, missing: undefined })).toEqual({ aud: '[a b]', n: '0' });
  });

  it('formats requestContext.time like API Gateway', () => {
    expect(formatRequestTime(new Date('2026-01-05T03:04:05Z'))).toBe('05/Jan/2026:03:04:05 +0000');
  });
});
