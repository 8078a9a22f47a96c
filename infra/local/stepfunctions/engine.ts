import { randomUUID } from 'node:crypto';
import type { SandboxClock } from '../sandbox/clock.ts';
import type { SandboxDeps, SandboxModule } from '../sandbox/service.ts';
import { createStepFunctionsModule } from '../sandbox/services/stepfunctions/module.ts';
import { sfnErrors } from './api-errors.ts';
import { executionArn, isExecutionArn, isStateMachineArn, type Scope } from './arns.ts';
import type { JsonValue } from './asl.ts';
import { InvalidDefinitionError } from './errors.ts';
import { Execution } from './execution.ts';
import { isValidResourceName } from './names.ts';
import { prepareStateMachine, type RegisteredStateMachine, type StateMachineRegistration } from './state-machines.ts';
import { loadTimeoutErrors } from './task-limits.ts';
import { TaskTokenRegistry } from './task-tokens.ts';
import { describeExecutionView, type DescribeExecutionView } from './views.ts';

export type { TaskHandler } from './task-handlers.ts';
export type { StateMachineRegistration } from './state-machines.ts';
export type { DescribeExecutionView } from './views.ts';
export { InvalidDefinitionError, UnmappedTaskStateError } from './errors.ts';

export interface LocalStepFunctionsOptions {
  clock: SandboxClock;
  accountId: string;
  region: string;
}

export interface StartExecutionRequest {
  stateMachineArn: string;
  name?: string;
  /** JSON text; `{}` when absent. */
  input?: string;
  traceHeader?: string;
}

/**
 * A local AWS Step Functions: runs registered state machines (our real ASL) in-process with
 * aws-local-stepfunctions, with every Task state served by an in-process handler, and serves the Step
 * Functions API on the AWS sandbox. Wait states, retries, task timeouts, heartbeats and execution
 * timeouts follow the sandbox clock, so tests skip days of waiting by advancing it.
 *
 * Executions live in memory only: a restarted local runtime loses running executions (and their task
 * tokens), while anything they wrote elsewhere (DynamoDB records) survives.
 *
 * Wiring it into the sandbox (the engine must share the sandbox's clock):
 * ```ts
 * let engine!: LocalStepFunctions;
 * const sandbox = await Sandbox.start({
 *   extraModules: (deps) => {
 *     engine = new LocalStepFunctions({ clock: deps.clock, accountId: deps.config.defaultAccountId, region: deps.config.defaultRegion });
 *     engine.register({ name, definition, taskHandlers });
 *     return [engine.module(deps)];
 *   },
 * });
 * ```
 */
export class LocalStepFunctions {
  readonly clock: SandboxClock;
  readonly scope: Scope;
  private readonly stateMachines = new Map<string, RegisteredStateMachine>();
  private readonly executions = new Map<string, Execution>();
  private readonly tokens: TaskTokenRegistry;

  constructor(options: LocalStepFunctionsOptions) {
    this.clock = options.clock;
    this.scope = { accountId: options.accountId, region: options.region };
    this.tokens = new TaskTokenRegistry(options.clock);
  }

  /** Throws UnmappedTaskStateError naming every Task state (with its Resource) that has no handler. Returns the state machine ARN. */
  register(registration: StateMachineRegistration): string {
    const stateMachine = prepareStateMachine(registration, this.scope, this.clock.nowMs());
    if (this.stateMachines.has(stateMachine.arn)) {
      throw new InvalidDefinitionError(`A state machine named '${stateMachine.name}' is already registered`);
    }
    this.stateMachines.set(stateMachine.arn, stateMachine);
    return stateMachine.arn;
  }

  /** The sandbox module that serves the SFN API (pass via Sandbox extraModules). */
  module(deps: SandboxDeps): SandboxModule {
    if (deps.clock !== this.clock) {
      throw new Error('LocalStepFunctions must be constructed with the sandbox clock (deps.clock) so that waits follow it');
    }
    return createStepFunctionsModule(this);
  }

  /** For tests/benchmarks: resolves when the execution is no longer RUNNING. */
  async waitForExecution(executionArn: string): Promise<DescribeExecutionView> {
    const execution = this.execution(executionArn);
    await execution.finished;
    return describeExecutionView(execution);
  }

  /** State transitions so far (count of StateEntered events), for benchmarks. */
  transitions(executionArn: string): number {
    return this.execution(executionArn).transitions;
  }

  // The Step Functions API, as the sandbox module serves it. Errors are the API's (AwsServiceError).

  stateMachine(arn: string): RegisteredStateMachine {
    if (!isStateMachineArn(arn)) throw sfnErrors.invalidArn(arn);
    const stateMachine = this.stateMachines.get(arn);
    if (!stateMachine) throw sfnErrors.stateMachineDoesNotExist(arn);
    return stateMachine;
  }

  listStateMachines(scope: Scope): RegisteredStateMachine[] {
    if (scope.accountId !== this.scope.accountId || scope.region !== this.scope.region) return [];
    return [...this.stateMachines.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * StartExecution. A name already used answers ExecutionAlreadyExists, except that repeating the call
   * for a still-running execution with the same input returns it (Standard workflows are idempotent so).
   */
  async startExecution(request: StartExecutionRequest): Promise<Execution> {
    const stateMachine = this.stateMachine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!isValidResourceName(name)) throw sfnErrors.invalidName(name);
    const inputText = request.input ?? '{}';
    const input = parseJson(inputText, sfnErrors.invalidExecutionInput);
    const timeoutError = await loadTimeoutErrors();
    const arn = executionArn(this.scope, stateMachine.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.inputText === inputText) return existing;
      throw sfnErrors.executionAlreadyExists(arn);
    }
    const execution = new Execution(
      { arn, name, stateMachine, input, inputText, traceHeader: request.traceHeader },
      { clock: this.clock, region: this.scope.region, tokens: this.tokens, timeoutError },
    );
    this.executions.set(arn, execution);
    return execution;
  }

  execution(arn: string): Execution {
    if (!isExecutionArn(arn)) throw sfnErrors.invalidArn(arn);
    const execution = this.executions.get(arn);
    if (!execution) throw sfnErrors.executionDoesNotExist(arn);
    return execution;
  }

  /** Executions, most recently started first; of one state machine when given. */
  listExecutions(stateMachineArn?: string): Execution[] {
    const executions = [...this.executions.values()].reverse();
    return stateMachineArn === undefined ? executions : executions.filter((execution) => execution.stateMachine.arn === stateMachineArn);
  }

  stopExecution(arn: string, error: string | undefined, cause: string | undefined): Execution {
    const execution = this.execution(arn);
    execution.stop(error, cause);
    return execution;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    const value = parseJson(output, sfnErrors.invalidOutput);
    this.tokens.succeed(taskToken, value);
  }

  sendTaskFailure(taskToken: string, error: string | undefined, cause: string | undefined): void {
    this.tokens.fail(taskToken, error, cause);
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.heartbeat(taskToken);
  }

  /** Callback tasks of the execution waiting for SendTaskSuccess/Failure (the count only; tokens are secrets). */
  pendingTaskTokens(executionArn: string): number {
    return this.tokens.pendingCount(executionArn);
  }
}

function parseJson(text: string, invalid: (detail: string) => Error): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw invalid((error as Error).message);
  }
}
