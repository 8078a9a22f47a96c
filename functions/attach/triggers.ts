import type { GitPullRequestFilter, GitPushFilter, PipelineDeclaration, PipelineTriggerDeclaration } from '@aws-sdk/client-codepipeline';

/**
 * V2 pipeline triggers for the source action we attach (aws-api-facts §4.3, field notes §3 item 20):
 * a trigger names its source action by `sourceActionName`, a pipeline has at most one trigger per
 * source action and at most 50 triggers, and a trigger has at most 3 push and 3 pull-request filters.
 * Triggers exist only on V2 pipelines; adding one to a V1 pipeline would silently make it V2 (a
 * different price), so we refuse instead.
 */

/** What the requester asked for, normalised: the filters of the one trigger for the source action. */
export interface TriggerFilters {
  push?: GitPushFilter[];
  pullRequest?: GitPullRequestFilter[];
}

export const MAX_TRIGGERS_PER_PIPELINE = 50;
export const MAX_FILTERS_PER_EVENT = 3;

export class TriggerNotPossibleError extends Error {
  readonly code = 'TriggerNotPossible';
  constructor(message: string) {
    super(message);
    this.name = 'TriggerNotPossibleError';
  }
}

/** `trigger: true`: start the pipeline on pushes to the attached branch. */
export function branchPushFilters(branchName: string): TriggerFilters {
  return { push: [{ branches: { includes: [branchName] } }] };
}

/** The trigger declaration for the source action. */
export function sourceTrigger(actionName: string, filters: TriggerFilters): PipelineTriggerDeclaration {
  return {
    providerType: 'CodeStarSourceConnection',
    gitConfiguration: {
      sourceActionName: actionName,
      ...(filters.push?.length ? { push: structuredClone(filters.push) } : {}),
      ...(filters.pullRequest?.length ? { pullRequest: structuredClone(filters.pullRequest) } : {}),
    },
  };
}

/** The trigger that names the source action, or null when there is none. */
export function triggerOf(declaration: PipelineDeclaration, actionName: string): PipelineTriggerDeclaration | null {
  return declaration.triggers?.find((trigger) => trigger.gitConfiguration?.sourceActionName === actionName) ?? null;
}

/** Why the trigger cannot be set on this pipeline, or undefined when it can. */
export function triggerProblem(declaration: PipelineDeclaration, actionName: string, filters: TriggerFilters): string | undefined {
  if (declaration.pipelineType !== 'V2') {
    return `Pipeline ${declaration.name} is ${declaration.pipelineType ?? 'V1'}; triggers need a V2 pipeline. Upgrade it first, or leave out pipeline.trigger.`;
  }
  if ((filters.push?.length ?? 0) === 0 && (filters.pullRequest?.length ?? 0) === 0) return 'A trigger needs at least one push or pull-request filter.';
  if ((filters.push?.length ?? 0) > MAX_FILTERS_PER_EVENT || (filters.pullRequest?.length ?? 0) > MAX_FILTERS_PER_EVENT) {
    return `A trigger can have at most ${MAX_FILTERS_PER_EVENT} push and ${MAX_FILTERS_PER_EVENT} pull-request filters.`;
  }
  const others = (declaration.triggers ?? []).filter((trigger) => trigger.gitConfiguration?.sourceActionName !== actionName);
  if (others.length + 1 > MAX_TRIGGERS_PER_PIPELINE) {
    return `Pipeline ${declaration.name} already has ${others.length} triggers for other source actions; a pipeline can have at most ${MAX_TRIGGERS_PER_PIPELINE}.`;
  }
  return undefined;
}

/**
 * The declaration with exactly one trigger for the source action, carrying these filters: an
 * existing trigger for it is replaced where it stands, otherwise one is appended. Triggers of other
 * source actions are not touched. Throws TriggerNotPossibleError when the pipeline cannot have it.
 */
export function setSourceTrigger(declaration: PipelineDeclaration, actionName: string, filters: TriggerFilters): PipelineDeclaration {
  const problem = triggerProblem(declaration, actionName, filters);
  if (problem) throw new TriggerNotPossibleError(problem);
  const updated = structuredClone(declaration);
  const wanted = sourceTrigger(actionName, filters);
  const triggers = updated.triggers ?? [];
  const index = triggers.findIndex((trigger) => trigger.gitConfiguration?.sourceActionName === actionName);
  if (index >= 0) {
    triggers[index] = wanted;
    // A second trigger for the same action is invalid anyway; keep only the one we set.
    updated.triggers = triggers.filter((trigger, position) => position === index || trigger.gitConfiguration?.sourceActionName !== actionName);
  } else {
    updated.triggers = [...triggers, wanted];
  }
  return updated;
}

/**
 * The declaration with the source action's trigger put back: `previous` in place of the current
 * one, or no trigger for the action when there was none before (the `triggers` key goes when the
 * list becomes empty, as it was before we added to it).
 */
export function restoreSourceTrigger(declaration: PipelineDeclaration, actionName: string, previous: PipelineTriggerDeclaration | null): PipelineDeclaration {
  const updated = structuredClone(declaration);
  const triggers = updated.triggers ?? [];
  const index = triggers.findIndex((trigger) => trigger.gitConfiguration?.sourceActionName === actionName);
  if (previous) {
    if (index >= 0) triggers[index] = structuredClone(previous);
    else triggers.push(structuredClone(previous));
    updated.triggers = triggers;
    return updated;
  }
  if (index < 0) return updated;
  const remaining = triggers.filter((_, position) => position !== index);
  if (remaining.length > 0) updated.triggers = remaining;
  else delete updated.triggers;
  return updated;
}
