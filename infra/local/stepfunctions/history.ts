import type { LibraryEvent } from './library.ts';
import type { TaskAttempt, TaskAttemptLog } from './task-attempts.ts';
import type { StatePlan, TaskPlan } from './transform.ts';

/** An execution history event as GetExecutionHistory returns it (timestamps in sandbox epoch seconds). */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** How an execution that did not run to its end was ended (the library reports both as "aborted"). */
export type ExecutionEnding = { kind: 'stopped'; error?: string; cause?: string } | { kind: 'timed-out' };

export interface HistoryContext {
  /** Original state types by name (a Wait state runs as a Task stand-in but is reported as Wait). */
  stateTypes: ReadonlyMap<string, string>;
  plans: ReadonlyMap<string, StatePlan>;
  attempts: TaskAttemptLog;
  region: string;
  roleArn: string;
  /** Library timestamps are real time; history shows sandbox time. */
  toSandboxMs(realMs: number): number;
  ending(): ExecutionEnding | undefined;
}

interface Entry {
  atMs: number;
  type: string;
  details?: Record<string, unknown>;
}

/**
 * Builds an execution's history in AWS's event vocabulary (`TaskStateEntered`, `TaskScheduled`,
 * `WaitStateExited`, `ExecutionSucceeded`, ...) from the library's events. Task details (parameters,
 * raw results, timeouts) come from the task handlers through the attempt log.
 */
export class ExecutionHistory {
  private readonly events: HistoryEvent[] = [];

  constructor(private readonly context: HistoryContext) {}

  record(event: LibraryEvent): void {
    for (const entry of historyEntriesFor(event, this.context)) {
      const id = this.events.length + 1;
      const wire: HistoryEvent = { timestamp: entry.atMs / 1000, type: entry.type, id, previousEventId: id - 1 };
      if (entry.details) wire[detailsMemberOf(entry.type)] = entry.details;
      this.events.push(wire);
    }
  }

  list(): readonly HistoryEvent[] {
    return this.events;
  }
}

/** GetExecutionHistory with includeExecutionData=false: the same events without inputs, outputs and parameters. */
export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    const { input: _input, inputDetails: _inputDetails, output: _output, outputDetails: _outputDetails, parameters: _parameters, ...rest } =
      value as Record<string, unknown>;
    copy[key] = rest;
  }
  return copy;
}

export function historyEntriesFor(event: LibraryEvent, context: HistoryContext): Entry[] {
  const atMs = context.toSandboxMs(event.timestamp);
  switch (event.type) {
    case 'ExecutionStarted':
      return [{ atMs, type: 'ExecutionStarted', details: { input: json(event.input), inputDetails: NOT_TRUNCATED, roleArn: context.roleArn } }];
    case 'ExecutionSucceeded':
      return [{ atMs, type: 'ExecutionSucceeded', details: { output: json(event.output), outputDetails: NOT_TRUNCATED } }];
    case 'ExecutionFailed':
      return [{ atMs, type: 'ExecutionFailed', details: errorDetails(event.Error, event.Cause) }];
    case 'ExecutionAborted':
    case 'ExecutionTimeout':
      return [endingEntry(atMs, event.type === 'ExecutionTimeout' ? { kind: 'timed-out' } : context.ending())];
    case 'StateEntered':
      return stateEntered(event.state.name, event.state.type, json(event.state.input), atMs, context);
    case 'StateRetried':
      return taskStarted(event.state.name, context, atMs);
    case 'StateExited':
      return stateExited(event.state.name, event.state.type, json(event.state.output ?? null), atMs, context);
    case 'StateFailed':
      return stateFailed(event.state.name, event.state.type, atMs, context);
    case 'StateCaught':
      return [{ atMs, type: `${originalType(event.state.name, event.state.type, context)}StateExited`, details: { name: event.state.name } }];
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed':
      return [{ atMs, type: event.type, details: { name: event.parentState.name, index: event.index } }];
    default:
      // Parallel branch events have no counterpart in AWS's history.
      return [];
  }
}

const NOT_TRUNCATED = { truncated: false };

function stateEntered(name: string, libraryType: string, input: string, atMs: number, context: HistoryContext): Entry[] {
  const type = originalType(name, libraryType, context);
  const entered: Entry = { atMs, type: `${type}StateEntered`, details: { name, input, inputDetails: NOT_TRUNCATED } };
  if (type === 'Task') return [entered, ...taskStarted(name, context, atMs)];
  if (type === 'Parallel' || type === 'Map') return [entered, { atMs, type: `${type}StateStarted` }];
  return [entered];
}

function stateExited(name: string, libraryType: string, output: string, atMs: number, context: HistoryContext): Entry[] {
  const type = originalType(name, libraryType, context);
  const exited: Entry = { atMs, type: `${type}StateExited`, details: { name, output, outputDetails: NOT_TRUNCATED } };
  if (type === 'Task') return [...taskEnded(name, context), exited];
  if (type === 'Parallel' || type === 'Map') return [{ atMs, type: `${type}StateSucceeded` }, exited];
  return [exited];
}

function stateFailed(name: string, libraryType: string, atMs: number, context: HistoryContext): Entry[] {
  const type = originalType(name, libraryType, context);
  if (type === 'Task') return taskEnded(name, context);
  if (type === 'Parallel' || type === 'Map') return [{ atMs, type: `${type}StateFailed` }];
  return [];
}

/** TaskScheduled + TaskStarted (LambdaFunction* for a Lambda function ARN resource), when the handler was called. */
function taskStarted(name: string, context: HistoryContext, atMs: number): Entry[] {
  const plan = taskPlan(name, context);
  const attempt = plan ? context.attempts.claimStart(name) : undefined;
  if (!plan || !attempt) return [];
  const at = Math.max(atMs, attempt.startedAtMs);
  if (plan.integration === 'lambda-function') {
    const scheduled = { resource: plan.resource, input: attempt.parameters, inputDetails: NOT_TRUNCATED, timeoutInSeconds: attempt.limits.timeoutSeconds };
    return [{ atMs: at, type: 'LambdaFunctionScheduled', details: scheduled }, { atMs: at, type: 'LambdaFunctionStarted' }];
  }
  const resource = resourceFields(plan.resource);
  const scheduled = {
    ...resource,
    region: context.region,
    parameters: attempt.parameters,
    timeoutInSeconds: attempt.limits.timeoutSeconds,
    heartbeatInSeconds: attempt.limits.heartbeatSeconds,
  };
  return [{ atMs: at, type: 'TaskScheduled', details: scheduled }, { atMs: at, type: 'TaskStarted', details: resource }];
}

/** TaskSucceeded / TaskFailed / TaskTimedOut (or the LambdaFunction* forms) for the attempt that just ended. */
function taskEnded(name: string, context: HistoryContext): Entry[] {
  const plan = taskPlan(name, context);
  const attempt = plan ? context.attempts.claimEnd(name) : undefined;
  if (!plan || !attempt?.outcome) return [];
  return [taskOutcomeEntry(plan, attempt.outcome)];
}

function taskOutcomeEntry(plan: TaskPlan, outcome: NonNullable<TaskAttempt['outcome']>): Entry {
  const prefix = plan.integration === 'lambda-function' ? 'LambdaFunction' : 'Task';
  const resource = plan.integration === 'lambda-function' ? {} : resourceFields(plan.resource);
  if (outcome.kind === 'succeeded') {
    return { atMs: outcome.atMs, type: `${prefix}Succeeded`, details: { ...resource, output: outcome.output, outputDetails: NOT_TRUNCATED } };
  }
  return { atMs: outcome.atMs, type: `${prefix}${outcome.timedOut ? 'TimedOut' : 'Failed'}`, details: { ...resource, ...errorDetails(outcome.error, outcome.cause) } };
}

function endingEntry(atMs: number, ending: ExecutionEnding | undefined): Entry {
  if (ending?.kind === 'timed-out') return { atMs, type: 'ExecutionTimedOut', details: { error: 'States.Timeout' } };
  return { atMs, type: 'ExecutionAborted', details: errorDetails(ending?.error, ending?.cause) };
}

function originalType(name: string, libraryType: string, context: HistoryContext): string {
  return context.stateTypes.get(name) ?? libraryType;
}

function taskPlan(name: string, context: HistoryContext): TaskPlan | undefined {
  const plan = context.plans.get(name);
  return plan?.kind === 'task' ? plan : undefined;
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → resourceType `lambda`, resource `invoke.waitForTaskToken`. */
export function resourceFields(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:[^:]+:states:::(.+):([^:]+)$/.exec(resource);
  if (integration) return { resourceType: integration[1]!, resource: integration[2]! };
  return { resourceType: resource.split(':')[2] ?? 'unknown', resource };
}

function errorDetails(error: unknown, cause: unknown): Record<string, string> {
  const details: Record<string, string> = {};
  if (error !== undefined && error !== null && error !== '') details.error = String(error);
  const causeText = typeof cause === 'string' ? cause : cause === undefined || cause === null ? '' : JSON.stringify(cause);
  if (causeText !== '') details.cause = causeText;
  return details;
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** `TaskStateEntered` → `stateEnteredEventDetails`, `TaskScheduled` → `taskScheduledEventDetails`, ... */
function detailsMemberOf(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}
