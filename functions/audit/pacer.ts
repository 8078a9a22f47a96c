/**
 * Client-side pacing for one API operation whose rate limit we do not know. AWS documents no TPS
 * for CodeStar Connections or CodePipeline (reference notes §6), so the pacer learns it:
 *
 * - calls leave one at a time, evenly spaced at the current rate, never more than `maxInFlight`
 *   at once (bounded concurrency);
 * - until the first throttle the rate doubles every second (slow start);
 * - a throttle means the limit is what succeeded in the second before the throttled call was
 *   sent (the window a limiter at AWS counts): the rate drops just below that, then creeps up by
 *   ~1 % a second to follow a limit that rises again.
 *
 * Against a fixed limit this settles at 97–100 % of it, so an audit takes little longer than the
 * limits allow, and throttles stay rare (about one every few seconds per busy operation).
 */
export interface PacerOptions {
  initialRate: number;
  minRate: number;
  maxRate: number;
  maxInFlight: number;
  now?: () => number;
}

export const DEFAULT_PACER_OPTIONS: PacerOptions = { initialRate: 5, minRate: 0.5, maxRate: 200, maxInFlight: 8 };

/** Below the measured limit by this share, so evenly spaced calls fit the limit's window with room for jitter. */
const BACK_OFF_FACTOR = 0.97;
/** Added to the rate per successful call once the limit is known: about 1 % a second when busy. */
const PROBE_GAIN = 0.01;
/** A timer that fires this late still keeps its slot, so timer lag does not slow the schedule down. */
const LATE_TOLERANCE_MS = 20;

export class OperationPacer {
  private rate: number;
  private limitFound = false;
  private lastReleaseMs = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly recentSuccesses: number[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly options: Required<PacerOptions>;

  constructor(options: Partial<PacerOptions> = {}) {
    this.options = { ...DEFAULT_PACER_OPTIONS, now: () => performance.now(), ...options };
    this.rate = this.options.initialRate;
  }

  /** The current rate in calls per second (for reports and tests). */
  get currentRate(): number {
    return this.rate;
  }

  /** Resolves when the call may go; the caller must `release()` when it has finished. Returns the send time. */
  acquire(): Promise<number> {
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(this.options.now()));
      this.pump();
    });
  }

  release(): void {
    this.inFlight--;
    this.pump();
  }

  succeeded(sentAtMs: number): void {
    this.recentSuccesses.push(sentAtMs);
    // Two seconds: a throttled call's window reaches back one second from when it was sent.
    this.forgetOlderThan(this.options.now() - 2000);
    this.rate = Math.min(this.options.maxRate, this.rate + (this.limitFound ? PROBE_GAIN : 1));
  }

  throttled(sentAtMs: number): void {
    const admitted = this.recentSuccesses.filter((at) => at > sentAtMs - 1000 && at < sentAtMs).length;
    this.limitFound = true;
    this.rate = Math.max(this.options.minRate, BACK_OFF_FACTOR * Math.max(1, admitted));
  }

  private forgetOlderThan(cutoffMs: number): void {
    while (this.recentSuccesses.length > 0 && this.recentSuccesses[0]! <= cutoffMs) this.recentSuccesses.shift();
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      const now = this.options.now();
      const dueMs = this.lastReleaseMs + 1000 / this.rate;
      if (now < dueMs) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, dueMs - now);
        return;
      }
      this.lastReleaseMs = now - dueMs <= LATE_TOLERANCE_MS ? dueMs : now;
      this.inFlight++;
      this.waiting.shift()!();
    }
  }
}

/** One pacer per `service:operation`, created on first use. */
export class Pacers {
  private readonly pacers = new Map<string, OperationPacer>();

  constructor(private readonly options: Partial<PacerOptions> = {}) {}

  for(operation: string): OperationPacer {
    let pacer = this.pacers.get(operation);
    if (!pacer) {
      pacer = new OperationPacer(this.options);
      this.pacers.set(operation, pacer);
    }
    return pacer;
  }
}
