import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { maskSecrets } from './declaration.ts';
import { latestStageRun } from './executions.ts';
import type { StoredActionRun, StoredExecution, StoredPipeline } from './state.ts';

/**
 * The JSON shapes operations return, built from stored state. Members follow the model's output
 * shapes exactly; timestamps stay epoch seconds, which is their awsJson wire form.
 */

export function pipelineArn(region: string, accountId: string, name: string): string {
  return `arn:aws:codepipeline:${region}:${accountId}:${name}`;
}

/** A declaration as GetPipeline and friends return it (secrets masked). */
export function declarationView(declaration: PipelineDeclaration): PipelineDeclaration {
  return maskSecrets(declaration);
}

export function pipelineSummary(pipeline: StoredPipeline) {
  const { name, version, pipelineType, executionMode } = pipeline.declaration;
  return { name, version, pipelineType, executionMode, created: pipeline.created, updated: pipeline.updated };
}

/**
 * GetPipelineState: for each stage and action of the current structure, its most recent run,
 * which may belong to an older execution when the latest one stopped before reaching it.
 */
export function pipelineStateView(pipeline: StoredPipeline) {
  const { name, version, stages = [] } = pipeline.declaration;
  return {
    pipelineName: name,
    pipelineVersion: version,
    stageStates: stages.map((stage, index) => {
      const latest = latestStageRun(pipeline, stage.name!);
      return {
        stageName: stage.name,
        ...(index > 0 ? { inboundTransitionState: { enabled: true } } : {}),
        actionStates: (stage.actions ?? []).map((action) => {
          const run = latestActionRun(pipeline, stage.name!, action.name!);
          return { actionName: action.name, ...(run ? { latestExecution: actionExecutionView(run) } : {}) };
        }),
        ...(latest
          ? { latestExecution: { pipelineExecutionId: latest.execution.pipelineExecutionId, status: latest.run.status } }
          : {}),
      };
    }),
    created: pipeline.created,
    updated: pipeline.updated,
  };
}

function latestActionRun(pipeline: StoredPipeline, stageName: string, actionName: string): StoredActionRun | undefined {
  for (const execution of pipeline.executions) {
    const run = execution.stages.find((stage) => stage.stageName === stageName)?.actions.find((action) => action.actionName === actionName);
    if (run) return run;
  }
  return undefined;
}

function actionExecutionView(run: StoredActionRun) {
  return {
    actionExecutionId: run.actionExecutionId,
    status: run.status,
    lastStatusChange: run.lastStatusChange,
    ...(run.errorDetails ? { errorDetails: run.errorDetails } : {}),
  };
}

export function pipelineExecutionView(pipeline: StoredPipeline, execution: StoredExecution) {
  return {
    pipelineName: pipeline.declaration.name,
    pipelineVersion: execution.pipelineVersion,
    pipelineExecutionId: execution.pipelineExecutionId,
    status: execution.status,
    artifactRevisions: [],
    ...(execution.variables ? { variables: execution.variables } : {}),
    trigger: execution.trigger,
    executionMode: execution.executionMode,
    executionType: 'STANDARD',
  };
}

export function executionSummaryView(execution: StoredExecution) {
  return {
    pipelineExecutionId: execution.pipelineExecutionId,
    status: execution.status,
    startTime: execution.startTime,
    lastUpdateTime: execution.lastUpdateTime,
    sourceRevisions: [],
    trigger: execution.trigger,
    executionMode: execution.executionMode,
    executionType: 'STANDARD',
  };
}
