import { randomBytes } from 'node:crypto';
import type { SandboxClock } from '../sandbox/clock.ts';
import { sfnErrors } from './api-errors.ts';
import type { JsonValue } from './asl.ts';
import { StateError, executionClosedError } from './errors.ts';
import { ClockDeadline } from './sandbox-time.ts';
import type { TaskLimits, TimeoutErrorFactory } from './task-limits.ts';

/** 48 random bytes (384 bits) as base64url: 64 characters. */
const TOKEN_BYTES = 48;
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{64}$/;

export interface TaskOwner {
  executionArn: string;
  stateName: string;
}

interface PendingTask extends TaskOwner {
  resolve(output: JsonValue): void;
  reject(error: Error): void;
  timeoutDueMs: number | undefined;
  heartbeatSeconds: number | undefined;
  heartbeatDueMs: number | undefined;
  /** One deadline at the earlier of the two due times, so a clock jump past both reports the one that came first. */
  deadline: ClockDeadline | undefined;
  stopListening(): void;
}

/**
 * The callback tasks (`.waitForTaskToken`) waiting for SendTaskSuccess/Failure. Tokens are opaque,
 * random and single-use; once a task is closed (by an answer, a timeout, or its execution ending),
 * its token answers `TaskTimedOut`, as AWS does. Tokens are secrets: nothing here logs them or puts
 * them in an error message.
 */
export class TaskTokenRegistry {
  private readonly pending = new Map<string, PendingTask>();
  private readonly closed = new Set<string>();

  constructor(private readonly clock: SandboxClock) {}

  /**
   * Opens a callback task. `outcome` settles with the SendTaskSuccess output, or rejects with the
   * SendTaskFailure error, a timeout error (TimeoutSeconds / HeartbeatSeconds on the sandbox clock),
   * or, when `signal` aborts (the execution ended), a closed-execution error.
   */
  open(owner: TaskOwner, limits: TaskLimits, timeoutError: TimeoutErrorFactory, signal: AbortSignal): { token: string; outcome: Promise<JsonValue> } {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const outcome = new Promise<JsonValue>((resolve, reject) => {
      const onAbort = () => this.close(token)?.reject(executionClosedError());
      const now = this.clock.nowMs();
      const task: PendingTask = {
        ...owner,
        resolve,
        reject,
        timeoutDueMs: limits.timeoutSeconds === undefined ? undefined : now + limits.timeoutSeconds * 1000,
        heartbeatSeconds: limits.heartbeatSeconds,
        heartbeatDueMs: limits.heartbeatSeconds === undefined ? undefined : now + limits.heartbeatSeconds * 1000,
        deadline: undefined,
        stopListening: () => signal.removeEventListener('abort', onAbort),
      };
      this.pending.set(token, task);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const dueMs = earliestDue(task);
      if (dueMs !== undefined) task.deadline = new ClockDeadline(this.clock, dueMs, () => this.expire(token, timeoutError));
    });
    return { token, outcome };
  }

  succeed(token: string, output: JsonValue): void {
    this.find(token);
    this.close(token)!.resolve(output);
  }

  /** SendTaskFailure: the state fails with `error` (matched by Retry/Catch) and `cause`. */
  fail(token: string, error: string | undefined, cause: string | undefined): void {
    this.find(token);
    // Without an error name the failure is still a task failure: States.TaskFailed and States.ALL catch it.
    this.close(token)!.reject(new StateError(error || 'States.TaskFailed', cause ?? ''));
  }

  /** SendTaskHeartbeat: restarts the HeartbeatSeconds countdown; cannot extend TimeoutSeconds. */
  heartbeat(token: string): void {
    const task = this.find(token);
    if (task.heartbeatSeconds === undefined) return;
    task.heartbeatDueMs = this.clock.nowMs() + task.heartbeatSeconds * 1000;
    task.deadline?.reset(earliestDue(task)!);
  }

  /** Closes a task that will never get an answer (its handler failed); its token is spent. */
  discard(token: string): void {
    this.close(token);
  }

  pendingCount(executionArn: string): number {
    let count = 0;
    for (const task of this.pending.values()) if (task.executionArn === executionArn) count++;
    return count;
  }

  private find(token: string): PendingTask {
    const task = this.pending.get(token);
    if (task) return task;
    if (this.closed.has(token)) throw sfnErrors.taskTimedOut();
    if (TOKEN_FORMAT.test(token)) throw sfnErrors.taskDoesNotExist();
    throw sfnErrors.invalidToken();
  }

  /** The earlier deadline passed: a missed heartbeat, or the task's TimeoutSeconds. */
  private expire(token: string, timeoutError: TimeoutErrorFactory): void {
    const task = this.close(token);
    if (!task) return;
    const heartbeatFirst = task.heartbeatDueMs !== undefined && task.heartbeatDueMs < (task.timeoutDueMs ?? Infinity);
    task.reject(timeoutError(heartbeatFirst ? 'heartbeat' : 'task'));
  }

  /** Removes a pending task (once); the token answers TaskTimedOut from now on. */
  private close(token: string): PendingTask | undefined {
    const task = this.pending.get(token);
    if (!task) return undefined;
    this.pending.delete(token);
    this.closed.add(token);
    task.deadline?.cancel();
    task.stopListening();
    return task;
  }
}

function earliestDue(task: PendingTask): number | undefined {
  const dues = [task.timeoutDueMs, task.heartbeatDueMs].filter((due): due is number => due !== undefined);
  return dues.length === 0 ? undefined : Math.min(...dues);
}
