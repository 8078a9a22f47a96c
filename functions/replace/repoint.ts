import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { CONNECTION_SOURCE_TYPE, sameConnection } from '../attach/source-action.ts';

/** One source action a replacement moves, as `Stage/Action`, with its artifact format (which decides who needs UseConnection). */
export interface RepointedAction {
  stageName: string;
  actionName: string;
  outputArtifactFormat: 'CODE_ZIP' | 'CODEBUILD_CLONE_REF';
}

/**
 * The pipeline with every source action that uses `from` (by either ARN prefix) pointed at `to`,
 * and nothing else changed; undefined when no action uses it. Pure: the replacement's repoint and
 * its rollback (the same call, `from` and `to` swapped) are this one function.
 */
/** Whether a pipeline action is a connection source naming `connectionArn` (by either ARN prefix). */
export function usesConnection(action: ActionDeclaration, connectionArn: string): boolean {
  const arn = action.configuration?.ConnectionArn;
  return action.actionTypeId?.provider === CONNECTION_SOURCE_TYPE.provider && arn !== undefined && sameConnection(arn, connectionArn);
}

export function planRepoint(declaration: PipelineDeclaration, from: string, to: string): { declaration?: PipelineDeclaration; actions: RepointedAction[] } {
  const actions: RepointedAction[] = [];
  const stages = (declaration.stages ?? []).map((stage) => ({
    ...stage,
    actions: (stage.actions ?? []).map((action) => {
      if (!usesConnection(action, from)) return action;
      actions.push({
        stageName: stage.name!,
        actionName: action.name!,
        outputArtifactFormat: action.configuration?.OutputArtifactFormat === 'CODEBUILD_CLONE_REF' ? 'CODEBUILD_CLONE_REF' : 'CODE_ZIP',
      });
      return { ...action, configuration: { ...action.configuration, ConnectionArn: to } };
    }),
  }));
  return actions.length > 0 ? { declaration: { ...declaration, stages }, actions } : { actions };
}
