import { describe, expect, it } from 'vitest';
import type { Retrier } from '../../infra/local/stepfunctions/asl.ts';
import { decideRetry, type FailedAttempt } from '../../infra/local/stepfunctions/retry-plan.ts';
import { RetryTracker } from '../../infra/local/stepfunctions/retry-tracker.ts';

/** The retry decisions the engine mirrors from the library, so retry intervals can run on the sandbox clock. */

const failure = (name: string, extra: Partial<FailedAttempt> = {}): FailedAttempt => ({ name, isTimeout: false, isRetryable: true, ...extra });

describe('decideRetry', () => {
  it('uses the ASL defaults: 1 s, doubling, three attempts', () => {
    const retriers: Retrier[] = [{ ErrorEquals: ['Boom'] }];
    expect(decideRetry(retriers, [], failure('Boom'))).toEqual({ retrierIndex: 0, delayMs: 1000 });
    expect(decideRetry(retriers, [1], failure('Boom'))).toEqual({ retrierIndex: 0, delayMs: 2000 });
    expect(decideRetry(retriers, [2], failure('Boom'))).toEqual({ retrierIndex: 0, delayMs: 4000 });
    expect(decideRetry(retriers, [3], failure('Boom'))).toBeUndefined();
  });

  it('lets the first matching retrier decide, even when it is exhausted', () => {
    const retriers: Retrier[] = [
      { ErrorEquals: ['Boom'], MaxAttempts: 1, IntervalSeconds: 5 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 7 },
    ];
    expect(decideRetry(retriers, [0, 0], failure('Boom'))).toEqual({ retrierIndex: 0, delayMs: 5000 });
    expect(decideRetry(retriers, [1, 0], failure('Boom'))).toBeUndefined();
    expect(decideRetry(retriers, [1, 0], failure('Other'))).toEqual({ retrierIndex: 1, delayMs: 7000 });
  });

  it('matches States.TaskFailed to everything but timeouts, and States.ALL to everything retryable', () => {
    const taskFailed: Retrier[] = [{ ErrorEquals: ['States.TaskFailed'] }];
    expect(decideRetry(taskFailed, [], failure('Anything'))).toBeDefined();
    expect(decideRetry(taskFailed, [], failure('States.Timeout', { isTimeout: true }))).toBeUndefined();
    expect(decideRetry([{ ErrorEquals: ['States.ALL'] }], [], failure('States.Timeout', { isTimeout: true }))).toBeDefined();
    expect(decideRetry([{ ErrorEquals: ['States.ALL'] }], [], failure('States.Runtime', { isRetryable: false }))).toBeUndefined();
  });

  it('caps the backoff at MaxDelaySeconds and spreads it with FULL jitter', () => {
    const retrier: Retrier = { ErrorEquals: ['Boom'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 10, MaxDelaySeconds: 60, JitterStrategy: 'FULL' };
    expect(decideRetry([{ ...retrier, JitterStrategy: 'NONE' }], [6], failure('Boom'))!.delayMs).toBe(60_000);
    expect(decideRetry([retrier], [6], failure('Boom'), () => 0.5)!.delayMs).toBe(30_000);
    expect(decideRetry([retrier], [0], failure('Boom'), () => 0)!.delayMs).toBe(0);
  });

  it('never retries with MaxAttempts 0', () => {
    expect(decideRetry([{ ErrorEquals: ['Boom'], MaxAttempts: 0 }], [], failure('Boom'))).toBeUndefined();
  });
});

describe('RetryTracker', () => {
  it('counts attempts across retries and starts over when the state is entered afresh', () => {
    const tracker = new RetryTracker();
    const retriers: Retrier[] = [{ ErrorEquals: ['Boom'], IntervalSeconds: 1, MaxAttempts: 2 }];
    tracker.beginAttempt('S');
    expect(tracker.afterFailure('S', retriers, failure('Boom'))).toBe(1000);
    tracker.beginAttempt('S');
    expect(tracker.afterFailure('S', retriers, failure('Boom'))).toBe(2000);
    tracker.beginAttempt('S');
    expect(tracker.afterFailure('S', retriers, failure('Boom'))).toBeUndefined();
    // Entered again later (a loop): a fresh count.
    tracker.beginAttempt('S');
    expect(tracker.afterFailure('S', retriers, failure('Boom'))).toBe(1000);
    tracker.beginAttempt('S');
    tracker.afterSuccess('S');
    tracker.beginAttempt('S');
    expect(tracker.afterFailure('S', retriers, failure('Boom'))).toBe(1000);
  });
});
