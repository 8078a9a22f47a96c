import { randomUUID } from 'node:crypto';
import type {
  CreatePipelineInput,
  DeletePipelineInput,
  GetPipelineExecutionInput,
  GetPipelineInput,
  GetPipelineStateInput,
  ListPipelineExecutionsInput,
  ListPipelinesInput,
  PipelineDeclaration,
  RetryStageExecutionInput,
  StartPipelineExecutionInput,
  Tag,
  UpdatePipelineInput,
} from '@aws-sdk/client-codepipeline';
import type { CallContext } from '../../context.ts';
import { AwsServiceError } from '../../errors.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import type { PipelineLookups } from './connection-access.ts';
import { normaliseDeclaration, restoreMaskedSecrets } from './declaration.ts';
import { pipelineErrors } from './errors.ts';
import { retryStage, startExecution, type RunContext } from './executions.ts';
import { pageSizeOf, paginate } from '../pagination.ts';
import { addVersion, newStoredPipeline, stateFor, type CodePipelineState, type StoredExecution, type StoredPipeline } from './state.ts';
import { findStructureProblem } from './structure.ts';
import { declarationView, executionSummaryView, pipelineArn, pipelineExecutionView, pipelineStateView, pipelineSummary } from './views.ts';

const LIST_PIPELINES_PAGE_SIZE = 100;
const LIST_EXECUTIONS_PAGE_SIZE = 100;
const MAX_TAGS = 50;

/** The CodePipeline operations the sandbox serves; the rest of the model answers UnknownOperationException. */
export function pipelineOperations(deps: SandboxDeps, lookups: PipelineLookups): Record<string, OperationHandler> {
  const state = (call: CallContext): CodePipelineState => stateFor(deps.store, call.accountId, call.region);
  const now = () => deps.clock.nowEpochSeconds();
  /** A pipeline is one record: its declaration, versions, runs and request tokens. */
  const changed = (call: CallContext, name: string) => deps.store.markChanged(state(call), 'pipelines', name);

  const existing = (call: CallContext, name: string): StoredPipeline => {
    const pipeline = state(call).pipelines[name];
    if (!pipeline) throw pipelineErrors.pipelineNotFound(call.accountId, name);
    return pipeline;
  };

  const runContext = (call: CallContext, pipeline: StoredPipeline): RunContext => ({
    identity: { accountId: call.accountId, region: call.region, roleArn: pipeline.declaration.roleArn! },
    lookups,
    now: now(),
    newId: randomUUID,
  });

  return {
    CreatePipeline: ({ pipeline, tags }: CreatePipelineInput, call) => {
      const declaration = validatedDeclaration(pipeline!, 1, call.region);
      checkTags(tags);
      const pipelines = state(call).pipelines;
      if (pipelines[declaration.name!]) throw pipelineErrors.pipelineNameInUse(call.accountId, declaration.name!);
      if (Object.keys(pipelines).length >= deps.config.pipelineQuota) throw pipelineErrors.pipelineLimitExceeded(deps.config.pipelineQuota);
      const stored = newStoredPipeline(declaration, tags ?? [], now());
      pipelines[declaration.name!] = stored;
      // AWS starts a new pipeline right away ("CreatePipeline" trigger).
      const trigger = { triggerType: 'CreatePipeline' as const, triggerDetail: callerArn(call) };
      startExecution(stored, runContext(call, stored), trigger, defaultVariables(declaration));
      changed(call, declaration.name!);
      return { pipeline: declarationView(stored.declaration), ...(tags ? { tags } : {}) };
    },

    GetPipeline: ({ name, version }: GetPipelineInput, call) => {
      const pipeline = existing(call, name!);
      const current = pipeline.declaration.version!;
      let declaration = pipeline.declaration;
      if (version !== undefined && version !== current) {
        if (version > current) throw pipelineErrors.pipelineVersionNotFound(name!, version);
        const old = pipeline.history.find((candidate) => candidate.version === version);
        // AWS answers PipelineNotFoundException for versions it no longer keeps (aws/aws-sdk#558).
        if (!old) throw pipelineErrors.pipelineNotFound(call.accountId, name!);
        declaration = old;
      }
      return {
        pipeline: declarationView(declaration),
        metadata: { pipelineArn: pipelineArn(call.region, call.accountId, name!), created: pipeline.created, updated: pipeline.updated },
      };
    },

    UpdatePipeline: ({ pipeline: input }: UpdatePipelineInput, call) => {
      // The model declares no not-found error here, but AWS answers PipelineNotFoundException.
      const pipeline = existing(call, input!.name!);
      const previous = pipeline.declaration;
      const declaration = validatedDeclaration(restoreMaskedSecrets(input!, previous), previous.version! + 1, call.region);
      addVersion(pipeline, declaration, now());
      changed(call, input!.name!);
      return { pipeline: declarationView(pipeline.declaration) };
    },

    ListPipelines: ({ maxResults, nextToken }: ListPipelinesInput, call) => {
      const pipelines = Object.values(state(call).pipelines).sort((a, b) => compare(a.declaration.name!, b.declaration.name!));
      const { page, nextToken: next } = paginate(pipelines, {
        list: 'pipelines',
        keyOf: (pipeline) => pipeline.declaration.name!,
        sortedByKey: true,
        pageSize: pageSizeOf(maxResults, LIST_PIPELINES_PAGE_SIZE),
        nextToken,
        invalidToken: pipelineErrors.invalidNextToken,
      });
      return { pipelines: page.map(pipelineSummary), nextToken: next };
    },

    DeletePipeline: ({ name }: DeletePipelineInput, call) => {
      // Deleting a pipeline that does not exist succeeds (the model declares no not-found error).
      delete state(call).pipelines[name!];
      changed(call, name!);
      return {};
    },

    GetPipelineState: ({ name }: GetPipelineStateInput, call) => pipelineStateView(existing(call, name!)),

    StartPipelineExecution: ({ name, clientRequestToken, variables }: StartPipelineExecutionInput, call) => {
      const pipeline = existing(call, name!);
      const repeated = clientRequestToken === undefined ? undefined : pipeline.requestTokens[clientRequestToken];
      // Marked before the repeat returns too: the store compares one pipeline instead of every slice fetched.
      changed(call, name!);
      if (repeated) return { pipelineExecutionId: repeated };
      const resolved = resolveVariables(pipeline.declaration, variables ?? []);
      const trigger = { triggerType: 'StartPipelineExecution' as const, triggerDetail: callerArn(call) };
      const execution = startExecution(pipeline, runContext(call, pipeline), trigger, resolved);
      if (clientRequestToken !== undefined) pipeline.requestTokens[clientRequestToken] = execution.pipelineExecutionId;
      return { pipelineExecutionId: execution.pipelineExecutionId };
    },

    GetPipelineExecution: ({ pipelineName, pipelineExecutionId }: GetPipelineExecutionInput, call) => {
      const pipeline = existing(call, pipelineName!);
      const execution = pipeline.executions.find((candidate) => candidate.pipelineExecutionId === pipelineExecutionId);
      if (!execution) throw pipelineErrors.executionNotFound(pipelineName!, pipelineExecutionId!);
      return { pipelineExecution: pipelineExecutionView(pipeline, execution) };
    },

    ListPipelineExecutions: ({ pipelineName, maxResults, nextToken, filter }: ListPipelineExecutionsInput, call) => {
      const pipeline = existing(call, pipelineName!);
      const stageName = filter?.succeededInStage?.stageName;
      const executions = stageName
        ? pipeline.executions.filter((execution) => succeededInStage(pipeline, execution, stageName))
        : pipeline.executions;
      const { page, nextToken: next } = paginate(executions, {
        list: `executions:${pipelineName}`,
        keyOf: (execution) => execution.pipelineExecutionId,
        sortedByKey: false,
        pageSize: pageSizeOf(maxResults, LIST_EXECUTIONS_PAGE_SIZE),
        nextToken,
        invalidToken: pipelineErrors.invalidNextToken,
      });
      return { pipelineExecutionSummaries: page.map(executionSummaryView), nextToken: next };
    },

    RetryStageExecution: ({ pipelineName, stageName, pipelineExecutionId, retryMode }: RetryStageExecutionInput, call) => {
      const pipeline = existing(call, pipelineName!);
      const execution = retryStage(pipeline, stageName!, pipelineExecutionId!, retryMode!, runContext(call, pipeline));
      changed(call, pipelineName!);
      return { pipelineExecutionId: execution.pipelineExecutionId };
    },
  };
}

/** Defaults filled in, then the structural rules; the first broken rule is the error. */
export function validatedDeclaration(input: PipelineDeclaration, version: number, region: string): PipelineDeclaration {
  const declaration = normaliseDeclaration(input, version);
  const problem = findStructureProblem(declaration, region);
  if (problem) throw new AwsServiceError(problem.code, problem.message);
  return declaration;
}

function checkTags(tags: Tag[] | undefined): void {
  if (!tags) return;
  if (tags.length > MAX_TAGS) throw pipelineErrors.tooManyTags(MAX_TAGS);
  const keys = new Set<string>();
  for (const { key } of tags) {
    if (key!.toLowerCase().startsWith('aws:')) throw pipelineErrors.invalidTags(`Tag key '${key}' uses the reserved prefix 'aws:'.`);
    if (keys.has(key!)) throw pipelineErrors.invalidTags(`Tag key '${key}' appears more than once.`);
    keys.add(key!);
  }
}

/** Who started a run; the sandbox does not know the caller's principal, so it names the account. */
function callerArn(call: CallContext): string {
  return `arn:aws:iam::${call.accountId}:root`;
}

function defaultVariables(declaration: PipelineDeclaration): StoredExecution['variables'] {
  if (!declaration.variables?.length) return undefined;
  return declaration.variables
    .filter((variable) => variable.defaultValue !== undefined)
    .map(({ name, defaultValue }) => ({ name: name!, resolvedValue: defaultValue! }));
}

/** Values given at start override the declared defaults; an undeclared name is rejected. */
function resolveVariables(declaration: PipelineDeclaration, given: { name?: string; value?: string }[]): StoredExecution['variables'] {
  const declared = new Set((declaration.variables ?? []).map(({ name }) => name!));
  const unknown = given.find(({ name }) => !declared.has(name!));
  if (unknown) {
    throw pipelineErrors.validation(`Pipeline variable '${unknown.name}' is not declared in pipeline '${declaration.name}'.`);
  }
  if (declared.size === 0) return undefined;
  const values = new Map((defaultVariables(declaration) ?? []).map(({ name, resolvedValue }) => [name, resolvedValue]));
  for (const { name, value } of given) values.set(name!, value!);
  const missing = [...declared].find((name) => !values.has(name));
  if (missing) throw pipelineErrors.validation(`Pipeline variable '${missing}' has no default value, so StartPipelineExecution must give one.`);
  return [...values.entries()].map(([name, resolvedValue]) => ({ name, resolvedValue }));
}

function succeededInStage(pipeline: StoredPipeline, execution: StoredExecution, stageName: string): boolean {
  return (
    execution.pipelineVersion === pipeline.declaration.version &&
    execution.stages.some((stage) => stage.stageName === stageName && stage.status === 'Succeeded')
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
