import type { SandboxClock } from '../sandbox/clock.ts';
import { isRecord, type JsonValue } from './asl.ts';
import { StateError, executionClosedError, runtimeError, stateErrorFrom } from './errors.ts';
import type { RetryTracker } from './retry-tracker.ts';
import { sleepUntil } from './sandbox-time.ts';
import type { TaskAttempt, TaskAttemptLog } from './task-attempts.ts';
import { isTimeoutError, taskLimitsOf, type TaskLimits, type TimeoutErrorFactory } from './task-limits.ts';
import { TASK_TOKEN_PLACEHOLDER, containsText, replaceText } from './task-token-placeholder.ts';
import type { TaskTokenRegistry } from './task-tokens.ts';
import type { LocalPlan, TaskEnvelope, TaskPlan, WaitEnvelope } from './transform.ts';
import { waitDueMs } from './wait-due.ts';

/** An in-process stand-in for a Task state's resource (a Lambda function, an integration). */
export type TaskHandler = (input: unknown) => Promise<unknown>;

type LibraryHandler = (input: JsonValue) => Promise<JsonValue>;

/** What one execution's handlers share. */
export interface ExecutionScope {
  executionArn: string;
  clock: SandboxClock;
  /** Aborts when the execution stops, times out or ends: every wait gives up and pending tokens close. */
  signal: AbortSignal;
  tokens: TaskTokenRegistry;
  timeoutError: TimeoutErrorFactory;
  attempts: TaskAttemptLog;
  retries: RetryTracker;
}

const REDACTED_TOKEN = '[task token]';

/** The library's `taskResourceLocalHandlers` for one execution: every Task state and every Wait stand-in. */
export function libraryHandlersFor(plan: LocalPlan, handlers: Readonly<Record<string, TaskHandler>>, scope: ExecutionScope): Record<string, LibraryHandler> {
  const result: Record<string, LibraryHandler> = {};
  for (const [name, state] of plan.states) {
    if (state.kind === 'wait') {
      result[name] = (envelope) => runWait(envelope as unknown as WaitEnvelope, scope);
    } else {
      const handler = handlers[name]!;
      result[name] = (envelope) => runTask(name, state, handler, envelope as unknown as TaskEnvelope, scope);
    }
  }
  return result;
}

async function runWait(envelope: WaitEnvelope, scope: ExecutionScope): Promise<JsonValue> {
  const dueMs = waitDueMs(envelope, scope.clock.nowMs());
  await sleepUntil(scope.clock, dueMs, scope.signal, executionClosedError);
  return envelope.input;
}

/**
 * One attempt of a Task state. On failure, if the state's Retry will fire, the attempt first sleeps the
 * retry interval on the sandbox clock and only then reports its error (the library itself is told to
 * retry at once), so retries follow the sandbox clock as Wait states do.
 */
async function runTask(name: string, plan: TaskPlan, handler: TaskHandler, envelope: TaskEnvelope, scope: ExecutionScope): Promise<JsonValue> {
  // Up to the first await this runs synchronously inside the library's call, which the attempt log relies on.
  const limits = taskLimitsOf(envelope);
  scope.retries.beginAttempt(name);
  const attempt = scope.attempts.begin(name, {
    startedAtMs: scope.clock.nowMs(),
    parameters: JSON.stringify(replaceText(envelope.payload, TASK_TOKEN_PLACEHOLDER, REDACTED_TOKEN)),
    limits,
  });
  try {
    const output = plan.waitForTaskToken
      ? await runCallbackTask(name, plan, handler, envelope.payload, limits, scope)
      : await runDirectTask(plan, handler, envelope.payload, limits, scope);
    attempt.outcome = { kind: 'succeeded', atMs: scope.clock.nowMs(), output: JSON.stringify(output) };
    scope.retries.afterSuccess(name);
    return output;
  } catch (thrown) {
    const error = thrown as Error;
    recordFailure(attempt, error, scope);
    const delayMs = scope.retries.afterFailure(name, plan.retriers, {
      name: error.name,
      isTimeout: isTimeoutError(error),
      isRetryable: !(error instanceof StateError) || error.isRetryable,
    });
    if (delayMs) await sleepUntil(scope.clock, scope.clock.nowMs() + delayMs, scope.signal, executionClosedError);
    throw error;
  }
}

function recordFailure(attempt: TaskAttempt, error: Error, scope: ExecutionScope): void {
  attempt.outcome = { kind: 'failed', atMs: scope.clock.nowMs(), error: error.name, cause: error.message, timedOut: isTimeoutError(error) };
}

async function runDirectTask(plan: TaskPlan, handler: TaskHandler, payload: JsonValue, limits: TaskLimits, scope: ExecutionScope): Promise<JsonValue> {
  if (containsText(payload, TASK_TOKEN_PLACEHOLDER)) {
    throw runtimeError('$$.Task.Token is only available in a .waitForTaskToken Task state');
  }
  const dueMs = limits.timeoutSeconds === undefined ? undefined : scope.clock.nowMs() + limits.timeoutSeconds * 1000;
  const result = await settleBy(callHandler(handler, handlerInputOf(plan, payload)), dueMs, scope);
  return plan.integration === 'lambda-invoke' ? lambdaInvokeOutput(result) : result;
}

/**
 * A `.waitForTaskToken` task: the handler gets the input with a fresh token where `$$.Task.Token` was
 * used, and the state waits for SendTaskSuccess/Failure, its timeouts, or the end of the execution.
 * The handler's return value is ignored; if it throws, the state fails with its error.
 */
async function runCallbackTask(
  name: string,
  plan: TaskPlan,
  handler: TaskHandler,
  payload: JsonValue,
  limits: TaskLimits,
  scope: ExecutionScope,
): Promise<JsonValue> {
  const { token, outcome } = scope.tokens.open({ executionArn: scope.executionArn, stateName: name }, limits, scope.timeoutError, scope.signal);
  const input = handlerInputOf(plan, replaceText(payload, TASK_TOKEN_PLACEHOLDER, token));
  const handled = callHandler(handler, input).then(
    () => outcome,
    (error: unknown) => {
      scope.tokens.discard(token);
      throw error;
    },
  );
  return Promise.race([handled, outcome]);
}

/** The event a Lambda function would receive: `lambda:invoke` passes `Parameters.Payload`. */
function handlerInputOf(plan: TaskPlan, payload: JsonValue): JsonValue {
  if (plan.integration !== 'lambda-invoke') return payload;
  return isRecord(payload) && payload.Payload !== undefined ? payload.Payload : {};
}

/** What `arn:aws:states:::lambda:invoke` returns: Lambda's Invoke response, the function's result in `Payload`. */
function lambdaInvokeOutput(result: JsonValue): JsonValue {
  return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200 };
}

/** Calls a handler; its result goes through JSON as Lambda's would, and what it throws becomes a state error. */
async function callHandler(handler: TaskHandler, input: JsonValue): Promise<JsonValue> {
  try {
    const result = await handler(input);
    return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as JsonValue);
  } catch (thrown) {
    throw stateErrorFrom(thrown);
  }
}

/** `work`, unless the task's timeout (sandbox clock) or the end of the execution comes first. */
function settleBy(work: Promise<JsonValue>, dueMs: number | undefined, scope: ExecutionScope): Promise<JsonValue> {
  const settled = new AbortController();
  const signal = AbortSignal.any([scope.signal, settled.signal]);
  const stop =
    dueMs === undefined
      ? untilAborted(signal)
      : sleepUntil(scope.clock, dueMs, signal, executionClosedError).then(() => {
          throw scope.timeoutError('task');
        });
  return Promise.race([work, stop]).finally(() => settled.abort());
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) return reject(executionClosedError());
    signal.addEventListener('abort', () => reject(executionClosedError()), { once: true });
  });
}
