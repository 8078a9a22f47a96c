import { mapStates, type AslMachine, type AslState, type JsonValue, type Retrier } from './asl.ts';

/**
 * Rewrites a definition into what aws-local-stepfunctions runs, so that time follows the sandbox
 * clock rather than the library's real-time `setTimeout`s. Pure: the input is left untouched.
 *
 * - Every Wait state becomes a Task state of the same name, served by the engine's waiter. The state
 *   keeps InputPath/OutputPath/Next/End; its Parameters hand the waiter the effective input plus the
 *   wait's Seconds/SecondsPath/Timestamp/TimestampPath (the library evaluates the paths, `$$` too),
 *   and the waiter returns the input unchanged, which is exactly what a Wait outputs.
 * - Every Task state gets Parameters wrapped in an envelope that also carries its TimeoutSeconds(Path)
 *   and HeartbeatSeconds(Path), so the engine enforces them on the sandbox clock. The library's own
 *   timeout is pushed to the longest real-time timer Node allows (its default would be 60 s).
 * - The machine's top-level TimeoutSeconds is removed; the engine enforces it on the sandbox clock.
 *
 * State names, Retry, Catch, ResultSelector, ResultPath and OutputPath are kept, so transitions,
 * error handling and data flow are those of the original definition.
 */

/** Longest delay Node's setTimeout accepts (2^31 - 1 ms), in whole seconds. */
export const LIBRARY_TIMEOUT_CEILING_SECONDS = 2_147_483;

/** Resource of the Task states that stand in for Wait states; never called (the engine overrides them). */
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

/** What a rewritten Task state's handler receives (after the library evaluated the paths). */
export interface TaskEnvelope {
  /** The original Parameters, evaluated; the effective input when there were none. */
  payload: JsonValue;
  timeoutSeconds?: JsonValue;
  heartbeatSeconds?: JsonValue;
}

/** What a Wait state's stand-in receives. */
export interface WaitEnvelope {
  input: JsonValue;
  seconds?: JsonValue;
  timestamp?: JsonValue;
}

export type TaskIntegration =
  /** `arn:aws:lambda:…:function:…`: the handler gets the input and its result is the state's result. */
  | 'lambda-function'
  /** `arn:aws:states:::lambda:invoke`: the handler gets `Parameters.Payload`; the result is wrapped as Lambda's Invoke output. */
  | 'lambda-invoke'
  /** Any other resource: the handler gets the Parameters and its result is the state's result. */
  | 'service';

export interface TaskPlan {
  kind: 'task';
  resource: string;
  integration: TaskIntegration;
  /** `.waitForTaskToken`: the state completes on SendTaskSuccess/Failure, not on the handler's return. */
  waitForTaskToken: boolean;
  /** The Retry rules as the library sees them (after the heartbeat rewrite below). */
  retriers: Retrier[];
}

export interface WaitPlan {
  kind: 'wait';
}

export type StatePlan = TaskPlan | WaitPlan;

export interface LocalPlan {
  libraryDefinition: AslMachine;
  /** Task and Wait states by name (names are unique across the machine). */
  states: ReadonlyMap<string, StatePlan>;
  executionTimeoutSeconds: number | undefined;
}

export function planLocalRun(definition: AslMachine): LocalPlan {
  const { TimeoutSeconds, ...rest } = definition;
  const states = new Map<string, StatePlan>();
  const libraryDefinition = mapStates(rest as AslMachine, (name, state) => {
    if (state.Type === 'Wait') {
      states.set(name, { kind: 'wait' });
      return waitAsTask(state);
    }
    if (state.Type === 'Task') {
      const task = taskForLibrary(state);
      states.set(name, taskPlanOf(task));
      return task;
    }
    return state;
  });
  return { libraryDefinition, states, executionTimeoutSeconds: TimeoutSeconds };
}

export function waitAsTask(state: AslState): AslState {
  const { Type: _type, Seconds, SecondsPath, Timestamp, TimestampPath, ...kept } = state;
  const parameters: Record<string, unknown> = { 'input.$': '$' };
  if (Seconds !== undefined) parameters.seconds = Seconds;
  if (SecondsPath !== undefined) parameters['seconds.$'] = SecondsPath;
  if (Timestamp !== undefined) parameters.timestamp = Timestamp;
  if (TimestampPath !== undefined) parameters['timestamp.$'] = TimestampPath;
  return { ...kept, Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, Parameters: parameters, TimeoutSeconds: LIBRARY_TIMEOUT_CEILING_SECONDS };
}

export function taskForLibrary(state: AslState): AslState {
  const { Parameters, TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds, HeartbeatSecondsPath, ...kept } = state;
  const envelope: Record<string, unknown> = Parameters === undefined ? { 'payload.$': '$' } : { payload: Parameters };
  if (TimeoutSeconds !== undefined) envelope.timeoutSeconds = TimeoutSeconds;
  if (TimeoutSecondsPath !== undefined) envelope['timeoutSeconds.$'] = TimeoutSecondsPath;
  // Only a callback task can be kept alive by heartbeats; AWS ignores the field on a plain Lambda call.
  const heartbeat = isWaitForTaskToken(state) && (HeartbeatSeconds !== undefined || HeartbeatSecondsPath !== undefined);
  if (heartbeat && HeartbeatSeconds !== undefined) envelope.heartbeatSeconds = HeartbeatSeconds;
  if (heartbeat && HeartbeatSecondsPath !== undefined) envelope['heartbeatSeconds.$'] = HeartbeatSecondsPath;
  const task: AslState = { ...kept, Parameters: envelope, TimeoutSeconds: LIBRARY_TIMEOUT_CEILING_SECONDS };
  if (heartbeat) {
    if (Array.isArray(kept.Retry)) task.Retry = withHeartbeatTimeoutMatching(kept.Retry as Retrier[]);
    if (Array.isArray(kept.Catch)) task.Catch = withHeartbeatTimeoutMatching(kept.Catch as Array<{ ErrorEquals: string[] }>);
  }
  return task;
}

/**
 * A missed heartbeat fails the task with `States.HeartbeatTimeout`, which AWS also matches with
 * `States.Timeout`. The library matches error names exactly, so every rule naming `States.Timeout`
 * also gets `States.HeartbeatTimeout`.
 */
export function withHeartbeatTimeoutMatching<T extends { ErrorEquals: string[] }>(rules: T[]): T[] {
  return rules.map((rule) =>
    rule.ErrorEquals.includes('States.Timeout') && !rule.ErrorEquals.includes('States.HeartbeatTimeout')
      ? { ...rule, ErrorEquals: [...rule.ErrorEquals, 'States.HeartbeatTimeout'] }
      : rule,
  );
}

export function taskPlanOf(state: AslState): TaskPlan {
  const resource = String(state.Resource);
  return {
    kind: 'task',
    resource,
    integration: integrationOf(resource),
    waitForTaskToken: isWaitForTaskToken(state),
    retriers: Array.isArray(state.Retry) ? (state.Retry as Retrier[]) : [],
  };
}

export function integrationOf(resource: string): TaskIntegration {
  if (/^arn:aws[a-z-]*:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource)) return 'lambda-invoke';
  if (/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:/.test(resource)) return 'lambda-function';
  return 'service';
}

function isWaitForTaskToken(state: AslState): boolean {
  return typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken');
}
