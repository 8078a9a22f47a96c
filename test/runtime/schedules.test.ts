import { describe, expect, it } from 'vitest';
import { followingFireTime, nextFireTime, parseSchedule, startSchedules, type ScheduleTimers } from '../../infra/local/runtime/schedules.ts';

const MINUTE = 60_000;

describe('parseSchedule: rate', () => {
  it.each([
    ['rate(1 minute)', MINUTE],
    ['rate(5 minutes)', 5 * MINUTE],
    ['rate(1 hour)', 60 * MINUTE],
    ['rate(12 hours)', 12 * 60 * MINUTE],
    ['rate(1 day)', 24 * 60 * MINUTE],
    ['rate(30 days)', 30 * 24 * 60 * MINUTE],
  ])('%s → %i ms', (expression, periodMs) => {
    expect(parseSchedule(expression)).toEqual({ kind: 'rate', periodMs });
  });

  it.each([
    ['rate(1 minutes)', /use "1 minute"/],
    ['rate(5 minute)', /use "5 minutes"/],
    ['rate(0 minutes)', /positive whole number/],
    ['rate(5 seconds)', /not a rate/],
    ['rate(1.5 hours)', /not a rate/],
    ['every 5 minutes', /not a rate/],
  ])('rejects %s as EventBridge would', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe('parseSchedule: cron', () => {
  const next = (expression: string, after: string) => new Date(nextFireTime(parseSchedule(expression), Date.parse(after)) ?? 0).toISOString();

  it('finds the next minute a cron names, in UTC', () => {
    expect(next('cron(0 12 * * ? *)', '2026-03-01T11:59:30Z')).toBe('2026-03-01T12:00:00.000Z');
    expect(next('cron(0 12 * * ? *)', '2026-03-01T12:00:00Z')).toBe('2026-03-02T12:00:00.000Z');
    expect(next('cron(0/15 * * * ? *)', '2026-03-01T10:07:00Z')).toBe('2026-03-01T10:15:00.000Z');
    expect(next('cron(*/20 8-9 * * ? *)', '2026-03-01T09:45:00Z')).toBe('2026-03-02T08:00:00.000Z');
    expect(next('cron(30 2 1 JAN,JUL ? *)', '2026-03-01T00:00:00Z')).toBe('2026-07-01T02:30:00.000Z');
    expect(next('cron(0 9 ? * MON-FRI *)', '2026-03-06T10:00:00Z')).toBe('2026-03-09T09:00:00.000Z'); // Fri → Mon
    expect(next('cron(0 0 ? * 1 *)', '2026-03-02T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z'); // 1 = Sunday
    expect(next('cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(5 0 1 1 ? 2027-2028)', '2026-03-01T00:00:00Z')).toBe('2027-01-01T00:05:00.000Z');
  });

  it('says when a cron will never fire again', () => {
    expect(nextFireTime(parseSchedule('cron(0 0 1 1 ? 2020)'), Date.parse('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it.each([
    ['cron(0 12 * * *)', /needs 6 fields/],
    ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week must be "\?"/],
    ['cron(0 12 ? * ? *)', /exactly one of/],
    ['cron(0 12 L * ? *)', /L, W or #/],
    ['cron(0 12 ? * 6#3 *)', /L, W or #/],
    ['cron(0 12 15W * ? *)', /L, W or #/],
    ['cron(60 12 * * ? *)', /minutes "60" is outside 0-59/],
    ['cron(0 12 * FOO ? *)', /month "FOO"/],
    ['cron(? 12 * * ? *)', /may not be "\?"/],
  ])('rejects %s', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe('followingFireTime', () => {
  const rate = parseSchedule('rate(5 minutes)');
  it('counts a rate from the due time, so timer lag does not drift it', () => {
    expect(followingFireTime(rate, 10 * MINUTE, 10 * MINUTE + 40)).toBe(15 * MINUTE);
  });
  it('skips runs missed while the machine slept instead of firing them in a burst', () => {
    expect(followingFireTime(rate, 10 * MINUTE, 60 * MINUTE)).toBe(65 * MINUTE);
  });
});

/** A manual clock: advance() fires due timers in order. */
function manualTimers(start = 0): ScheduleTimers & { advance(ms: number): void; pending(): number } {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.set(++nextId, { at: now + ms, callback });
      return nextId;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}

describe('startSchedules', () => {
  it('runs each job every period, first one period after start, until stopped', () => {
    const timers = manualTimers();
    const runs: string[] = [];
    const stop = startSchedules(
      [
        { name: 'auditor', expression: 'rate(5 minutes)', run: () => runs.push(`auditor@${timers.now() / MINUTE}`) },
        { name: 'sweeper', expression: 'rate(1 hour)', run: () => runs.push(`sweeper@${timers.now() / MINUTE}`) },
      ],
      { timers },
    );
    timers.advance(4 * MINUTE);
    expect(runs).toEqual([]);
    timers.advance(61 * MINUTE);
    expect(runs.filter((run) => run.startsWith('auditor'))).toHaveLength(13);
    expect(runs).toContain('sweeper@60');
    stop();
    expect(timers.pending()).toBe(0);
    timers.advance(60 * MINUTE);
    expect(runs).toHaveLength(14);
  });

  it('keeps going after a run fails and reports the failure', async () => {
    const timers = manualTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const stop = startSchedules(
      [
        {
          name: 'flaky',
          expression: 'rate(1 minute)',
          run: () => {
            calls++;
            if (calls === 1) throw new Error('sync failure');
            return Promise.reject(new Error('async failure'));
          },
        },
      ],
      { timers, onError: (job, error) => errors.push(`${job.name}: ${(error as Error).message}`) },
    );
    timers.advance(2 * MINUTE);
    await Promise.resolve();
    expect(calls).toBe(2);
    expect(errors).toEqual(['flaky: sync failure', 'flaky: async failure']);
    stop();
  });

  it('runs a cron job on its wall-clock minutes', () => {
    const timers = manualTimers(Date.parse('2026-03-01T09:58:00Z'));
    const runs: string[] = [];
    const stop = startSchedules([{ name: 'hourly', expression: 'cron(0 * * * ? *)', run: () => runs.push(new Date(timers.now()).toISOString()) }], { timers });
    timers.advance(125 * MINUTE);
    expect(runs).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z']);
    stop();
  });

  it('waits in steps for periods longer than setTimeout can hold', () => {
    const timers = manualTimers();
    const runs: number[] = [];
    const stop = startSchedules([{ name: 'monthly', expression: 'rate(30 days)', run: () => runs.push(timers.now()) }], { timers });
    timers.advance(29 * 24 * 60 * MINUTE);
    expect(runs).toEqual([]);
    timers.advance(24 * 60 * MINUTE);
    expect(runs).toEqual([30 * 24 * 60 * MINUTE]);
    stop();
  });

  it('refuses to start anything when one expression is invalid', () => {
    const timers = manualTimers();
    expect(() => startSchedules([{ name: 'ok', expression: 'rate(1 hour)', run: () => undefined }, { name: 'bad', expression: 'rate(1 hours)', run: () => undefined }], { timers })).toThrow(/use "1 hour"/);
    expect(timers.pending()).toBe(0);
  });
});
