import { describe, expect, it } from 'vitest';
import { sandboxClockTimers } from '../../infra/local/runtime/sandbox-clock-timers.ts';
import { startSchedules } from '../../infra/local/runtime/schedules.ts';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';

/** The watcher's schedule on the sandbox clock: it fires when sandbox time reaches it, however it got there. */
describe('schedules on the sandbox clock', () => {
  it('runs a rate(1 minute) rule each minute of sandbox time, and once for a jump of hours (no backfill)', () => {
    const clock = new SandboxClock();
    clock.freeze(true);
    const runs: number[] = [];
    const stop = startSchedules([{ name: 'watcher#1', expression: 'rate(1 minute)', run: () => runs.push(clock.nowMs()) }], { timers: sandboxClockTimers(clock) });
    const start = clock.nowMs();

    clock.advance(59_000);
    expect(runs).toEqual([]);
    clock.advance(1000);
    expect(runs).toEqual([start + 60_000]);
    clock.advance(60_000);
    expect(runs).toHaveLength(2);

    clock.advance(5 * 3600_000);
    expect(runs).toHaveLength(3);
    expect(runs.at(-1)).toBe(start + 120_000 + 5 * 3600_000);
    // The next run is a minute after the jump, not on the old grid.
    clock.advance(59_999);
    expect(runs).toHaveLength(3);
    clock.advance(1);
    expect(runs).toHaveLength(4);

    stop();
    clock.advance(10 * 60_000);
    expect(runs).toHaveLength(4);
  });
});
