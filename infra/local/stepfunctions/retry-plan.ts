import type { Retrier } from './asl.ts';

/**
 * Decides, as aws-local-stepfunctions 3 will, whether a failed Task attempt is retried and after how
 * long (ASL defaults: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2, JitterStrategy NONE).
 *
 * Why we mirror it: the library sleeps between attempts in real time. The engine tells it to retry
 * at once and does the sleeping itself, on the sandbox clock, before the failing attempt reports its
 * error; for that it must know the decision the library is about to take. The rules are AWS's: the
 * first retrier whose ErrorEquals matches decides; `States.ALL` matches every error and
 * `States.TaskFailed` every error except timeouts; an exhausted retrier means no retry at all.
 */

export interface FailedAttempt {
  /** The error name Retry rules match. */
  name: string;
  /** States.Timeout or States.HeartbeatTimeout, which States.TaskFailed does not match. */
  isTimeout: boolean;
  /** False for errors the library never retries (States.Runtime, a closed execution). */
  isRetryable: boolean;
}

export interface RetryDecision {
  retrierIndex: number;
  delayMs: number;
}

const DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 };

export function decideRetry(
  retriers: readonly Retrier[],
  attemptsSoFar: readonly number[],
  error: FailedAttempt,
  random: () => number = Math.random,
): RetryDecision | undefined {
  if (!error.isRetryable) return undefined;
  const retrierIndex = retriers.findIndex((retrier) => retrier.ErrorEquals.some((name) => matches(name, error)));
  if (retrierIndex < 0) return undefined;
  const retrier = retriers[retrierIndex]!;
  const attempts = attemptsSoFar[retrierIndex] ?? 0;
  if (attempts >= (retrier.MaxAttempts ?? DEFAULTS.MaxAttempts)) return undefined;
  const interval = (retrier.IntervalSeconds ?? DEFAULTS.IntervalSeconds) * Math.pow(retrier.BackoffRate ?? DEFAULTS.BackoffRate, attempts);
  const cappedMs = Math.min(interval, retrier.MaxDelaySeconds ?? Infinity) * 1000;
  const delayMs = retrier.JitterStrategy === 'FULL' ? Math.floor(random() * (cappedMs + 1)) : cappedMs;
  return { retrierIndex, delayMs };
}

function matches(errorEquals: string, error: FailedAttempt): boolean {
  if (errorEquals === 'States.ALL') return true;
  if (errorEquals === 'States.TaskFailed') return !error.isTimeout;
  return errorEquals === error.name;
}
