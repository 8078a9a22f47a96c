import type { ActionDeclaration, PipelineDeclaration, StageDeclaration, StageRetryMode, TriggerType } from '@aws-sdk/client-codepipeline';
import { isConnectionSourceAction } from './declaration.ts';
import { cloneRefFailure, connectionUseFailure, type PipelineLookups, type RunIdentity } from './connection-access.ts';
import { pipelineErrors } from './errors.ts';
import { EXECUTIONS_KEPT, type StoredActionRun, type StoredExecution, type StoredPipeline, type StoredStageRun } from './state.ts';

/**
 * Pipeline runs. The sandbox has no workers, so a run completes within the call that starts it:
 * each action succeeds at once, except a CodeStarSourceConnection source action, which fails unless
 * the pipeline role may use the connection and the connection is AVAILABLE (read from the
 * CodeStar Connections and IAM services at that moment). A run stops at its first failed stage.
 */

export interface RunContext {
  identity: RunIdentity;
  lookups: PipelineLookups;
  now: number;
  newId: () => string;
}

export function startExecution(
  pipeline: StoredPipeline,
  context: RunContext,
  trigger: { triggerType: TriggerType; triggerDetail: string },
  variables?: StoredExecution['variables'],
): StoredExecution {
  const declaration = pipeline.declaration;
  const execution: StoredExecution = {
    pipelineExecutionId: context.newId(),
    pipelineVersion: declaration.version!,
    status: 'Succeeded',
    startTime: context.now,
    lastUpdateTime: context.now,
    trigger,
    executionMode: declaration.executionMode ?? 'SUPERSEDED',
    ...(variables ? { variables } : {}),
    stages: [],
  };
  runStagesFrom(execution, declaration, 0, context);
  pipeline.executions.unshift(execution);
  forgetOldExecutions(pipeline);
  return execution;
}

/**
 * RetryStageExecution: only the latest run of a failed stage can be retried, and only while the
 * pipeline still has the structure that run used. The stage runs again with today's connection and
 * IAM state and, if it succeeds, the run carries on with the later stages.
 */
export function retryStage(
  pipeline: StoredPipeline,
  stageName: string,
  executionId: string,
  mode: StageRetryMode,
  context: RunContext,
): StoredExecution {
  const declaration = pipeline.declaration;
  const name = declaration.name!;
  const stageIndex = declaration.stages!.findIndex((stage) => stage.name === stageName);
  if (stageIndex < 0) throw pipelineErrors.stageNotFound(name, stageName);
  const execution = pipeline.executions.find((candidate) => candidate.pipelineExecutionId === executionId);
  if (!execution) throw pipelineErrors.executionNotFound(name, executionId);
  const latest = latestStageRun(pipeline, stageName);
  if (!latest) throw pipelineErrors.stageNotRetryable(`Stage '${stageName}' has not run, so there is nothing to retry.`);
  if (latest.execution.pipelineExecutionId !== executionId) {
    throw pipelineErrors.notLatestExecution(stageName, executionId, latest.execution.pipelineExecutionId);
  }
  if (latest.run.status !== 'Failed') {
    throw pipelineErrors.stageNotRetryable(`Stage '${stageName}' of execution '${executionId}' is ${latest.run.status}; only a failed stage can be retried.`);
  }
  if (execution.pipelineVersion !== declaration.version) {
    throw pipelineErrors.stageNotRetryable(
      `The pipeline structure changed (version ${execution.pipelineVersion} → ${declaration.version}) after execution '${executionId}' started; start a new execution instead.`,
    );
  }
  runStagesFrom(execution, declaration, stageIndex, context, { mode, previous: latest.run });
  return execution;
}

/** The most recent run of a stage, and the execution it belongs to. */
export function latestStageRun(pipeline: StoredPipeline, stageName: string): { execution: StoredExecution; run: StoredStageRun } | undefined {
  for (const execution of pipeline.executions) {
    const run = execution.stages.find((candidate) => candidate.stageName === stageName);
    if (run) return { execution, run };
  }
  return undefined;
}

function runStagesFrom(
  execution: StoredExecution,
  declaration: PipelineDeclaration,
  fromIndex: number,
  context: RunContext,
  retry?: { mode: StageRetryMode; previous: StoredStageRun },
): void {
  const stages = declaration.stages!;
  const cloneRefs = cloneRefArtifacts(declaration);
  execution.stages = execution.stages.slice(0, fromIndex);
  execution.status = 'Succeeded';
  for (let index = fromIndex; index < stages.length; index += 1) {
    const run = runStage(stages[index]!, { ...context, cloneRefs }, index === fromIndex ? retry : undefined);
    execution.stages.push(run);
    if (run.status === 'Failed') {
      execution.status = 'Failed';
      break;
    }
  }
  execution.lastUpdateTime = context.now;
}

/** Output artifacts of connection source actions that hand on a clone reference, with their connection. */
function cloneRefArtifacts(declaration: PipelineDeclaration): Map<string, string> {
  const refs = new Map<string, string>();
  for (const action of (declaration.stages ?? []).flatMap((stage) => stage.actions ?? [])) {
    if (!isConnectionSourceAction(action) || action.configuration?.OutputArtifactFormat !== 'CODEBUILD_CLONE_REF') continue;
    for (const { name } of action.outputArtifacts ?? []) refs.set(name!, action.configuration.ConnectionArn ?? '');
  }
  return refs;
}

type StageRunContext = RunContext & { cloneRefs: Map<string, string> };

/** Actions run in runOrder groups; a group starts only when every earlier group succeeded. */
function runStage(stage: StageDeclaration, context: StageRunContext, retry?: { mode: StageRetryMode; previous: StoredStageRun }): StoredStageRun {
  const keep = new Map(
    retry?.mode === 'FAILED_ACTIONS'
      ? retry.previous.actions.filter(({ status }) => status === 'Succeeded').map((run) => [run.actionName, run] as const)
      : [],
  );
  const actions = stage.actions ?? [];
  const runOrders = [...new Set(actions.map((action) => action.runOrder ?? 1))].sort((a, b) => a - b);
  const runs: StoredActionRun[] = [];
  for (const runOrder of runOrders) {
    const group = actions.filter((action) => (action.runOrder ?? 1) === runOrder);
    const groupRuns = group.map((action) => keep.get(action.name!) ?? runAction(action, context));
    runs.push(...groupRuns);
    if (groupRuns.some(({ status }) => status === 'Failed')) break;
  }
  const succeeded = runs.length === actions.length && runs.every(({ status }) => status === 'Succeeded');
  return { stageName: stage.name!, status: succeeded ? 'Succeeded' : 'Failed', actions: runs };
}

function runAction(action: ActionDeclaration, context: StageRunContext): StoredActionRun {
  const failure = isConnectionSourceAction(action)
    ? // An action with its own role runs as that role, not the pipeline's.
      connectionUseFailure(
        action.configuration?.ConnectionArn ?? '',
        { ...context.identity, roleArn: action.roleArn ?? context.identity.roleArn },
        context.lookups,
        { fullRepositoryId: action.configuration?.FullRepositoryId, branchName: action.configuration?.BranchName },
      )
    : cloneFailure(action, context);
  return {
    actionName: action.name!,
    actionExecutionId: context.newId(),
    status: failure ? 'Failed' : 'Succeeded',
    lastStatusChange: context.now,
    ...(failure ? { errorDetails: failure } : {}),
  };
}

/** A CodeBuild action that consumes a clone reference clones through the connection as its project's role. */
function cloneFailure(action: ActionDeclaration, context: StageRunContext): StoredActionRun['errorDetails'] {
  if (action.actionTypeId?.owner !== 'AWS' || action.actionTypeId.provider !== 'CodeBuild') return undefined;
  const connectionArn = (action.inputArtifacts ?? []).map(({ name }) => context.cloneRefs.get(name!)).find((arn) => arn !== undefined);
  if (connectionArn === undefined) return undefined;
  return cloneRefFailure(action.configuration?.ProjectName ?? '', connectionArn, context.identity, context.lookups);
}

function forgetOldExecutions(pipeline: StoredPipeline): void {
  const dropped = new Set(pipeline.executions.splice(EXECUTIONS_KEPT).map(({ pipelineExecutionId }) => pipelineExecutionId));
  if (dropped.size === 0) return;
  for (const [token, executionId] of Object.entries(pipeline.requestTokens)) {
    if (dropped.has(executionId)) delete pipeline.requestTokens[token];
  }
}
