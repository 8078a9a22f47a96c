import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { SourceActionSelectionError } from './errors.ts';

export interface SourceConnectionSettings {
  connectionArn: string;
  fullRepositoryId: string;
  branchName: string;
  outputArtifactFormat: 'CODE_ZIP' | 'CODEBUILD_CLONE_REF';
  detectChanges: boolean;
}

export interface SourceActionLocation {
  stageName: string;
  actionName: string;
}

/**
 * The source action to attach to: the one named, or the pipeline's only source action.
 * Throws SourceActionSelectionError when there is none, or more than one and no name.
 */
export function selectSourceAction(declaration: PipelineDeclaration, actionName?: string): SourceActionLocation {
  const sources = (declaration.stages ?? []).flatMap((stage) =>
    (stage.actions ?? [])
      .filter((action) => action.actionTypeId?.category === 'Source')
      .map((action) => ({ stageName: stage.name!, actionName: action.name! })),
  );
  if (actionName !== undefined) {
    const named = sources.find((source) => source.actionName === actionName);
    if (!named) {
      throw new SourceActionSelectionError(
        `Pipeline ${declaration.name} has no source action named ${actionName}; its source actions are: ${sources.map((s) => s.actionName).join(', ') || 'none'}.`,
      );
    }
    return named;
  }
  if (sources.length === 1) return sources[0]!;
  if (sources.length === 0) throw new SourceActionSelectionError(`Pipeline ${declaration.name} has no source action.`);
  throw new SourceActionSelectionError(
    `Pipeline ${declaration.name} has ${sources.length} source actions (${sources.map((s) => s.actionName).join(', ')}); name one with sourceActionName.`,
  );
}

/**
 * The declaration with the chosen source action turned into a CodeStarSourceConnection action
 * for our connection. The action keeps its name, output artifacts, run order and namespace;
 * everything else in the declaration is left exactly as it was.
 */
export function attachSourceConnection(
  declaration: PipelineDeclaration,
  location: SourceActionLocation,
  settings: SourceConnectionSettings,
): { declaration: PipelineDeclaration; previousAction: ActionDeclaration } {
  const updated = structuredClone(declaration);
  const action = findAction(updated, location);
  const previousAction = structuredClone(action);
  action.actionTypeId = { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' };
  action.configuration = {
    ConnectionArn: settings.connectionArn,
    FullRepositoryId: settings.fullRepositoryId,
    BranchName: settings.branchName,
    OutputArtifactFormat: settings.outputArtifactFormat,
    DetectChanges: String(settings.detectChanges),
  };
  action.inputArtifacts = [];
  return { declaration: updated, previousAction };
}

/** The declaration with the source action put back as it was before we attached. */
export function restoreSourceAction(
  declaration: PipelineDeclaration,
  location: SourceActionLocation,
  previousAction: ActionDeclaration,
): PipelineDeclaration {
  const updated = structuredClone(declaration);
  const stage = updated.stages?.find((candidate) => candidate.name === location.stageName);
  const index = stage?.actions?.findIndex((action) => action.name === location.actionName) ?? -1;
  if (!stage?.actions || index < 0) {
    throw new SourceActionSelectionError(`Pipeline ${declaration.name} no longer has the source action ${location.actionName}.`);
  }
  stage.actions[index] = structuredClone(previousAction);
  return updated;
}

/** Whether the action already points at this connection with these settings (attach is done). */
export function isAttached(declaration: PipelineDeclaration, location: SourceActionLocation, settings: SourceConnectionSettings): boolean {
  const action = findAction(structuredClone(declaration), location);
  return (
    action.actionTypeId?.provider === 'CodeStarSourceConnection' &&
    action.configuration?.ConnectionArn === settings.connectionArn &&
    action.configuration?.FullRepositoryId === settings.fullRepositoryId &&
    action.configuration?.BranchName === settings.branchName
  );
}

function findAction(declaration: PipelineDeclaration, location: SourceActionLocation): ActionDeclaration {
  const stage = declaration.stages?.find((candidate) => candidate.name === location.stageName);
  const action = stage?.actions?.find((candidate) => candidate.name === location.actionName);
  if (!action) throw new SourceActionSelectionError(`Pipeline ${declaration.name} has no action ${location.stageName}/${location.actionName}.`);
  return action;
}
