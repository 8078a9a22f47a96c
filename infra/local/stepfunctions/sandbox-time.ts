import type { SandboxClock } from '../sandbox/clock.ts';

/** Node's setTimeout cannot wait longer than 2^31 - 1 ms; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `onExpire` once, when the sandbox clock reaches `dueMs`: either because real time passed
 * (a real timer for the remaining time) or because a test moved the clock forward (`clock.onChange`).
 * The real timer is unref'd so a forgotten deadline never keeps a process alive.
 */
export class ClockDeadline {
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private settled = false;

  constructor(
    private readonly clock: SandboxClock,
    private dueMs: number,
    private readonly onExpire: () => void,
  ) {
    this.unsubscribe = clock.onChange(() => this.check());
    this.check();
  }

  /** Moves the due time (a heartbeat pushes its deadline out). */
  reset(dueMs: number): void {
    if (this.settled) return;
    this.dueMs = dueMs;
    this.check();
  }

  cancel(): void {
    this.settled = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
  }

  private check(): void {
    if (this.settled) return;
    const remainingMs = this.dueMs - this.clock.nowMs();
    if (remainingMs <= 0) {
      this.cancel();
      this.onExpire();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), Math.min(remainingMs, MAX_TIMER_MS));
    this.timer.unref();
  }
}

/** Resolves when the sandbox clock reaches `dueMs`; rejects with `abortError()` if `signal` aborts first. */
export function sleepUntil(clock: SandboxClock, dueMs: number, signal: AbortSignal, abortError: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    // An abort can only come after this function returns, so `deadline` is set by then.
    const onAbort = () => {
      deadline.cancel();
      reject(abortError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const deadline = new ClockDeadline(clock, dueMs, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
