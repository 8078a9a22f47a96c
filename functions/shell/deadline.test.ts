import { describe, expect, it } from 'vitest';
import { capped, DeadlineExceededError, deadlineFor, deadlineIn, NO_DEADLINE, withinDeadline } from './deadline.ts';

/** A clock the test moves by hand. */
function manualClock(startMs = 1_000_000) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
}

describe('deadlines', () => {
  it('take the Lambda’s remaining time less the reserve, fixed when made, and count down to 0', () => {
    const clock = manualClock();
    let remaining = 30_000;
    const context = { getRemainingTimeInMillis: () => remaining };
    const deadline = deadlineFor(context, 2000, clock.now);
    expect(deadline.remainingMs()).toBe(28_000);

    // Later reads of the context do not move it: it was fixed when made.
    remaining = 1;
    clock.advance(27_000);
    expect(deadline.remainingMs()).toBe(1000);
    clock.advance(5000);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('are spent at once when the reserve is more than the time left', () => {
    const clock = manualClock();
    expect(deadlineFor({ getRemainingTimeInMillis: () => 1500 }, 2000, clock.now).remainingMs()).toBe(0);
  });

  it('bound nothing without a Lambda context', () => {
    expect(deadlineFor(undefined, 2000).remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(deadlineIn(Number.POSITIVE_INFINITY)).toBe(NO_DEADLINE);
  });

  it('can be capped to a share of the budget, never beyond it', () => {
    const clock = manualClock();
    const budget = deadlineIn(10_000, clock.now);
    expect(capped(budget, 3000, clock.now).remainingMs()).toBe(3000);
    expect(capped(budget, 60_000, clock.now).remainingMs()).toBe(10_000);
    expect(capped(NO_DEADLINE, 3000, clock.now).remainingMs()).toBe(3000);
  });

  it('give up work that outlasts them, and pass on work that does not', async () => {
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    await expect(withinDeadline(never, deadlineIn(50), 'reading a secret')).rejects.toThrow(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(withinDeadline(Promise.resolve('value'), deadlineIn(50), 'x')).resolves.toBe('value');
    await expect(withinDeadline(Promise.reject(new Error('boom')), deadlineIn(50), 'x')).rejects.toThrow('boom');
  });
});
