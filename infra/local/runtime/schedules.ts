/**
 * Schedule expressions (`rate(...)`, `cron(...)`) and a runner that calls a job each time
 * its schedule comes round, in real time. Like an EventBridge rule, a run starts on time
 * even when the previous one is still going, and the first run of a rate comes one
 * period after start, not at start.
 */
import { nextCronTime, parseCron, type CronSchedule } from './cron.ts';

export type Schedule = { kind: 'rate'; periodMs: number } | { kind: 'cron'; cron: CronSchedule };

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** Throws, naming the problem, on anything EventBridge would refuse. */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(expression.trim());
  if (rate !== null) {
    const [, valueText = '', unit = 'minute', plural] = rate;
    const value = Number(valueText);
    if (value < 1) throw new Error(`${expression}: the value must be a positive whole number`);
    // EventBridge: "If the value is equal to 1, then the unit must be singular."
    if ((value === 1) !== (plural === '')) throw new Error(`${expression}: use "${value} ${unit}${value === 1 ? '' : 's'}"`);
    return { kind: 'rate', periodMs: value * UNIT_MS[unit as keyof typeof UNIT_MS] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron !== null) return { kind: 'cron', cron: parseCron(cron[1] ?? '') };
  throw new Error(`${expression}: not a rate(...) or cron(...) expression`);
}

/** When the schedule next fires after `afterMs`; undefined when it never will again. */
export function nextFireTime(schedule: Schedule, afterMs: number): number | undefined {
  if (schedule.kind === 'rate') return afterMs + schedule.periodMs;
  return nextCronTime(schedule.cron, new Date(afterMs))?.getTime();
}

/**
 * The run after the one due at `dueMs`, seen at `nowMs`. Counted from the due time, not
 * from now, so timer lag does not drift a rate; runs missed while the machine slept are
 * skipped rather than fired in a burst, as EventBridge does not backfill.
 */
export function followingFireTime(schedule: Schedule, dueMs: number, nowMs: number): number | undefined {
  if (schedule.kind === 'rate') return (nowMs - dueMs >= schedule.periodMs ? nowMs : dueMs) + schedule.periodMs;
  return nextFireTime(schedule, Math.max(dueMs, nowMs));
}

export interface ScheduledJob {
  name: string;
  expression: string;
  run: () => unknown;
}

/** Injectable so tests can drive time; the default is the real clock. */
export interface ScheduleTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StartSchedulesOptions {
  timers?: ScheduleTimers;
  /** A run threw or rejected; default logs the job name and error name. */
  onError?: (job: ScheduledJob, error: unknown) => void;
}

const REAL_TIMERS: ScheduleTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

// setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days); rate(30 days) is longer.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Starts every job; returns a function that stops them all. Invalid expressions throw before anything starts. */
export function startSchedules(jobs: readonly ScheduledJob[], options: StartSchedulesOptions = {}): () => void {
  const timers = options.timers ?? REAL_TIMERS;
  const onError = options.onError ?? ((job, error) => console.error(`schedule ${job.name}: run failed with ${error instanceof Error ? error.name : typeof error}`));
  const parsed = jobs.map((job) => ({ job, schedule: parseSchedule(job.expression) }));
  const handles = new Map<ScheduledJob, unknown>();
  let stopped = false;

  const arm = (job: ScheduledJob, schedule: Schedule, dueMs: number | undefined) => {
    if (stopped || dueMs === undefined) return;
    const wait = dueMs - timers.now();
    handles.set(
      job,
      timers.setTimeout(() => {
        if (wait > MAX_TIMER_MS) return arm(job, schedule, dueMs);
        arm(job, schedule, followingFireTime(schedule, dueMs, timers.now()));
        try {
          Promise.resolve(job.run()).catch((error: unknown) => onError(job, error));
        } catch (error) {
          onError(job, error);
        }
      }, Math.min(Math.max(wait, 0), MAX_TIMER_MS)),
    );
  };

  for (const { job, schedule } of parsed) arm(job, schedule, nextFireTime(schedule, timers.now()));
  return () => {
    stopped = true;
    for (const handle of handles.values()) timers.clearTimeout(handle);
    handles.clear();
  };
}
