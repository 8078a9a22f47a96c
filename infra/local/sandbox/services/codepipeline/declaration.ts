import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';

/**
 * Pure helpers that shape a pipeline declaration the way AWS stores and returns it.
 */

/** AWS returns masked secrets in GetPipeline; the GitHub (version 1) OAuth token is the one in use. */
export const SECRET_MASK = '****';

const SECRET_CONFIGURATION_KEYS: Record<string, string[]> = {
  'ThirdParty/GitHub': ['OAuthToken'],
};

/**
 * "Including V2 parameters ... in the pipeline JSON when creating or updating a pipeline will result
 * in the pipeline having the V2 type" (CodePipeline user guide): triggers, pipeline variables, the
 * QUEUED/PARALLEL execution modes and stage conditions only exist on V2 pipelines.
 */
export function usesV2OnlyFeatures(declaration: PipelineDeclaration): boolean {
  if ((declaration.triggers?.length ?? 0) > 0) return true;
  if ((declaration.variables?.length ?? 0) > 0) return true;
  if (declaration.executionMode === 'QUEUED' || declaration.executionMode === 'PARALLEL') return true;
  return (declaration.stages ?? []).some((stage) => stage.beforeEntry || stage.onSuccess || stage.onFailure);
}

/**
 * The declaration as AWS stores it: a deep copy with AWS's defaults filled in (runOrder 1, empty
 * artifact lists, SUPERSEDED, V1) and the V2 promotion applied. `version` is set by the caller.
 */
export function normaliseDeclaration(input: PipelineDeclaration, version: number): PipelineDeclaration {
  const declaration = structuredClone(input);
  const pipelineType = usesV2OnlyFeatures(declaration) ? 'V2' : (declaration.pipelineType ?? 'V1');
  return {
    ...declaration,
    stages: (declaration.stages ?? []).map((stage) => ({
      ...stage,
      actions: (stage.actions ?? []).map((action) => ({
        ...action,
        runOrder: action.runOrder ?? 1,
        inputArtifacts: action.inputArtifacts ?? [],
        outputArtifacts: action.outputArtifacts ?? [],
      })),
    })),
    version,
    executionMode: declaration.executionMode ?? 'SUPERSEDED',
    pipelineType,
  };
}

function secretKeysOf(action: ActionDeclaration): string[] {
  const type = action.actionTypeId;
  return type ? (SECRET_CONFIGURATION_KEYS[`${type.owner}/${type.provider}`] ?? []) : [];
}

/** The declaration as GetPipeline shows it: secret configuration values replaced by `****`. */
export function maskSecrets(declaration: PipelineDeclaration): PipelineDeclaration {
  const masked = structuredClone(declaration);
  for (const stage of masked.stages ?? []) {
    for (const action of stage.actions ?? []) {
      for (const key of secretKeysOf(action)) {
        if (action.configuration?.[key] !== undefined) action.configuration[key] = SECRET_MASK;
      }
    }
  }
  return masked;
}

/**
 * A caller that read the pipeline got `****` back for secrets and sends it again on update; AWS
 * keeps the stored value for the same stage and action (a renamed one must send the real value).
 */
export function restoreMaskedSecrets(next: PipelineDeclaration, previous: PipelineDeclaration): PipelineDeclaration {
  const restored = structuredClone(next);
  for (const stage of restored.stages ?? []) {
    const previousStage = previous.stages?.find((candidate) => candidate.name === stage.name);
    for (const action of stage.actions ?? []) {
      const previousAction = previousStage?.actions?.find((candidate) => candidate.name === action.name);
      for (const key of secretKeysOf(action)) {
        const stored = previousAction?.configuration?.[key];
        if (action.configuration?.[key] === SECRET_MASK && stored !== undefined) action.configuration[key] = stored;
      }
    }
  }
  return restored;
}

/** Every action with the stage it belongs to, in pipeline order. */
export function actionsWithStages(declaration: PipelineDeclaration): { stageName: string; stageIndex: number; action: ActionDeclaration }[] {
  return (declaration.stages ?? []).flatMap((stage, stageIndex) =>
    (stage.actions ?? []).map((action) => ({ stageName: stage.name ?? '', stageIndex, action })),
  );
}

export function isSourceAction(action: ActionDeclaration): boolean {
  return action.actionTypeId?.category === 'Source';
}

export function isConnectionSourceAction(action: ActionDeclaration): boolean {
  const type = action.actionTypeId;
  return type?.category === 'Source' && type.owner === 'AWS' && type.provider === 'CodeStarSourceConnection';
}
