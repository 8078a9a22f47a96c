import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';

/**
 * What "someone else edited the pipeline" changes when the caller does not say: a variable in the
 * first CodeBuild action's EnvironmentVariables (harmless to the run, visible in GetPipeline), the
 * way a teammate tweaking the build in the console would.
 */

export const EXTERNAL_EDIT_VARIABLE = 'SANDBOX_EXTERNAL_EDIT';

interface CodeBuildVariable {
  name: string;
  value: string;
  type?: string;
}

/** The edited copy and a sentence saying what changed; undefined when there is no CodeBuild action. */
export function harmlessEdit(declaration: PipelineDeclaration, marker: string): { declaration: PipelineDeclaration; change: string } | undefined {
  const edited = structuredClone(declaration);
  for (const stage of edited.stages ?? []) {
    const build = stage.actions?.find(({ actionTypeId }) => actionTypeId?.owner === 'AWS' && actionTypeId.provider === 'CodeBuild');
    if (!build) continue;
    const variables = parseVariables(build.configuration?.EnvironmentVariables).filter(({ name }) => name !== EXTERNAL_EDIT_VARIABLE);
    variables.push({ name: EXTERNAL_EDIT_VARIABLE, value: marker, type: 'PLAINTEXT' });
    build.configuration = { ...build.configuration, EnvironmentVariables: JSON.stringify(variables) };
    const change = `set ${EXTERNAL_EDIT_VARIABLE}=${marker} in the EnvironmentVariables of action '${build.name}' in stage '${stage.name}'`;
    return { declaration: edited, change };
  }
  return undefined;
}

function parseVariables(text: string | undefined): CodeBuildVariable[] {
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? (parsed as CodeBuildVariable[]) : [];
  } catch {
    return [];
  }
}
