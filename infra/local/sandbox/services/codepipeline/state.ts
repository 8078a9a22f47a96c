import type { ExecutionMode, PipelineDeclaration, Tag, TriggerType } from '@aws-sdk/client-codepipeline';
import type { SandboxStore } from '../../store.ts';

/**
 * What the sandbox keeps for CodePipeline in one account and Region. Everything is plain JSON
 * (timestamps are epoch seconds) so that the store can persist it as is.
 */
export interface CodePipelineState {
  pipelines: Record<string, StoredPipeline>;
}

export interface StoredPipeline {
  /** The current declaration, normalised: defaults filled in, `version` set, secrets unmasked. */
  declaration: PipelineDeclaration;
  /** Earlier declarations, oldest first; with the current one they are the last VERSIONS_KEPT versions. */
  history: PipelineDeclaration[];
  created: number;
  updated: number;
  tags: Tag[];
  /** Runs, newest first. */
  executions: StoredExecution[];
  /** StartPipelineExecution clientRequestToken → the execution it started (idempotency). */
  requestTokens: Record<string, string>;
}

export type RunStatus = 'Succeeded' | 'Failed';

export interface StoredErrorDetails {
  code: string;
  message: string;
}

export interface StoredActionRun {
  actionName: string;
  actionExecutionId: string;
  status: RunStatus;
  lastStatusChange: number;
  errorDetails?: StoredErrorDetails;
}

export interface StoredStageRun {
  stageName: string;
  status: RunStatus;
  /** Only the actions that ran; a later run-order group does not start once an earlier one failed. */
  actions: StoredActionRun[];
}

export interface StoredExecution {
  pipelineExecutionId: string;
  pipelineVersion: number;
  status: RunStatus;
  startTime: number;
  lastUpdateTime: number;
  trigger: { triggerType: TriggerType; triggerDetail: string };
  executionMode: ExecutionMode;
  /** Resolved pipeline variables (V2 pipelines only). */
  variables?: { name: string; resolvedValue: string }[];
  /** The stages that ran, in pipeline order; the run stops at the first failed stage. */
  stages: StoredStageRun[];
}

/** GetPipeline(version) answers for at least this many recent versions (AWS keeps about 10). */
export const VERSIONS_KEPT = 10;

/** Runs kept per pipeline; AWS keeps 12 months of history, the sandbox bounds its store instead. */
export const EXECUTIONS_KEPT = 1000;

export const SLICE = 'codepipeline';

export function stateFor(store: SandboxStore, accountId: string, region: string): CodePipelineState {
  return store.slice<CodePipelineState>(SLICE, [accountId, region], () => ({ pipelines: {} }));
}

export function newStoredPipeline(declaration: PipelineDeclaration, tags: Tag[], now: number): StoredPipeline {
  return { declaration, history: [], created: now, updated: now, tags, executions: [], requestTokens: {} };
}

/** Makes `declaration` (already at the next version) current and keeps the one it replaces. */
export function addVersion(pipeline: StoredPipeline, declaration: PipelineDeclaration, now: number): void {
  pipeline.history = [...pipeline.history, pipeline.declaration].slice(-(VERSIONS_KEPT - 1));
  pipeline.declaration = declaration;
  pipeline.updated = now;
}
