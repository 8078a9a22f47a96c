import type { ActionDeclaration, ActionTypeId, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
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

/** The only action type that takes a connection (aws-api-facts §4.1). */
export const CONNECTION_SOURCE_TYPE: Readonly<Required<ActionTypeId>> = Object.freeze({
  category: 'Source',
  owner: 'AWS',
  provider: 'CodeStarSourceConnection',
  version: '1',
});

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

/** The configuration a CodeStarSourceConnection action needs for these settings. */
export function connectionConfiguration(settings: SourceConnectionSettings): Record<string, string> {
  return {
    ConnectionArn: settings.connectionArn,
    FullRepositoryId: settings.fullRepositoryId,
    BranchName: settings.branchName,
    OutputArtifactFormat: settings.outputArtifactFormat,
    DetectChanges: String(settings.detectChanges),
  };
}

/**
 * The declaration with the chosen source action turned into a CodeStarSourceConnection action
 * for our connection. The action is edited in place in a copy, so it keeps its name, output
 * artifacts, run order, namespace, Region, timeout and its own role (if it has one) in their
 * original key order; only its type and configuration are replaced, and input artifacts (which a
 * source action cannot have) are emptied. Everything else in the declaration is left as it was.
 */
export function attachSourceConnection(
  declaration: PipelineDeclaration,
  location: SourceActionLocation,
  settings: SourceConnectionSettings,
): { declaration: PipelineDeclaration; previousAction: ActionDeclaration; attachedAction: ActionDeclaration } {
  const updated = structuredClone(declaration);
  const action = findAction(updated, location);
  const previousAction = structuredClone(action);
  action.actionTypeId = { ...CONNECTION_SOURCE_TYPE };
  action.configuration = connectionConfiguration(settings);
  if (action.inputArtifacts !== undefined && action.inputArtifacts.length > 0) action.inputArtifacts = [];
  return { declaration: updated, previousAction, attachedAction: structuredClone(action) };
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

/** Whether the action already is a connection source with exactly these settings (attach is done). */
export function isAttached(declaration: PipelineDeclaration, location: SourceActionLocation, settings: SourceConnectionSettings): boolean {
  const action = findSourceAction(declaration, location);
  if (!action || !isConnectionSource(action)) return false;
  const wanted = connectionConfiguration(settings);
  const actual = action.configuration ?? {};
  // AWS's defaults: CODE_ZIP and DetectChanges true when the keys are left out.
  const effective: Record<string, string> = {
    ...actual,
    OutputArtifactFormat: actual.OutputArtifactFormat ?? 'CODE_ZIP',
    DetectChanges: actual.DetectChanges ?? 'true',
  };
  return Object.entries(wanted).every(([key, value]) => effective[key] === value);
}

/** Whether the action is a connection source that points at this connection (either ARN spelling). */
export function pointsAtConnection(action: ActionDeclaration | undefined, connectionArn: string): boolean {
  if (!action || !isConnectionSource(action)) return false;
  const configured = action.configuration?.ConnectionArn;
  return configured !== undefined && sameConnection(configured, connectionArn);
}

export function isConnectionSource(action: ActionDeclaration): boolean {
  const type = action.actionTypeId;
  return type?.category === 'Source' && type.owner === 'AWS' && type.provider === 'CodeStarSourceConnection';
}

/** The action at the location, or undefined when the stage or action is gone. */
export function findSourceAction(declaration: PipelineDeclaration, location: SourceActionLocation): ActionDeclaration | undefined {
  const stage = declaration.stages?.find((candidate) => candidate.name === location.stageName);
  return stage?.actions?.find((candidate) => candidate.name === location.actionName);
}

/** `arn:aws:codestar-connections:…` and `arn:aws:codeconnections:…` name the same connection. */
export function sameConnection(a: string, b: string): boolean {
  const strip = (arn: string) => arn.replace(/^(arn:[^:]+:)(?:codestar-connections|codeconnections)(:)/, '$1$2');
  return strip(a) === strip(b);
}

function findAction(declaration: PipelineDeclaration, location: SourceActionLocation): ActionDeclaration {
  const action = findSourceAction(declaration, location);
  if (!action) throw new SourceActionSelectionError(`Pipeline ${declaration.name} has no action ${location.stageName}/${location.actionName}.`);
  return action;
}
