import { allStates, type AslMachine } from './asl.ts';
import { stateMachineArn, type Scope } from './arns.ts';
import { InvalidDefinitionError } from './errors.ts';
import { StateMachine, type StateMachineDefinition } from './library.ts';
import { isValidResourceName } from './names.ts';
import type { TaskHandler } from './task-handlers.ts';
import { planLocalRun, type LocalPlan } from './transform.ts';
import { checkRunnableLocally } from './validate-definition.ts';

export interface StateMachineRegistration {
  /** e.g. 'connection-broker-local-provisioning' */
  name: string;
  /** ASL after DefinitionSubstitutions (JSONPath only). */
  definition: Record<string, unknown>;
  /** Handler per Task state NAME (every Task state, including ones nested in Parallel/Map). */
  taskHandlers: Record<string, TaskHandler>;
  roleArn?: string;
}

export interface RegisteredStateMachine {
  arn: string;
  name: string;
  roleArn: string;
  /** The definition as registered, for DescribeStateMachine. */
  definitionText: string;
  creationDateMs: number;
  plan: LocalPlan;
  /** Original state types by name, for history (Wait states run as Task stand-ins). */
  stateTypes: ReadonlyMap<string, string>;
  taskHandlers: Readonly<Record<string, TaskHandler>>;
}

/**
 * Validates a registration and prepares it to run: ASL validity (the library's asl-validator, with ARN
 * and path checks), JSONPath only, unique state names, a handler for every Task state; then the
 * sandbox-clock rewrite of the definition.
 */
export function prepareStateMachine(registration: StateMachineRegistration, scope: Scope, nowMs: number): RegisteredStateMachine {
  const { name, definition, taskHandlers } = registration;
  if (!isValidResourceName(name)) throw new InvalidDefinitionError(`Invalid state machine name: '${name}'`);
  validateAsl(definition);
  const machine: AslMachine = checkRunnableLocally(definition, new Set(Object.keys(taskHandlers)));
  return {
    arn: stateMachineArn(scope, name),
    name,
    roleArn: registration.roleArn ?? `arn:aws:iam::${scope.accountId}:role/service-role/StepFunctions-${name}-role`,
    definitionText: JSON.stringify(definition),
    creationDateMs: nowMs,
    plan: planLocalRun(structuredClone(machine)),
    stateTypes: new Map(allStates(machine).map(({ name: stateName, state }) => [stateName, state.Type])),
    taskHandlers: { ...taskHandlers },
  };
}

/** The library validates in its constructor; it gets a copy because asl-validator mutates its input. */
function validateAsl(definition: Record<string, unknown>): void {
  try {
    new StateMachine(structuredClone(definition) as unknown as StateMachineDefinition);
  } catch (error) {
    throw new InvalidDefinitionError((error as Error).message);
  }
}
