import type { SandboxClock } from '../sandbox/clock.ts';
import { ClockDeadline } from '../stepfunctions/sandbox-time.ts';
import type { ScheduleTimers } from './schedules.ts';

/**
 * Schedule timers on the sandbox clock: a rule fires when the sandbox time reaches it, whether
 * real time got there or a test moved the clock (`POST /_sandbox/clock/advance`). So the watcher
 * sweeps within a minute of sandbox time after a console step, as EventBridge would run it, and a
 * jump of hours fires each rule once (EventBridge does not backfill missed runs).
 */
export function sandboxClockTimers(clock: SandboxClock): ScheduleTimers {
  return {
    now: () => clock.nowMs(),
    setTimeout: (callback, ms) => new ClockDeadline(clock, clock.nowMs() + ms, callback),
    clearTimeout: (handle) => (handle as ClockDeadline).cancel(),
  };
}
