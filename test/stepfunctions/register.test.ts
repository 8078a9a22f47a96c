import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import { DEFAULT_CONFIG } from '../../infra/local/sandbox/service.ts';
import { SandboxStore } from '../../infra/local/sandbox/store.ts';
import { allStates } from '../../infra/local/stepfunctions/asl.ts';
import { substituteDefinition } from '../../infra/local/runtime/definition-substitutions.ts';
import { InvalidDefinitionError, LocalStepFunctions, UnmappedTaskStateError } from '../../infra/local/stepfunctions/engine.ts';
import { ACCOUNT, REGION, fixture } from './helpers.ts';
import { loadStateMachine } from '../../statemachines/load.ts';

const noop = async () => ({});

function newEngine(clock = new SandboxClock()): LocalStepFunctions {
  return new LocalStepFunctions({ clock, accountId: ACCOUNT, region: REGION });
}

function registrationError(register: () => unknown): Error {
  try {
    register();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected register to throw');
}

const NESTED = {
  StartAt: 'Fan',
  States: {
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:left', End: true } } },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', End: true } } },
      ],
      Next: 'Each',
    },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Item',
        States: { Item: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'item', 'Payload.$': '$' }, End: true } },
      },
      End: true,
    },
  },
};

describe('register', () => {
  it('returns the state machine ARN', () => {
    const arn = newEngine().register({ name: 'approval-workflow', definition: fixture('approval-workflow.asl.json'), taskHandlers: { CreateHost: noop, CheckHost: noop, RequestApproval: noop } });
    expect(arn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:approval-workflow`);
  });

  it('names every Task state without a handler, nested ones too, with its Resource', () => {
    const error = registrationError(() => newEngine().register({ name: 'nested', definition: NESTED, taskHandlers: {} }));
    expect(error).toBeInstanceOf(UnmappedTaskStateError);
    expect(error.message).toBe(
      "No task handler for Task states 'Left' (arn:aws:lambda:us-east-1:111111111111:function:left), 'Item' (arn:aws:states:::lambda:invoke)",
    );
    expect((error as UnmappedTaskStateError).unmapped.map(({ name }) => name)).toEqual(['Left', 'Item']);
  });

  it('refuses what the library would run differently than AWS: JSONata, variables, duplicate state names', () => {
    const jsonata = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input %}', End: true } } };
    const jsonataError = registrationError(() => newEngine().register({ name: 'jsonata', definition: jsonata, taskHandlers: {} }));
    expect(jsonataError).toBeInstanceOf(InvalidDefinitionError);
    expect(jsonataError.message).toContain('$.QueryLanguage, $.States.P.Output');

    const duplicated = structuredClone(NESTED);
    (duplicated.States.Fan.Branches[1]!.States as Record<string, unknown>) = { Left: { Type: 'Pass', End: true } };
    duplicated.States.Fan.Branches[1]!.StartAt = 'Left';
    const duplicateError = registrationError(() => newEngine().register({ name: 'dup', definition: duplicated, taskHandlers: { Left: noop, Item: noop } }));
    expect(duplicateError).toBeInstanceOf(InvalidDefinitionError);
    expect(duplicateError.message).toContain('DUPLICATE_STATE_NAMES: A state with this name already exists: Left');
  });

  it('reports invalid ASL with the validator’s findings', () => {
    const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Nowhere' } } };
    const error = registrationError(() => newEngine().register({ name: 'broken', definition: broken, taskHandlers: {} }));
    expect(error).toBeInstanceOf(InvalidDefinitionError);
    expect(error.message).toMatch(/MISSING_TRANSITION_TARGET|Nowhere/);
  });

  it('refuses a bad or repeated state machine name', () => {
    const engine = newEngine();
    const definition = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    expect(registrationError(() => engine.register({ name: 'has space', definition, taskHandlers: {} })).message).toBe("Invalid state machine name: 'has space'");
    engine.register({ name: 'once', definition, taskHandlers: {} });
    expect(registrationError(() => engine.register({ name: 'once', definition, taskHandlers: {} })).message).toBe(
      "A state machine named 'once' is already registered",
    );
  });

  it('must share the sandbox clock', () => {
    const deps = { store: new SandboxStore(), clock: new SandboxClock(), config: { ...DEFAULT_CONFIG } };
    expect(() => newEngine().module(deps)).toThrow(/sandbox clock/);
  });

  it('accepts the deployed provisioning definition, with a handler for each of its Task states', () => {
    const asl = loadStateMachine('provisioning');
    const placeholders = [...JSON.stringify(asl).matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1]!);
    const definition = substituteDefinition(
      asl,
      Object.fromEntries(placeholders.map((name) => [name, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:connection-broker-local-${name}`])),
      String,
    );
    const taskStates = allStates(definition as never).filter(({ state }) => state.Type === 'Task').map(({ name }) => name);
    expect(taskStates.length).toBeGreaterThan(0);
    const taskHandlers = Object.fromEntries(taskStates.map((name) => [name, noop]));
    expect(newEngine().register({ name: 'connection-broker-local-provisioning', definition, taskHandlers })).toMatch(/:stateMachine:connection-broker-local-provisioning$/);

    const [missing, ...rest] = taskStates;
    const error = registrationError(() =>
      newEngine().register({ name: 'partial', definition, taskHandlers: Object.fromEntries(rest.map((name) => [name, noop])) }),
    );
    expect(error.message).toContain(`'${missing}'`);
  });
});
