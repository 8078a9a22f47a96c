import type { TaskLimits } from './task-limits.ts';

/** One call of a Task state's handler, as the execution history reports it. */
export interface TaskAttempt {
  startedAtMs: number;
  /** The evaluated Parameters (or input) as JSON, with any task token redacted. */
  parameters: string;
  limits: TaskLimits;
  outcome?:
    | { kind: 'succeeded'; atMs: number; output: string }
    | { kind: 'failed'; atMs: number; error: string; cause: string; timedOut: boolean };
}

/**
 * Hands what the task handlers know (evaluated parameters, raw results, failure times) to the history
 * recorder, which only sees the library's events.
 *
 * The library calls a state's handler synchronously right after dispatching its StateEntered (or
 * StateRetried) event, and the recorder reads events a few microtasks later, so the attempt is always
 * logged before the recorder looks for it. Attempts queue per state name, first in first out.
 */
export class TaskAttemptLog {
  private readonly unclaimed = new Map<string, TaskAttempt[]>();
  private readonly running = new Map<string, TaskAttempt[]>();

  /** Called by a task handler as it starts. */
  begin(stateName: string, attempt: TaskAttempt): TaskAttempt {
    queue(this.unclaimed, stateName).push(attempt);
    return attempt;
  }

  /** The attempt a StateEntered/StateRetried event started, if the handler ran at all. */
  claimStart(stateName: string): TaskAttempt | undefined {
    const attempt = queue(this.unclaimed, stateName).shift();
    if (attempt) queue(this.running, stateName).push(attempt);
    return attempt;
  }

  /** The attempt a StateExited/StateFailed event ended. */
  claimEnd(stateName: string): TaskAttempt | undefined {
    return queue(this.running, stateName).shift();
  }
}

function queue(map: Map<string, TaskAttempt[]>, stateName: string): TaskAttempt[] {
  let attempts = map.get(stateName);
  if (!attempts) {
    attempts = [];
    map.set(stateName, attempts);
  }
  return attempts;
}
