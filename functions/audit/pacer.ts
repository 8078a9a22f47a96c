/**
 * Client-side pacing for one API operation whose rate limit we do not know. AWS documents no TPS
 * for CodeStar Connections or CodePipeline (reference notes §6), so the pacer learns it:
 *
 * - calls leave one at a time, evenly spaced at the current rate, never more than `maxInFlight`
 *   at once (bounded concurrency);
 * - until the first throttle the rate doubles every second (slow start);
 * - a throttle means the limit is what was admitted in the second before the throttled call was
 *   sent (the window a limiter at AWS counts): every call sent then that was not throttled itself,
 *   including those still in flight (under load a reply can take longer than the window; counting
 *   only the replies already back would take the limit for a fraction of itself). The rate drops
 *   just below that (at most 30 % at once, and once per overshoot: throttles of calls sent before
 *   the last decrease change nothing), then creeps up by ~1 % a second to follow a limit
 *   that rises again.
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
/**
 * One throttle lowers the rate by at most this factor (AIMD's multiplicative decrease): when calls
 * bunch up on the way (a busy event loop, a slow network), the count of a second's sends can be far
 * below the limit, and taking it at its word would starve the operation for minutes.
 */
const MAX_DROP = 0.7;
/** Added to the rate per successful call once the limit is known: about 1 % a second when busy. */
const PROBE_GAIN = 0.01;
/** A timer that fires this late still keeps its slot, so timer lag does not slow the schedule down. */
const LATE_TOLERANCE_MS = 20;

export class OperationPacer {
  private rate: number;
  private limitFound = false;
  /** When the rate was last lowered (a throttle of a call sent before then was already answered). */
  private lastDecreaseMs = Number.NEGATIVE_INFINITY;
  private lastReleaseMs = Number.NEGATIVE_INFINITY;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Send times of the last two seconds' calls, and whether each was throttled. */
  private readonly recentSends: { at: number; throttled: boolean }[] = [];
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
      this.waiting.push(() => {
        const at = this.options.now();
        this.recordSend(at);
        resolve(at);
      });
      this.pump();
    });
  }

  release(): void {
    this.inFlight--;
    this.pump();
  }

  succeeded(_sentAtMs: number): void {
    this.rate = Math.min(this.options.maxRate, this.rate + (this.limitFound ? PROBE_GAIN : 1));
  }

  throttled(sentAtMs: number): void {
    const sent = this.recentSends.find((send) => send.at === sentAtMs);
    if (sent) sent.throttled = true;
    // The limiter counts arrivals, which jitter on the way: the busiest second of sends just before
    // this one is the best estimate of what it admitted.
    const admittedIn = (endMs: number) => this.recentSends.filter((send) => !send.throttled && send.at > endMs - 1000 && send.at <= endMs).length;
    const admitted = Math.max(0, ...this.recentSends.filter((send) => send.at > sentAtMs - 1000 && send.at < sentAtMs).map((send) => admittedIn(send.at)));
    this.limitFound = true;
    // A call sent before the last decrease tells nothing new: its throttle is the same overshoot
    // the decrease answered (replies arrive late under load), and cutting again for each of them
    // would collapse the rate far below the limit.
    if (sentAtMs <= this.lastDecreaseMs) return;
    this.lastDecreaseMs = this.options.now();
    this.rate = Math.max(this.options.minRate, BACK_OFF_FACTOR * Math.max(1, admitted), MAX_DROP * this.rate);
  }

  private recordSend(atMs: number): void {
    this.recentSends.push({ at: atMs, throttled: false });
    // Two seconds: a throttled call's window reaches back one second from when it was sent, and its reply may come a second later.
    while (this.recentSends.length > 0 && this.recentSends[0]!.at <= atMs - 2000) this.recentSends.shift();
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
