import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { allStates, jsonataFieldsIn, placeholdersIn, type AslState } from './asl.ts';
import { stateMachineResources } from './state-machine-resources.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const aslFiles = readdirSync(join(repoRoot, 'statemachines'))
  .filter((file) => file.endsWith('.asl.json'))
  .map((file) => `statemachines/${file}`);
const resources = stateMachineResources(repoRoot);

it('finds the state machine definitions to check', () => {
  expect(aslFiles.length).toBeGreaterThan(0);
});

describe.each(aslFiles)('%s', (aslFile) => {
  const text = readFileSync(join(repoRoot, aslFile), 'utf8');
  const definition: unknown = JSON.parse(text);

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
      [...placeholdersIn(text)].sort(),
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

describe('statemachines/provisioning.asl.json', () => {
  const definition: unknown = JSON.parse(readFileSync(join(repoRoot, 'statemachines/provisioning.asl.json'), 'utf8'));

  it("retries Lambda.Unknown wherever it retries Lambda's transient errors", () => {
    const lacking = allStates(definition).flatMap(([path, state]) =>
      ((state.Retry ?? []) as { ErrorEquals: string[] }[])
        .filter((retrier) => retrier.ErrorEquals.includes('Lambda.ServiceException') && !retrier.ErrorEquals.includes('Lambda.Unknown'))
        .map(() => path),
    );
    expect(lacking).toEqual([]);
  });

  it('sends an execution started by a cancel through the wait to RollBack, and every other one to AcquireHost', () => {
    const states = Object.fromEntries(allStates(definition));
    const start = (definition as { StartAt: string }).StartAt;
    expect(states[start]).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.cancel', IsPresent: true, Next: 'CancelRequested' }], Default: 'AcquireHost' });
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
      { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'HostSetupTimedOut' },
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
