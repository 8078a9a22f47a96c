import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from './handler.ts';

describe('health handler', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('answers 200 with service name and deployed version as JSON', async () => {
    vi.stubEnv('SERVICE_NAME', 'connection-broker');
    vi.stubEnv('SERVICE_VERSION', '1.2.3');

    const response = await handler();

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body ?? '')).toEqual({
      status: 'ok',
      service: 'connection-broker',
      version: '1.2.3',
    });
  });

  it('still reports ok when the version was not injected', async () => {
    vi.stubEnv('SERVICE_VERSION', undefined);

    const body = JSON.parse((await handler()).body ?? '');

    expect(body).toMatchObject({ status: 'ok', version: 'unknown' });
  });
});
