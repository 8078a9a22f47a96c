import type { Retrier } from './asl.ts';
import { decideRetry, type FailedAttempt } from './retry-plan.ts';

/**
 * Per execution: how often each Task state's retriers have fired since the state was entered, the
 * bookkeeping the library keeps privately. A state entered afresh starts from zero; an attempt that
 * follows a decided retry continues the count.
 */
export class RetryTracker {
  private readonly attempts = new Map<string, number[]>();
  private readonly retrying = new Set<string>();

  beginAttempt(stateName: string): void {
    if (!this.retrying.delete(stateName)) this.attempts.delete(stateName);
  }

  /** The delay before the library's retry, or undefined when it will not retry. */
  afterFailure(stateName: string, retriers: readonly Retrier[], error: FailedAttempt): number | undefined {
    const counts = this.attempts.get(stateName) ?? [];
    const decision = decideRetry(retriers, counts, error);
    if (!decision) {
      this.attempts.delete(stateName);
      return undefined;
    }
    counts[decision.retrierIndex] = (counts[decision.retrierIndex] ?? 0) + 1;
    this.attempts.set(stateName, counts);
    this.retrying.add(stateName);
    return decision.delayMs;
  }

  afterSuccess(stateName: string): void {
    this.attempts.delete(stateName);
  }
}
