import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HOST_POLL_POLICY,
  assertValidPollPolicy,
  nextPoll,
  pollInterval,
  pollSchedule,
  pollsUntilNoticed,
  type PollPolicy,
} from '../../functions/core/backoff.ts';
import { InvalidPollPolicyError } from '../../functions/core/errors.ts';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('DEFAULT_HOST_POLL_POLICY', () => {
  it('starts at a minute, doubles, caps at 6 hours, stops after 7 days', () => {
    expect(DEFAULT_HOST_POLL_POLICY).toEqual({ initialSeconds: 60, multiplier: 2, maxIntervalSeconds: 6 * HOUR, maxTotalSeconds: 7 * DAY });
    expect(Object.isFrozen(DEFAULT_HOST_POLL_POLICY)).toBe(true);
  });

  it('schedules 60, 120, 240, ... then every 6 hours, exactly filling 7 days', () => {
    const waits = pollSchedule();
    expect(waits.slice(0, 10)).toEqual([60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600]);
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBe(7 * DAY);
  });

  it('notices a host set up after 30 minutes within 6 polls', () => {
    const polls = pollsUntilNoticed(30 * MINUTE);
    expect(polls).toBe(5);
    expect(polls).toBeLessThanOrEqual(6);
  });

  it('costs at most ~40 polls for a full week', () => {
    const polls = pollSchedule().length;
    expect(polls).toBe(36);
    expect(polls).toBeLessThanOrEqual(40);
    // Each poll is a handful of Step Functions history events; far below the 25,000 limit.
    expect(polls * 10).toBeLessThan(25_000);
  });

  it('notices a set-up after one day by the 12th poll, and never later than 6 hours after it happened', () => {
    expect(pollsUntilNoticed(DAY)).toBe(12);
    const waits = pollSchedule();
    expect(Math.max(...waits)).toBe(6 * HOUR);
  });

  it('says when a change can no longer be noticed', () => {
    expect(pollsUntilNoticed(7 * DAY + 1)).toBeUndefined();
  });
});

describe('nextPoll', () => {
  it('returns the first wait and the state to pass back', () => {
    expect(nextPoll({ attempt: 0, elapsedSeconds: 0 })).toEqual({ action: 'wait', waitSeconds: 60, attempt: 1, elapsedSeconds: 60 });
    expect(nextPoll({ attempt: 1, elapsedSeconds: 60 })).toEqual({ action: 'wait', waitSeconds: 120, attempt: 2, elapsedSeconds: 180 });
  });

  it('trims the last wait to the budget', () => {
    expect(nextPoll({ attempt: 30, elapsedSeconds: 7 * DAY - 100 })).toEqual({
      action: 'wait',
      waitSeconds: 100,
      attempt: 31,
      elapsedSeconds: 7 * DAY,
    });
  });

  it('gives up when the budget is spent (or less than a second is left)', () => {
    expect(nextPoll({ attempt: 36, elapsedSeconds: 7 * DAY })).toEqual({ action: 'give-up', elapsedSeconds: 7 * DAY });
    expect(nextPoll({ attempt: 36, elapsedSeconds: 7 * DAY - 0.5 })).toEqual({ action: 'give-up', elapsedSeconds: 7 * DAY - 0.5 });
    expect(nextPoll({ attempt: 3, elapsedSeconds: 8 * DAY }).action).toBe('give-up');
  });

  it('accepts a measured, fractional elapsed time and still waits whole seconds within the budget', () => {
    const decision = nextPoll({ attempt: 0, elapsedSeconds: 12.7 }, { initialSeconds: 10, multiplier: 1.5, maxIntervalSeconds: 100, maxTotalSeconds: 20 });
    expect(decision).toEqual({ action: 'wait', waitSeconds: 7, attempt: 1, elapsedSeconds: 19.7 });
  });

  it('copes with huge attempt numbers (no overflow past the cap)', () => {
    expect(nextPoll({ attempt: 5000, elapsedSeconds: 0 })).toMatchObject({ action: 'wait', waitSeconds: 6 * HOUR });
  });

  it('supports a fixed interval (multiplier 1)', () => {
    expect(pollSchedule({ initialSeconds: 30, multiplier: 1, maxIntervalSeconds: 30, maxTotalSeconds: 100 })).toEqual([30, 30, 30, 10]);
  });

  it.each([
    [{ attempt: -1, elapsedSeconds: 0 }, /attempt must be a non-negative integer/],
    [{ attempt: 1.5, elapsedSeconds: 0 }, /attempt must be a non-negative integer/],
    [{ attempt: 0, elapsedSeconds: -1 }, /elapsedSeconds must be a non-negative number/],
    [{ attempt: 0, elapsedSeconds: Number.NaN }, /elapsedSeconds must be a non-negative number/],
  ])('rejects the invalid state %j', (state, message) => {
    expect(() => nextPoll(state)).toThrow(InvalidPollPolicyError);
    expect(() => nextPoll(state)).toThrow(message);
  });

  it.each([
    [{ initialSeconds: 0 }, /initialSeconds must be a positive integer/],
    [{ initialSeconds: 1.5 }, /initialSeconds must be a positive integer/],
    [{ multiplier: 0.5 }, /multiplier must be a finite number ≥ 1/],
    [{ multiplier: Number.POSITIVE_INFINITY }, /multiplier must be a finite number ≥ 1/],
    [{ maxIntervalSeconds: 30 }, /maxIntervalSeconds must be at least initialSeconds/],
    [{ maxTotalSeconds: 0 }, /maxTotalSeconds must be a positive integer/],
  ])('rejects the invalid policy change %j', (change, message) => {
    const policy = { ...DEFAULT_HOST_POLL_POLICY, ...change };
    expect(() => assertValidPollPolicy(policy)).toThrow(message);
    expect(() => nextPoll({ attempt: 0, elapsedSeconds: 0 }, policy)).toThrow(InvalidPollPolicyError);
  });
});

describe('properties', () => {
  const policyArbitrary: fc.Arbitrary<PollPolicy> = fc
    .record({
      initialSeconds: fc.integer({ min: 1, max: 600 }),
      multiplier: fc.double({ min: 1, max: 4, noNaN: true }),
      extraInterval: fc.integer({ min: 0, max: 6 * HOUR }),
      maxTotalSeconds: fc.integer({ min: 1, max: 7 * DAY }),
    })
    .map(({ initialSeconds, multiplier, extraInterval, maxTotalSeconds }) => ({
      initialSeconds,
      multiplier,
      maxIntervalSeconds: initialSeconds + extraInterval,
      maxTotalSeconds,
    }))
    // Keep each generated schedule short enough to enumerate quickly.
    .filter((policy) => policy.maxTotalSeconds / policy.initialSeconds <= 2_000);

  it('waits are positive integers that never exceed the cap', () => {
    fc.assert(
      fc.property(policyArbitrary, (policy) => {
        const outOfRange = pollSchedule(policy).filter((wait) => !Number.isInteger(wait) || wait < 1 || wait > policy.maxIntervalSeconds);
        expect(outOfRange).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('the total never exceeds the budget, and an integer budget is used up exactly', () => {
    fc.assert(
      fc.property(policyArbitrary, (policy) => {
        const total = pollSchedule(policy).reduce((sum, wait) => sum + wait, 0);
        expect(total).toBe(policy.maxTotalSeconds);
      }),
      { numRuns: 60 },
    );
  });

  it('waits never decrease, except the final wait trimmed to the budget', () => {
    fc.assert(
      fc.property(policyArbitrary, (policy) => {
        const waits = pollSchedule(policy);
        const decreases = waits.slice(1, -1).filter((wait, index) => wait < (waits[index] ?? 0));
        expect(decreases).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('the untrimmed interval is monotonic in the attempt number', () => {
    fc.assert(
      fc.property(policyArbitrary, fc.nat(200), (policy, attempt) => {
        expect(pollInterval(attempt + 1, policy)).toBeGreaterThanOrEqual(pollInterval(attempt, policy));
      }),
    );
  });

  it('from any valid state, the next state stays within the budget', () => {
    fc.assert(
      fc.property(policyArbitrary, fc.nat(1000), fc.double({ min: 0, max: 8 * DAY, noNaN: true }), (policy, attempt, elapsedSeconds) => {
        const decision = nextPoll({ attempt, elapsedSeconds }, policy);
        if (decision.action === 'wait') {
          expect(decision.elapsedSeconds).toBeLessThanOrEqual(policy.maxTotalSeconds);
          expect(decision.attempt).toBe(attempt + 1);
        } else {
          expect(policy.maxTotalSeconds - elapsedSeconds).toBeLessThan(1);
        }
      }),
    );
  });
});
