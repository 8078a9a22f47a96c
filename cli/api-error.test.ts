import { describe, expect, it } from 'vitest';
import { apiFailure, EXIT, notSignedIn, unreachable, usageFailure } from './api-error.ts';

describe('API answers → message and exit code', () => {
  it('a 400 problem: the headline, then each field error by its path (exit 1)', () => {
    const failure = apiFailure(400, {
      type: 'https://example.com/problems/BadRequest',
      title: 'The request is not valid',
      status: 400,
      detail: 'The connection request is not valid.',
      code: 'BadRequest',
      errors: [
        { path: 'providerEndpoint', message: 'Must be an https:// URL' },
        { path: 'pipeline.branchName', message: 'Must not be empty' },
        { path: '', message: 'Request body must be a JSON object' },
      ],
    });
    expect(failure.exitCode).toBe(EXIT.refused);
    expect(failure.lines).toEqual([
      '400 The request is not valid: The connection request is not valid.',
      '  providerEndpoint: Must be an https:// URL',
      '  pipeline.branchName: Must not be empty',
      '  (body): Request body must be a JSON object',
    ]);
    expect(failure.json).toEqual({
      error: {
        kind: 'api',
        message: '400 The request is not valid: The connection request is not valid.',
        status: 400,
        code: 'BadRequest',
        title: 'The request is not valid',
        detail: 'The connection request is not valid.',
        errors: [
          { path: 'providerEndpoint', message: 'Must be an https:// URL' },
          { path: 'pipeline.branchName', message: 'Must not be empty' },
          { path: '', message: 'Request body must be a JSON object' },
        ],
      },
      exitCode: 1,
    });
  });

  it('a 409 or 5xx problem is a refusal too (exit 1)', () => {
    expect(apiFailure(409, { title: 'The request has finished', detail: 'The request is already COMPLETED.', code: 'RequestFinished' })).toMatchObject({
      exitCode: 1,
      lines: ['409 The request has finished: The request is already COMPLETED.'],
    });
    expect(apiFailure(503, undefined).lines).toEqual(['503 Service Unavailable']);
    // A detail that only repeats the title is said once.
    expect(apiFailure(409, { title: 'The request is already being rolled back', detail: 'The request is already being rolled back.' }).lines).toEqual([
      '409 The request is already being rolled back',
    ]);
  });

  it('401 (API Gateway’s { message }) means the token is missing or refused: exit 4, saying how to sign in', () => {
    const failure = apiFailure(401, { message: 'Unauthorized' });
    expect(failure.exitCode).toBe(EXIT.notSignedIn);
    expect(failure.lines[0]).toBe('401 Unauthorized');
    expect(failure.lines[1]).toContain('connection-broker login');
    expect(failure.json.error.kind).toBe('not-signed-in');
  });

  it('a body that is not JSON: its start as the detail', () => {
    expect(apiFailure(502, '<html>Bad gateway</html>').lines).toEqual(['502 Bad Gateway: <html>Bad gateway</html>']);
    expect(apiFailure(418, '').lines).toEqual(['418 Error']);
  });

  it('ignores field errors without a message', () => {
    expect(apiFailure(400, { title: 'Bad', errors: [{ path: 'x' }, 'y', null, { message: 'kept' }] }).lines).toEqual(['400 Bad', '  (body): kept']);
  });

  it('not signed in: exit 4 and how to log in', () => {
    const failure = notSignedIn();
    expect(failure.exitCode).toBe(4);
    expect(failure.lines.join(' ')).toMatch(/connection-broker login --token/);
    expect(failure.json).toMatchObject({ error: { kind: 'not-signed-in' }, exitCode: 4 });
  });

  it('unreachable: exit 1, naming the URL, where it came from, and the cause', () => {
    const failure = unreachable('http://127.0.0.1:1', '--api', new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }));
    expect(failure.exitCode).toBe(1);
    expect(failure.lines[0]).toBe('Cannot reach the API at http://127.0.0.1:1 (--api): connect ECONNREFUSED 127.0.0.1:1');
  });

  it('usage: exit 2 with every problem', () => {
    expect(usageFailure(['a', 'b'])).toMatchObject({ exitCode: 2, lines: ['a', 'b'], json: { error: { kind: 'usage', message: 'a; b' }, exitCode: 2 } });
  });
});
