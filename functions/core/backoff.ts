/**
 * The polling schedule used while we wait for a human to finish a console step (a GHES admin's
 * "Set up host", an approver's "Update pending connection").
 *
 * No event announces those status changes (field notes §3.24), so the workflow polls. Polling
 * every minute for a week would cost ~10,000 polls and blow through the Step Functions Standard
 * 25,000-event history limit; a geometric back-off with a cap keeps a week-long wait to a few dozen
 * polls while still noticing a quick set-up within minutes. The workflow keeps the returned state
 * and passes it back on the next round, and waits with a `Wait` state whose `SecondsPath` points at
 * `waitSeconds` (a positive integer, as Step Functions requires).
 */

import { InvalidPollPolicyError } from './errors.ts';

/** How the wait between polls grows and when to stop. All durations are in seconds. */
export interface PollPolicy {
  /** The first wait (a positive integer). */
  readonly initialSeconds: number;
  /** Each wait is the previous one times this (≥ 1; 1 means a fixed interval). */
  readonly multiplier: number;
  /** No single wait is longer than this (a positive integer ≥ `initialSeconds`). */
  readonly maxIntervalSeconds: number;
  /** The whole wait never exceeds this (a positive integer); then we give up. */
  readonly maxTotalSeconds: number;
}

/** Where the polling stands. */
export interface PollState {
  /** How many waits have been scheduled so far (0 before the first). */
  readonly attempt: number;
  /**
   * Seconds waited so far. Pass the sum of previous waits, or better the measured time since the
   * wait began (it then also accounts for time spent polling and in retries).
   */
  readonly elapsedSeconds: number;
}

/** Wait `waitSeconds`, poll, then call {@link nextPoll} again with `{ attempt, elapsedSeconds }`. */
export interface PollWaitDecision {
  readonly action: 'wait';
  /** A positive integer, at most `maxIntervalSeconds`, trimmed so the budget is never exceeded. */
  readonly waitSeconds: number;
  /** The attempt count to pass back next time. */
  readonly attempt: number;
  /** The elapsed time after this wait, to pass back next time. */
  readonly elapsedSeconds: number;
}

/** The budget is spent: stop polling and fail or escalate. */
export interface PollGiveUpDecision {
  readonly action: 'give-up';
  readonly elapsedSeconds: number;
}

/** The outcome of {@link nextPoll}. */
export type PollDecision = PollWaitDecision | PollGiveUpDecision;

/**
 * Default for waiting on a host's "Set up host": first check after a minute, doubling up to every
 * 6 hours, for at most 7 days. A host set up 30 minutes in is noticed by the 5th poll (after 31
 * minutes); the full week costs 36 polls.
 */
export const DEFAULT_HOST_POLL_POLICY: PollPolicy = Object.freeze({
  initialSeconds: 60,
  multiplier: 2,
  maxIntervalSeconds: 6 * 60 * 60,
  maxTotalSeconds: 7 * 24 * 60 * 60,
});

function isPositiveInteger(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

/**
 * Throws when a policy would make the schedule meaningless.
 *
 * @throws InvalidPollPolicyError naming the offending field.
 */
export function assertValidPollPolicy(policy: PollPolicy): void {
  const problems: string[] = [];
  if (!isPositiveInteger(policy.initialSeconds)) problems.push('initialSeconds must be a positive integer');
  if (!Number.isFinite(policy.multiplier) || policy.multiplier < 1) problems.push('multiplier must be a finite number ≥ 1');
  if (!isPositiveInteger(policy.maxIntervalSeconds)) problems.push('maxIntervalSeconds must be a positive integer');
  if (!isPositiveInteger(policy.maxTotalSeconds)) problems.push('maxTotalSeconds must be a positive integer');
  if (problems.length === 0 && policy.maxIntervalSeconds < policy.initialSeconds) {
    problems.push('maxIntervalSeconds must be at least initialSeconds');
  }
  if (problems.length > 0) throw new InvalidPollPolicyError(`Invalid poll policy: ${problems.join('; ')}.`);
}

/**
 * The untrimmed wait before poll number `attempt + 1`: `initialSeconds × multiplier^attempt`,
 * rounded up to whole seconds and capped at `maxIntervalSeconds`. Non-decreasing in `attempt`.
 */
export function pollInterval(attempt: number, policy: PollPolicy): number {
  // Math.pow may overflow to Infinity for large attempts; the cap absorbs that.
  return Math.min(policy.maxIntervalSeconds, Math.ceil(policy.initialSeconds * policy.multiplier ** attempt));
}

/**
 * Decides whether to wait again and for how long.
 *
 * @param state - how many waits so far and how long we have waited.
 * @param policy - the schedule; defaults to {@link DEFAULT_HOST_POLL_POLICY}.
 * @returns `wait` with the next wait (trimmed so `elapsedSeconds + waitSeconds ≤ maxTotalSeconds`),
 *   or `give-up` once less than one whole second of budget is left.
 * @throws InvalidPollPolicyError when the policy or the state is invalid (negative, NaN, ...).
 */
export function nextPoll(state: PollState, policy: PollPolicy = DEFAULT_HOST_POLL_POLICY): PollDecision {
  assertValidPollPolicy(policy);
  if (!Number.isSafeInteger(state.attempt) || state.attempt < 0) {
    throw new InvalidPollPolicyError(`Invalid poll state: attempt must be a non-negative integer (got ${state.attempt}).`);
  }
  if (!Number.isFinite(state.elapsedSeconds) || state.elapsedSeconds < 0) {
    throw new InvalidPollPolicyError(
      `Invalid poll state: elapsedSeconds must be a non-negative number (got ${state.elapsedSeconds}).`,
    );
  }

  // Floor: a measured, fractional elapsed time must never let the total run past the budget.
  const remaining = Math.floor(policy.maxTotalSeconds - state.elapsedSeconds);
  if (remaining < 1) return { action: 'give-up', elapsedSeconds: state.elapsedSeconds };

  const waitSeconds = Math.min(pollInterval(state.attempt, policy), remaining);
  return {
    action: 'wait',
    waitSeconds,
    attempt: state.attempt + 1,
    elapsedSeconds: state.elapsedSeconds + waitSeconds,
  };
}

/**
 * Every wait the policy schedules from the start until it gives up (for documentation, tests and
 * sizing the Step Functions history). The list ends because each wait is at least one second.
 */
export function pollSchedule(policy: PollPolicy = DEFAULT_HOST_POLL_POLICY): number[] {
  const waits: number[] = [];
  let state: PollState = { attempt: 0, elapsedSeconds: 0 };
  for (;;) {
    const decision = nextPoll(state, policy);
    if (decision.action === 'give-up') return waits;
    waits.push(decision.waitSeconds);
    state = decision;
  }
}

/**
 * How many polls it takes to notice a status change that happened `afterSeconds` into the wait
 * (the first poll whose cumulative wait reaches it), or undefined when the budget ends first.
 */
export function pollsUntilNoticed(afterSeconds: number, policy: PollPolicy = DEFAULT_HOST_POLL_POLICY): number | undefined {
  let elapsed = 0;
  const waits = pollSchedule(policy);
  for (const [index, wait] of waits.entries()) {
    elapsed += wait;
    if (elapsed >= afterSeconds) return index + 1;
  }
  return undefined;
}
