import type { SandboxClock } from '../sandbox/clock.ts';
import type { JsonValue } from './asl.ts';
import { ExecutionHistory, type ExecutionEnding, type HistoryEvent } from './history.ts';
import { ExecutionError, StateMachine, type LibraryEvent, type RunOptions, type StateMachineDefinition } from './library.ts';
import { RetryTracker } from './retry-tracker.ts';
import { ClockDeadline } from './sandbox-time.ts';
import type { RegisteredStateMachine } from './state-machines.ts';
import { TaskAttemptLog } from './task-attempts.ts';
import { libraryHandlersFor } from './task-handlers.ts';
import type { TimeoutErrorFactory } from './task-limits.ts';
import { TASK_TOKEN_PLACEHOLDER } from './task-token-placeholder.ts';
import type { TaskTokenRegistry } from './task-tokens.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionStart {
  arn: string;
  name: string;
  stateMachine: RegisteredStateMachine;
  input: JsonValue;
  /** The input exactly as the caller sent it. */
  inputText: string;
  traceHeader: string | undefined;
}

export interface ExecutionServices {
  clock: SandboxClock;
  region: string;
  tokens: TaskTokenRegistry;
  timeoutError: TimeoutErrorFactory;
}

type RunOutcome = { ok: true; output: JsonValue } | { ok: false; error: unknown };

/**
 * One Standard-workflow execution, run in-process by aws-local-stepfunctions and held in memory only.
 * Time (Wait states, retries, task and execution timeouts) follows the sandbox clock.
 */
export class Execution {
  readonly arn: string;
  readonly name: string;
  readonly stateMachine: RegisteredStateMachine;
  readonly inputText: string;
  readonly traceHeader: string | undefined;
  readonly startDateMs: number;
  status: ExecutionStatus = 'RUNNING';
  stopDateMs: number | undefined;
  outputText: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  /** Resolves once the execution is over and its history complete. */
  readonly finished: Promise<void>;

  private readonly history: ExecutionHistory;
  private stateTransitions = 0;
  private ending: ExecutionEnding | undefined;
  /** Aborted when the execution ends in any way: waits give up, pending task tokens close. */
  private readonly scope = new AbortController();
  private readonly abortLibraryRun: () => void;

  constructor(
    start: ExecutionStart,
    private readonly services: ExecutionServices,
  ) {
    this.arn = start.arn;
    this.name = start.name;
    this.stateMachine = start.stateMachine;
    this.inputText = start.inputText;
    this.traceHeader = start.traceHeader;
    this.startDateMs = services.clock.nowMs();
    const attempts = new TaskAttemptLog();
    const { plan } = this.stateMachine;
    this.history = new ExecutionHistory({
      stateTypes: this.stateMachine.stateTypes,
      plans: plan.states,
      attempts,
      region: services.region,
      roleArn: this.stateMachine.roleArn,
      toSandboxMs: (realMs) => realMs + (services.clock.nowMs() - Date.now()),
      ending: () => this.ending,
    });
    const handlers = libraryHandlersFor(plan, this.stateMachine.taskHandlers, {
      executionArn: this.arn,
      clock: services.clock,
      signal: this.scope.signal,
      tokens: services.tokens,
      timeoutError: services.timeoutError,
      attempts,
      retries: new RetryTracker(),
    });
    // The definition was validated at registration; the rewritten one is not plain ASL (see transform.ts).
    const machine = new StateMachine(plan.libraryDefinition as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    const run = machine.run(start.input, this.runOptions(handlers));
    this.abortLibraryRun = run.abort;
    const deadline =
      plan.executionTimeoutSeconds === undefined
        ? undefined
        : new ClockDeadline(services.clock, this.startDateMs + plan.executionTimeoutSeconds * 1000, () => this.end('TIMED_OUT', { kind: 'timed-out' }));
    this.finished = this.follow(run.result, run.eventLogs).finally(() => deadline?.cancel());
  }

  get transitions(): number {
    return this.stateTransitions;
  }

  historyEvents(): readonly HistoryEvent[] {
    return this.history.list();
  }

  /** StopExecution: ABORTED at once; pending task tokens close and every wait gives up. */
  stop(error: string | undefined, cause: string | undefined): void {
    if (this.status === 'RUNNING') this.end('ABORTED', { kind: 'stopped', error, cause });
  }

  private runOptions(handlers: Record<string, (input: JsonValue) => Promise<JsonValue>>): RunOptions {
    const { plan, arn: stateMachineArn, name: stateMachineName, roleArn } = this.stateMachine;
    const retryingStates = [...plan.states].filter(([, state]) => state.kind === 'task' && state.retriers.length > 0);
    return {
      noThrowOnAbort: true,
      overrides: {
        taskResourceLocalHandlers: handlers as NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>,
        // Retry immediately: the failing attempt has already slept its interval on the sandbox clock.
        retryIntervalOverrides: Object.fromEntries(retryingStates.map(([name]) => [name, 0])),
      },
      // `$$.Task.Token` resolves to a placeholder that callback tasks swap for a real token.
      // The library sets Execution.StartTime (real time) and Execution.Input itself.
      context: {
        Execution: { Id: this.arn, Name: this.name, RoleArn: roleArn, RedriveCount: 0 },
        StateMachine: { Id: stateMachineArn, Name: stateMachineName },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
    };
  }

  private async follow(result: Promise<unknown>, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    const recording = this.record(events);
    let outcome: RunOutcome;
    try {
      outcome = { ok: true, output: (await result) as JsonValue };
    } catch (error) {
      outcome = { ok: false, error };
    }
    await recording;
    this.settle(outcome);
  }

  private async record(events: AsyncGenerator<LibraryEvent>): Promise<void> {
    for await (const event of events) {
      if (event.type === 'StateEntered') this.stateTransitions++;
      this.history.record(event);
    }
  }

  /** The run finished by itself: SUCCEEDED or FAILED (unless it was already stopped or timed out). */
  private settle(outcome: RunOutcome): void {
    if (this.status === 'RUNNING') {
      this.status = outcome.ok ? 'SUCCEEDED' : 'FAILED';
      this.stopDateMs = this.services.clock.nowMs();
      if (outcome.ok) this.outputText = JSON.stringify(outcome.output ?? null);
      else this.recordFailure(outcome.error);
    }
    this.scope.abort();
  }

  private recordFailure(thrown: unknown): void {
    // ExecutionError wraps the state's error; the library reports `cause ?? message` as the Cause.
    const error = thrown instanceof ExecutionError && thrown.cause instanceof Error ? thrown.cause : (thrown as Error);
    this.error = error.name;
    const cause: unknown = error.cause ?? error.message;
    this.cause = typeof cause === 'string' ? cause : JSON.stringify(cause);
  }

  private end(status: 'ABORTED' | 'TIMED_OUT', ending: ExecutionEnding): void {
    this.status = status;
    this.stopDateMs = this.services.clock.nowMs();
    this.ending = ending;
    if (ending.kind === 'stopped') {
      this.error = ending.error;
      this.cause = ending.cause;
    } else {
      this.error = 'States.Timeout';
    }
    // The library first, so its ExecutionAborted event closes the history before any wait unwinds.
    this.abortLibraryRun();
    this.scope.abort();
  }
}
