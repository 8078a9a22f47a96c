import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { loadStateMachine, stateMachineFile, stateMachineSource, STATE_MACHINES } from '../../statemachines/load.ts';
import { allStates, jsonataFieldsIn, placeholdersIn, type AslState } from './asl.ts';
import { stateMachineResources } from './state-machine-resources.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const resources = stateMachineResources(repoRoot);

it('finds the state machine definitions to check, each known to statemachines/load.ts', () => {
  const aslFiles = readdirSync(join(repoRoot, 'statemachines'))
    .filter((file) => /\.asl\.(json|ya?ml)$/.test(file))
    .map((file) => `statemachines/${file}`);
  expect(aslFiles.sort()).toEqual(STATE_MACHINES.map(stateMachineFile).sort());
});

describe.each(STATE_MACHINES)('statemachines/%s.asl.yml', (name) => {
  const aslFile = stateMachineFile(name);
  const definition = loadStateMachine(name);

  it('is valid Amazon States Language', () => {
    const result = validateAsl(structuredClone(definition));
    expect(result.errorsText(), 'asl-validator errors').toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses JSONPath only (no JSONata fields)', () => {
    expect(jsonataFieldsIn(definition)).toEqual([]);
  });

  it('is deployed by exactly one state machine resource', () => {
    const deployers = resources.filter((resource) => resource.definitionFile === aslFile);
    expect(deployers.map((resource) => resource.logicalId)).toHaveLength(1);
  });

  it('has a DefinitionSubstitution for every placeholder, and none stale', () => {
    const deployer = resources.find((resource) => resource.definitionFile === aslFile);
    const substituted = Object.keys(deployer?.substitutions ?? {}).sort();
    expect(substituted, `DefinitionSubstitutions in ${deployer?.sourceFile}`).toEqual(
      [...placeholdersIn(JSON.stringify(definition))].sort(),
    );
  });

  it('retries every Task', () => {
    const tasksWithoutRetry = allStates(definition)
      .filter(([, state]) => state.Type === 'Task')
      .filter(([, state]) => !Array.isArray(state.Retry) || state.Retry.length === 0)
      .map(([path]) => path);
    expect(tasksWithoutRetry).toEqual([]);
  });
});

describe('statemachines/provisioning.asl.yml', () => {
  const definition = loadStateMachine('provisioning');

  it('stays short enough to read as the story (shared policies are YAML anchors, not copies)', () => {
    expect(stateMachineSource('provisioning').split('\n').length).toBeLessThanOrEqual(350);
  });

  it('ends every Task but RollBack with the shared retry policy and the shared catch to RollBack', () => {
    const states = Object.fromEntries(allStates(definition));
    const lastOf = (list: unknown) => (Array.isArray(list) ? (list.at(-1) as Record<string, unknown> | undefined) : undefined);
    // &transient is set in AcquireHost; its own retriers (HostLockBusy...) come before it.
    const transient = lastOf(states.AcquireHost!.Retry) as { ErrorEquals: string[] };
    expect(transient).toMatchObject({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException', 'ThrottlingException']), MaxAttempts: 6 });
    const { ErrorEquals: _errors, ...transientRest } = transient;
    const rollBack = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RollBack' };

    const tasks = allStates(definition).filter(([name, state]) => state.Type === 'Task' && name !== 'RollBack');
    expect(tasks.length).toBeGreaterThan(5);
    const lacking = tasks.flatMap(([name, state]) => {
      const { ErrorEquals = [], ...rest } = (lastOf(state.Retry) ?? {}) as { ErrorEquals?: string[] };
      // AttachPipeline's copy adds the IAM grant's transient errors to the same list.
      const retries = isDeepStrictEqual(rest, transientRest) && transient.ErrorEquals.every((error) => ErrorEquals.includes(error));
      const catches = isDeepStrictEqual(lastOf(state.Catch), rollBack);
      return [...(retries ? [] : [`${name}: Retry must end with the shared policy`]), ...(catches ? [] : [`${name}: Catch must end with the catch-all to RollBack`])];
    });
    expect(lacking).toEqual([]);
    // RollBack is where failures go: it retries everything and catches nothing.
    expect(states.RollBack).toMatchObject({ Retry: [{ ErrorEquals: ['States.ALL'] }] });
    expect(states.RollBack!.Catch).toBeUndefined();
  });

  it("retries Lambda.Unknown wherever it retries Lambda's transient errors", () => {
    const lacking = allStates(definition).flatMap(([path, state]) =>
      ((state.Retry ?? []) as { ErrorEquals: string[] }[])
        .filter((retrier) => retrier.ErrorEquals.includes('Lambda.ServiceException') && !retrier.ErrorEquals.includes('Lambda.Unknown'))
        .map(() => path),
    );
    expect(lacking).toEqual([]);
  });

  it('sends an execution started by a cancel through the wait to RollBack, a shared one to ShareConnection, and every other one to AcquireHost', () => {
    const states = Object.fromEntries(allStates(definition));
    const start = (definition as { StartAt: string }).StartAt;
    expect(states[start]).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.cancel', IsPresent: true, Next: 'CancelRequested' }], Default: 'IsShared' });
    // An execution started before the strategy existed has none: it provisions as before.
    expect(states.IsShared).toMatchObject({
      Type: 'Choice',
      Choices: [{ And: [{ Variable: '$.settings.connectionStrategy', IsPresent: true }, { Variable: '$.settings.connectionStrategy', StringEquals: 'shared' }], Next: 'ShareConnection' }],
      Default: 'AcquireHost',
    });
    expect(states.ShareConnection).toMatchObject({ Type: 'Task', Next: 'IsPipelineRequested' });
    expect(states.CancelRequested).toMatchObject({ Type: 'Pass', InputPath: '$.cancel', ResultPath: '$.error', Next: 'WaitForStoppedSteps' });
    expect(states.WaitForStoppedSteps).toMatchObject({ Type: 'Wait', Next: 'RollBack' });
    // RollBack learns which execution calls it, to leave a cancelled request to the cancel's execution.
    expect(states.RollBack).toMatchObject({ Parameters: { 'requestId.$': '$.requestId', 'error.$': '$.error', 'executionArn.$': '$$.Execution.Id' } });
  });

  it('has no loop: a request costs the same transitions however long a person takes', () => {
    const states = Object.fromEntries(allStates(definition));
    const successors = (state: AslState): string[] => [
      ...(typeof state.Next === 'string' ? [state.Next] : []),
      ...(typeof state.Default === 'string' ? [state.Default] : []),
      ...((state.Choices ?? []) as { Next: string }[]).map((choice) => choice.Next),
      ...((state.Catch ?? []) as { Next: string }[]).map((catcher) => catcher.Next),
    ];
    const looping = Object.keys(states).filter((start) => {
      const seen = new Set<string>();
      const next = [...successors(states[start]!)];
      while (next.length > 0) {
        const name = next.pop()!;
        if (name === start) return true;
        if (seen.has(name)) continue;
        seen.add(name);
        next.push(...successors(states[name]!));
      }
      return false;
    });
    expect(looping).toEqual([]);
    // The only Wait is the cancel's pause before its rollback; nothing polls for a person.
    expect(Object.entries(states).filter(([, state]) => state.Type === 'Wait').map(([name]) => name)).toEqual(['WaitForStoppedSteps']);
  });

  it('waits for each person in one callback state, bounded by the deadline the request was started with', () => {
    const states = Object.fromEntries(allStates(definition));
    expect(states.IsHostAvailable).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.host.status', StringEquals: 'AVAILABLE', Next: 'CreateConnection' }], Default: 'AwaitHostSetup' });
    expect(states.AwaitHostSetup).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${AwaitHostSetupFunctionArn}', Payload: { 'requestId.$': '$.requestId', 'host.$': '$.host', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.settings.hostSetupTimeoutSeconds',
      Next: 'CreateConnection',
    });
    // The host wait's timeout reads as its own, then rolls back; any other failure (AWS's reason from the watcher) rolls back as it is.
    expect(states.AwaitHostSetup!.Catch).toEqual([
      { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'HostSetupTimedOut' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RollBack' },
    ]);
    expect(states.HostSetupTimedOut).toMatchObject({ Type: 'Pass', Result: { Error: 'HostSetupTimedOut' }, ResultPath: '$.error', Next: 'RollBack' });

    expect(states.CreateConnection).toMatchObject({ Next: 'AwaitHandshake' });
    expect(states.AwaitHandshake).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: '${RequestApprovalFunctionArn}', Payload: { 'requestId.$': '$.requestId', 'taskToken.$': '$$.Task.Token' } },
      TimeoutSecondsPath: '$.settings.approvalTimeoutSeconds',
      Next: 'VerifyConnection',
    });
    expect(states.AwaitHandshake!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RollBack' }]);
  });
});
