import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import validateAsl from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { allStates, jsonataFieldsIn, placeholdersIn } from './asl.ts';
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
});
