/**
 * How long optional work (a Slack notice) may take inside one Lambda invocation. A step's work
 * that must happen (its DynamoDB writes) comes first or is kept back as a reserve; what is left of
 * the invocation's time bounds the rest, so a slow dependency is given up instead of timing the
 * step out (`Sandbox.Timedout`, which fails the step and rolls the request back).
 */

/** The part of Lambda's context object this needs (tests pass just this). */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

export interface Deadline {
  /** Milliseconds left, never negative; `Infinity` when nothing bounds the work. */
  remainingMs(): number;
}

/** No bound: a handler called without a Lambda context (scripts, older callers) keeps the clients' own limits. */
export const NO_DEADLINE: Deadline = { remainingMs: () => Number.POSITIVE_INFINITY };

type Clock = () => number;

/** A deadline `ms` from now (clamped at 0). */
export function deadlineIn(ms: number, now: Clock = Date.now): Deadline {
  if (!Number.isFinite(ms)) return NO_DEADLINE;
  const endsAtMs = now() + Math.max(0, ms);
  return { remainingMs: () => Math.max(0, endsAtMs - now()) };
}

/**
 * The invocation's remaining time less `reserveMs`, the time kept for the work that must still
 * happen after the bounded work (and for returning). Fixed when called: it does not move with
 * later reads of the context. Without a context: no bound.
 */
export function deadlineFor(context: RemainingTime | undefined, reserveMs: number, now: Clock = Date.now): Deadline {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return NO_DEADLINE;
  return deadlineIn(context.getRemainingTimeInMillis() - reserveMs, now);
}

/** The earlier of `deadline` and `ms` from now: a share of a budget for one part of the work. */
export function capped(deadline: Deadline, ms: number, now: Clock = Date.now): Deadline {
  return deadlineIn(Math.min(deadline.remainingMs(), ms), now);
}

/** A deadline has run out: the work it bounded was given up. */
export class DeadlineExceededError extends Error {
  constructor(what: string) {
    super(`${what} did not finish in the time left`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * `work`'s result, or DeadlineExceededError once the deadline passes (for work that cannot be
 * aborted, such as a cached SDK read; it may still finish in the background, and a rejection then
 * is handled here, not left unhandled).
 */
export async function withinDeadline<T>(work: Promise<T>, deadline: Deadline, what: string): Promise<T> {
  const remaining = deadline.remainingMs();
  if (remaining === Number.POSITIVE_INFINITY) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what)), remaining);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
