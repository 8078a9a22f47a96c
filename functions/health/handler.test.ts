import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiEvent } from '../../test/helpers/api-handler.ts';
import { handler } from './handler.ts';

const healthCheck = apiEvent({ routeKey: 'GET /v1/health' });

describe('health handler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('answers 200 with service name and deployed version as JSON', async () => {
    vi.stubEnv('SERVICE_NAME', 'connection-broker');
    vi.stubEnv('SERVICE_VERSION', '1.2.3');

    const response = await handler(healthCheck);

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body ?? '')).toEqual({
      status: 'ok',
      service: 'connection-broker',
      version: '1.2.3',
    });
  });

  it('answers any other path with problem details, not a 500', async () => {
    const response = await handler(apiEvent({ routeKey: 'GET /v1/healthz' }));
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });

  it('still reports ok when the version was not injected', async () => {
    vi.stubEnv('SERVICE_VERSION', undefined);

    const body = JSON.parse((await handler(healthCheck)).body ?? '');

    expect(body).toMatchObject({ status: 'ok', version: 'unknown' });
  });
});
