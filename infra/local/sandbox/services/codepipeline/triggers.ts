import type { GitPullRequestFilter, GitPushFilter, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { isConnectionSourceAction } from './declaration.ts';
import type { StructureProblem } from './structure.ts';

/**
 * V2 trigger rules (user guide "Add trigger with code push or pull request event types").
 * Triggers make a pipeline V2 (see `usesV2OnlyFeatures`), so there is no V1 case to reject. The
 * model already bounds the lists (≤ 3 push and ≤ 3 pull-request filters, 1..8 patterns per list);
 * what it cannot express is checked here.
 */

const structure = (message: string): StructureProblem => ({ code: 'InvalidStructureException', message });

/** AWS's own wording for the two most common mistakes (quoted in aws/aws-cdk#28694). */
const AWS_TRIGGER_RULE =
  'Triggers for connection must reference a CodeStarSourceConnection action. Note that when you specify a trigger, you cant specify more than one trigger per source action.';

export function triggerProblem(declaration: PipelineDeclaration): StructureProblem | undefined {
  const triggers = declaration.triggers ?? [];
  const connectionSources = new Set(
    (declaration.stages?.[0]?.actions ?? []).filter(isConnectionSourceAction).map((action) => action.name!),
  );
  const seen = new Set<string>();
  for (const [index, trigger] of triggers.entries()) {
    const label = `Trigger ${index + 1}`;
    const sourceActionName = trigger.gitConfiguration!.sourceActionName!;
    if (!connectionSources.has(sourceActionName)) {
      return structure(`${label} names source action '${sourceActionName}', which is not a CodeStarSourceConnection source action of this pipeline. ${AWS_TRIGGER_RULE}`);
    }
    if (seen.has(sourceActionName)) {
      return structure(`More than one trigger names source action '${sourceActionName}'. ${AWS_TRIGGER_RULE}`);
    }
    seen.add(sourceActionName);
    const { push = [], pullRequest = [] } = trigger.gitConfiguration!;
    const filterProblem =
      push.map((filter, filterIndex) => pushFilterProblem(filter, `${label} push filter ${filterIndex + 1}`)).find(Boolean) ??
      pullRequest.map((filter, filterIndex) => pullRequestFilterProblem(filter, `${label} pullRequest filter ${filterIndex + 1}`)).find(Boolean);
    if (filterProblem) return structure(filterProblem);
  }
  return undefined;
}

/** Valid push filters: tags; branches; branches + filePaths. */
function pushFilterProblem(filter: GitPushFilter, label: string): string | undefined {
  if (filter.tags && (filter.branches || filter.filePaths)) {
    return `${label} combines tags with branches or filePaths; a push filter uses either tags, or branches (optionally with filePaths).`;
  }
  if (!filter.tags && !filter.branches) {
    return `${label} must specify tags or branches${filter.filePaths ? ' (filePaths can only be used together with branches)' : ''}.`;
  }
  return emptyCriteriaProblem(label, { tags: filter.tags, branches: filter.branches, filePaths: filter.filePaths });
}

/** Valid pull-request filters: branches, optionally with filePaths; events default to all three. */
function pullRequestFilterProblem(filter: GitPullRequestFilter, label: string): string | undefined {
  if (!filter.branches) return `${label} must specify branches (optionally with filePaths).`;
  return emptyCriteriaProblem(label, { branches: filter.branches, filePaths: filter.filePaths });
}

function emptyCriteriaProblem(label: string, criteria: Record<string, { includes?: string[]; excludes?: string[] } | undefined>): string | undefined {
  for (const [name, value] of Object.entries(criteria)) {
    if (value && !value.includes && !value.excludes) return `${label} ${name} must have includes or excludes.`;
  }
  return undefined;
}
