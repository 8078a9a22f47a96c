import type { StageState } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import { codeBuildConsumers } from './codebuild-consumers.ts';
import { chooseFirstRun, firstRunProgress } from './first-run-choice.ts';
import { FIXTURES } from './test-fixtures.ts';

const stage = (status: string | undefined, action?: { status: string; errorDetails?: { code: string; message: string } }, id = 'run-1'): StageState => ({
  stageName: 'Source',
  ...(status ? { latestExecution: { pipelineExecutionId: id, status: status as never } } : {}),
  actionStates: [{ actionName: 'App', ...(action ? { latestExecution: action as never } : {}) }],
});

describe('the first run', () => {
  it('retries a failed source stage, else starts a run, as configured', () => {
    expect(chooseFirstRun('auto', stage('Failed'))).toEqual({ kind: 'retry', pipelineExecutionId: 'run-1' });
    expect(chooseFirstRun('auto', stage('Succeeded'))).toEqual({ kind: 'start' });
    expect(chooseFirstRun('auto', undefined)).toEqual({ kind: 'start' });
    expect(chooseFirstRun('retry-only', stage('Failed'))).toEqual({ kind: 'retry', pipelineExecutionId: 'run-1' });
    expect(chooseFirstRun('retry-only', stage('Succeeded'))).toMatchObject({ kind: 'skip' });
    expect(chooseFirstRun('off', stage('Failed'))).toMatchObject({ kind: 'skip', reason: expect.stringContaining('FIRST_RUN=off') });
  });

  it('judges progress by our source action, following a newer run that superseded ours', () => {
    expect(firstRunProgress(stage('InProgress', { status: 'InProgress' }), 'App', 'run-1')).toEqual({ state: 'in-progress', pipelineExecutionId: 'run-1' });
    expect(firstRunProgress(stage(undefined), 'App', 'run-1')).toEqual({ state: 'in-progress', pipelineExecutionId: 'run-1' });
    expect(firstRunProgress(stage('Succeeded', { status: 'Succeeded' }, 'run-2'), 'App', 'run-1')).toEqual({ state: 'succeeded', pipelineExecutionId: 'run-2' });
    expect(firstRunProgress(stage('Failed', { status: 'Failed', errorDetails: { code: 'JobFailed', message: 'Unable to use Connection' } }), 'App', 'run-1')).toEqual({
      state: 'failed',
      pipelineExecutionId: 'run-1',
      error: 'JobFailed: Unable to use Connection',
    });
    // Another source action of the stage failing is not ours to judge.
    expect(firstRunProgress(stage('Failed', { status: 'Succeeded' }), 'App', 'run-1').state).toBe('succeeded');
  });
});

describe('CodeBuild actions that consume the source artifact (CODEBUILD_CLONE_REF)', () => {
  it('finds every consuming CodeBuild action, with its Region, and says when the project is known only at run time', () => {
    const fanout = FIXTURES.find((fixture) => fixture.declaration.name === 'v2-fanout')!.declaration;
    expect(codeBuildConsumers(fanout, { stageName: 'Source', actionName: 'Repo' })).toEqual([
      { stageName: 'Checks', actionName: 'Lint', projectName: 'lint-project' },
      { stageName: 'Checks', actionName: 'Test', projectName: 'test-project' },
      { stageName: 'Checks', actionName: 'Dynamic', unresolvable: 'ProjectName #{variables.Project} is resolved only when the pipeline runs' },
    ]);
    const crossRegion = FIXTURES.find((fixture) => fixture.declaration.name === 'v2-cross-region')!.declaration;
    expect(codeBuildConsumers(crossRegion, { stageName: 'Source', actionName: 'App' })).toEqual([
      { stageName: 'Build', actionName: 'BuildUs', projectName: 'buildus-project' },
      { stageName: 'Build', actionName: 'BuildEu', projectName: 'buildeu-project', region: 'eu-west-1' },
    ]);
    const multi = FIXTURES.find((fixture) => fixture.declaration.name === 'v2-multi-source')!.declaration;
    expect(codeBuildConsumers(multi, { stageName: 'Sources', actionName: 'BaseImage' }).map((consumer) => consumer.actionName)).toEqual(['Package']);
  });
});
