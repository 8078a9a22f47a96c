import { describe, expect, it } from 'vitest';
import { attemptTimeoutMs, MIN_ATTEMPT_MS, retryDelayMs, type SlackRetryPolicy } from './retry-policy.ts';

const background: SlackRetryPolicy = { attemptTimeoutMs: 5000, retries: 2 };
const noJitter = () => 0;

describe('the Slack retry policy, against the time left', () => {
  it('cuts an attempt to the time left, and starts none that cannot get an answer', () => {
    expect(attemptTimeoutMs(background, Number.POSITIVE_INFINITY)).toBe(5000);
    expect(attemptTimeoutMs(background, 28_000)).toBe(5000);
    expect(attemptTimeoutMs(background, 1200)).toBe(1200);
    expect(attemptTimeoutMs(background, MIN_ATTEMPT_MS)).toBe(MIN_ATTEMPT_MS);
    expect(attemptTimeoutMs(background, MIN_ATTEMPT_MS - 1)).toBeUndefined();
    expect(attemptTimeoutMs(background, 0)).toBeUndefined();
  });

  it('backs off 100 ms, then 200 ms (up to twice that with jitter), within the retries allowed', () => {
    const failed = { retryable: true, remainingMs: Number.POSITIVE_INFINITY };
    expect(retryDelayMs(background, { ...failed, retriesMade: 0 }, noJitter)).toBe(100);
    expect(retryDelayMs(background, { ...failed, retriesMade: 1 }, noJitter)).toBe(200);
    expect(retryDelayMs(background, { ...failed, retriesMade: 1 }, () => 0.999)).toBe(400);
    expect(retryDelayMs(background, { ...failed, retriesMade: 2 }, noJitter)).toBeUndefined();
    expect(retryDelayMs({ attemptTimeoutMs: 5000, retries: 9 }, { ...failed, retriesMade: 8 }, noJitter)).toBe(1000);
  });

  it('does not retry what retrying cannot fix', () => {
    expect(retryDelayMs(background, { retriesMade: 0, retryable: false, remainingMs: 30_000 }, noJitter)).toBeUndefined();
  });

  it('retries only when the wait and a useful attempt fit in the time left', () => {
    expect(retryDelayMs(background, { retriesMade: 0, retryable: true, remainingMs: 100 + MIN_ATTEMPT_MS }, noJitter)).toBe(100);
    expect(retryDelayMs(background, { retriesMade: 0, retryable: true, remainingMs: 99 + MIN_ATTEMPT_MS }, noJitter)).toBeUndefined();
  });

  it('waits the Retry-After of a 429 when it fits, and gives up at once when it does not', () => {
    expect(retryDelayMs(background, { retriesMade: 0, retryable: true, retryAfterMs: 1000, remainingMs: Number.POSITIVE_INFINITY }, noJitter)).toBe(1000);
    expect(retryDelayMs(background, { retriesMade: 0, retryable: true, retryAfterMs: 1000, remainingMs: 5000 }, noJitter)).toBe(1000);
    expect(retryDelayMs(background, { retriesMade: 0, retryable: true, retryAfterMs: 30_000, remainingMs: 27_000 }, noJitter)).toBeUndefined();
  });

  it('keeps a worst-case background call within one 30 s step: three 5 s attempts and two waits', () => {
    let remaining = 28_000;
    let spent = 0;
    for (let retriesMade = 0; ; retriesMade++) {
      const attempt = attemptTimeoutMs(background, remaining)!;
      remaining -= attempt;
      spent += attempt;
      const wait = retryDelayMs(background, { retriesMade, retryable: true, remainingMs: remaining }, () => 0.999);
      if (wait === undefined) break;
      remaining -= wait;
      spent += wait;
    }
    expect(spent).toBeLessThanOrEqual(28_000);
    expect(spent).toBe(15_000 + 200 + 400);
  });
});
