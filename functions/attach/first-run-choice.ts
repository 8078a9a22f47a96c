import type { StageState } from '@aws-sdk/client-codepipeline';

/**
 * The first run after attaching (field notes §3 items 18, 19, 23): a source stage that failed while
 * the connection was PENDING is retried; otherwise a new execution proves the connection works.
 * Pure: decisions from a GetPipelineState stage snapshot.
 */

/** `auto`: retry a failed source stage, else start a run; `retry-only`: never start one; `off`: do nothing. */
export type FirstRunMode = 'auto' | 'retry-only' | 'off';

export const FIRST_RUN_MODES: readonly FirstRunMode[] = ['auto', 'retry-only', 'off'];

export type FirstRunChoice =
  | { kind: 'retry'; pipelineExecutionId: string }
  | { kind: 'start' }
  | { kind: 'skip'; reason: string };

export function chooseFirstRun(mode: FirstRunMode, sourceStage: StageState | undefined): FirstRunChoice {
  if (mode === 'off') return { kind: 'skip', reason: 'the first run is switched off (FIRST_RUN=off)' };
  const latest = sourceStage?.latestExecution;
  if (latest?.status === 'Failed' && latest.pipelineExecutionId) return { kind: 'retry', pipelineExecutionId: latest.pipelineExecutionId };
  if (mode === 'retry-only') return { kind: 'skip', reason: 'the source stage has no failed run to retry (FIRST_RUN=retry-only)' };
  return { kind: 'start' };
}

/** How the run we started or retried is doing, judged by our source action only. */
export type FirstRunProgress =
  | { state: 'succeeded'; pipelineExecutionId: string }
  | { state: 'in-progress'; pipelineExecutionId: string }
  | { state: 'failed'; pipelineExecutionId: string; error: string };

/**
 * `executionId` is the run we started; when the source stage's latest run is another one (a newer
 * run, e.g. from a push, superseded ours), that one tells just as well whether the source works.
 */
export function firstRunProgress(sourceStage: StageState | undefined, actionName: string, executionId: string): FirstRunProgress {
  const latest = sourceStage?.latestExecution;
  const pipelineExecutionId = latest?.pipelineExecutionId ?? executionId;
  if (!latest) return { state: 'in-progress', pipelineExecutionId };
  const action = sourceStage?.actionStates?.find((candidate) => candidate.actionName === actionName)?.latestExecution;
  switch (action?.status) {
    case 'Succeeded':
      return { state: 'succeeded', pipelineExecutionId };
    case 'Failed': {
      const details = action.errorDetails;
      const error = details ? `${details.code ?? 'Failed'}: ${details.message ?? ''}`.trim() : 'the source action failed';
      return { state: 'failed', pipelineExecutionId, error };
    }
    default:
      // InProgress, Abandoned (superseded by a newer run), or not started yet.
      return { state: 'in-progress', pipelineExecutionId };
  }
}
