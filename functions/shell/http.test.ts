import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { conflict, isProblemCode, notFound, PROBLEM_TYPES, problemTypeUri, unprocessable } from './http-errors.ts';
import { toResponse } from './http.ts';

const FUNCTIONS = new URL('..', import.meta.url).pathname;

describe('toResponse: every error as RFC 9457 problem details', () => {
  it('answers an ApiError with its status, type, title, detail, instance, code and errors', () => {
    const log = vi.fn();
    const answer = toResponse(conflict('ConnectionNameTaken', 'A connection named x exists.', [{ path: 'connectionName', message: 'in use' }]), log, {
      rawPath: '/v1/connection-requests',
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.headers).toMatchObject({ 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
    expect(JSON.parse(String(answer.body))).toEqual({
      type: '/v1/openapi.json#/components/x-problem-types/ConnectionNameTaken',
      title: 'The connection name is taken',
      status: 409,
      detail: 'A connection named x exists.',
      instance: '/v1/connection-requests',
      code: 'ConnectionNameTaken',
      errors: [{ path: 'connectionName', message: 'in use' }],
    });
    expect(log).not.toHaveBeenCalled();
  });

  it('takes the instance as a path too, and leaves it out when it is not known', () => {
    expect(JSON.parse(String(toResponse(notFound('gone'), vi.fn(), '/v1/hosts/x').body))).toMatchObject({ instance: '/v1/hosts/x', errors: [] });
    expect(JSON.parse(String(toResponse(notFound('gone'), vi.fn()).body))).not.toHaveProperty('instance');
  });

  it('answers anything else with 500 InternalError, no internals, and logs it', () => {
    const log = vi.fn();
    const answer = toResponse(new Error('secret table name'), log, '/v1/connection-requests');
    expect(answer.statusCode).toBe(500);
    expect(String(answer.body)).not.toContain('secret');
    expect(JSON.parse(String(answer.body))).toMatchObject({ code: 'InternalError', type: problemTypeUri('InternalError'), status: 500 });
    expect(log).toHaveBeenCalledWith('unhandled error', expect.any(Error));
  });

  it('knows every code the functions answer with, at the status it comes with', () => {
    const sources = (readdirSync(FUNCTIONS, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => readFileSync(join(FUNCTIONS, file), 'utf8'));
    const factories = { conflict: 409, unprocessable: 422, serviceUnavailable: 503 } as const;
    const used = sources.flatMap((source) =>
      [...source.matchAll(/\b(conflict|unprocessable|serviceUnavailable)\(\s*'(\w+)'/gu)].map(([, factory, code]) => [code!, factories[factory as keyof typeof factories]] as const),
    );
    const direct = sources.flatMap((source) => [...source.matchAll(/new ApiError\([^,]+,\s*'(\w+)'/gu)].map(([, code]) => code!));
    expect(used.length).toBeGreaterThan(15);
    for (const [code, status] of used) {
      expect(isProblemCode(code), code).toBe(true);
      expect(PROBLEM_TYPES[code as keyof typeof PROBLEM_TYPES].statuses as readonly number[], code).toContain(status);
    }
    for (const code of direct) expect(isProblemCode(code), code).toBe(true);
    expect(unprocessable('PipelineNotFound', 'x').status).toBe(422);
  });
});
