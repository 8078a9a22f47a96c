/**
 * The one retry policy for every Slack call (Web API methods and response URLs), as pure
 * arithmetic over the time left: each attempt is cut to what remains, and a retry is made only
 * when its wait and a useful attempt still fit. client.ts runs it; tests check it without a clock.
 */
export interface SlackRetryPolicy {
  /** One attempt at most (HTTP request and reading the answer). */
  attemptTimeoutMs: number;
  /** Attempts after the first, after network errors, timeouts, 5xx and 429. */
  retries: number;
}

/** Below this, Slack cannot be expected to answer: such an attempt is not started. */
export const MIN_ATTEMPT_MS = 250;

/** Waits between attempts (when Slack asks for none): 100 ms, doubling, at most 1 s, times 1–2 at random. */
export const BACKOFF = { firstMs: 100, maxMs: 1000 } as const;

/** How long the next attempt may take, or undefined when there is no time left for one. */
export function attemptTimeoutMs(policy: SlackRetryPolicy, remainingMs: number): number | undefined {
  if (remainingMs < MIN_ATTEMPT_MS) return undefined;
  return Math.min(policy.attemptTimeoutMs, remainingMs);
}

export interface FailedAttempt {
  /** How many retries were made before this failure (0 after the first attempt). */
  retriesMade: number;
  /** Network error, timeout, 5xx or 429; Slack's own errors (`channel_not_found`, …) are not. */
  retryable: boolean;
  /** What a 429's Retry-After asked for. */
  retryAfterMs?: number;
  /** Time left once the attempt failed. */
  remainingMs: number;
}

/**
 * How long to wait before retrying, or undefined when not to: the error is final, the retries are
 * used up, or the wait (Slack's Retry-After, else the backoff) plus a useful attempt do not fit in
 * what is left. A Retry-After longer than the time left gives up at once rather than waiting in vain.
 */
export function retryDelayMs(policy: SlackRetryPolicy, failed: FailedAttempt, random: () => number = Math.random): number | undefined {
  if (!failed.retryable || failed.retriesMade >= policy.retries) return undefined;
  const backoff = Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** failed.retriesMade) * (1 + random());
  const waitMs = Math.ceil(failed.retryAfterMs ?? backoff);
  return waitMs + MIN_ATTEMPT_MS <= failed.remainingMs ? waitMs : undefined;
}
