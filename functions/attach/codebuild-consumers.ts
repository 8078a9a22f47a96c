import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { findSourceAction, type SourceActionLocation } from './source-action.ts';

/**
 * With OutputArtifactFormat CODEBUILD_CLONE_REF the source action hands on a reference, and the
 * CodeBuild project that consumes it clones the repository itself, through the connection, under
 * its own service role (field notes §3 item 14). These are the CodeBuild actions that consume the
 * source action's output artifacts, so their projects' roles need UseConnection as well.
 */

export interface CodeBuildConsumer {
  stageName: string;
  actionName: string;
  /** The project, when the action names it literally. */
  projectName?: string;
  /** Where the project lives when the action runs in another Region. */
  region?: string;
  /** Why the project cannot be known before the run (a `#{variable}` in ProjectName). */
  unresolvable?: string;
}

export function codeBuildConsumers(declaration: PipelineDeclaration, location: SourceActionLocation): CodeBuildConsumer[] {
  const outputs = new Set((findSourceAction(declaration, location)?.outputArtifacts ?? []).map((artifact) => artifact.name));
  if (outputs.size === 0) return [];
  return (declaration.stages ?? []).flatMap((stage) =>
    (stage.actions ?? [])
      .filter((action) => action.actionTypeId?.owner === 'AWS' && action.actionTypeId.provider === 'CodeBuild')
      .filter((action) => (action.inputArtifacts ?? []).some((artifact) => outputs.has(artifact.name)))
      .map((action): CodeBuildConsumer => {
        const consumer: CodeBuildConsumer = { stageName: stage.name!, actionName: action.name!, ...(action.region ? { region: action.region } : {}) };
        const projectName = action.configuration?.ProjectName;
        if (!projectName) return { ...consumer, unresolvable: 'the action names no ProjectName' };
        if (projectName.includes('#{')) return { ...consumer, unresolvable: `ProjectName ${projectName} is resolved only when the pipeline runs` };
        return { ...consumer, projectName };
      }),
  );
}
