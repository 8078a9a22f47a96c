import { describe, expect, it } from 'vitest';
import { createRouteMatcher, routeKeyOf } from '../../infra/local/runtime/http-routes.ts';

const route = (method: string, path: string) => ({ method, path, id: `${method} ${path}` });

describe('HTTP API route matching', () => {
  const match = createRouteMatcher([
    route('GET', '/v1/health'),
    route('GET', '/v1/connection-requests/{id}'),
    route('POST', '/v1/connection-requests/{id}/cancel'),
    route('GET', '/v1/connection-requests/mine'),
    route('ANY', '/v1/connection-requests/{id}'),
    route('GET', '/files/{proxy+}'),
    route('GET', '/files/{dir}/readme'),
    route('ANY', '/{proxy+}'),
  ]);

  it('matches a literal route and gives no pathParameters', () => {
    expect(match('GET', '/v1/health')).toEqual({ route: route('GET', '/v1/health'), routeKey: 'GET /v1/health' });
  });

  it('captures {param} segments', () => {
    expect(match('POST', '/v1/connection-requests/req-1/cancel')).toMatchObject({
      routeKey: 'POST /v1/connection-requests/{id}/cancel',
      pathParameters: { id: 'req-1' },
    });
  });

  it('prefers a literal segment over a parameter', () => {
    expect(match('GET', '/v1/connection-requests/mine')?.routeKey).toBe('GET /v1/connection-requests/mine');
  });

  it('prefers an exact method over ANY on the same path', () => {
    expect(match('GET', '/v1/connection-requests/r1')?.routeKey).toBe('GET /v1/connection-requests/{id}');
    expect(match('DELETE', '/v1/connection-requests/r1')?.routeKey).toBe('ANY /v1/connection-requests/{id}');
  });

  it('lets a greedy {proxy+} take the rest of the path, but a more specific route wins', () => {
    expect(match('GET', '/files/a/b/c.txt')).toMatchObject({ routeKey: 'GET /files/{proxy+}', pathParameters: { proxy: 'a/b/c.txt' } });
    expect(match('GET', '/files/docs/readme')).toMatchObject({ routeKey: 'GET /files/{dir}/readme', pathParameters: { dir: 'docs' } });
    expect(match('PUT', '/anything/else')).toMatchObject({ routeKey: 'ANY /{proxy+}', pathParameters: { proxy: 'anything/else' } });
  });

  it('does not match an empty parameter, an empty greedy remainder, or a different segment count', () => {
    const strict = createRouteMatcher([route('GET', '/v1/x/{id}'), route('GET', '/v1/g/{proxy+}')]);
    expect(strict('GET', '/v1/x/')).toBeUndefined();
    expect(strict('GET', '/v1/x')).toBeUndefined();
    expect(strict('GET', '/v1/x/1/2')).toBeUndefined();
    expect(strict('GET', '/v1/g/')).toBeUndefined();
    expect(strict('HEAD', '/v1/x/1')).toBeUndefined();
  });

  it('falls back to the $default route (osls path "*") when nothing else matches', () => {
    const withDefault = createRouteMatcher([route('GET', '/a'), route('ANY', '*')]);
    expect(withDefault('GET', '/a')?.routeKey).toBe('GET /a');
    expect(withDefault('POST', '/zzz')).toEqual({ route: route('ANY', '*'), routeKey: '$default' });
  });

  it('rejects duplicate routes and misplaced greedy parameters', () => {
    expect(() => createRouteMatcher([route('GET', '/a'), route('get', '/a')])).toThrow(/Duplicate route GET \/a/);
    expect(() => createRouteMatcher([route('GET', '/a/{p+}/b')])).toThrow(/must be the last segment/);
    expect(() => createRouteMatcher([route('GET', 'a')])).toThrow(/must start with/);
  });

  it('builds route keys as API Gateway does', () => {
    expect(routeKeyOf({ method: 'post', path: '/v1/x' })).toBe('POST /v1/x');
    expect(routeKeyOf({ method: 'ANY', path: '*' })).toBe('$default');
  });
});
