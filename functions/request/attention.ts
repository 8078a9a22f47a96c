import { roleConsoleUrl } from './console-links.ts';
import type { ConnectionRequestRecord, PermissionFinding } from './model.ts';
import { missingPermissionsAsk, type NextActionActor, type NextActionSettings } from './next-action.ts';

/**
 * What a finished request still needs before its pipeline can use the connection: the request view's
 * `attention`, and the list the requester's final Slack message names. A pure function of the
 * record: empty unless the request is COMPLETED with actions left (a role that lacks UseConnection
 * or does not exist, a first run that did not fetch the source).
 */
export interface AttentionItem {
  kind: 'pipeline-permissions' | 'first-run';
  actor: NextActionActor;
  /** One sentence: what is wrong and who must do what (nextAction's words). */
  message: string;
  /** The console page where it is done, when there is one. */
  actionUrl?: string;
}

export function attentionItems(record: ConnectionRequestRecord, settings: Pick<NextActionSettings, 'grantMode'>): AttentionItem[] {
  if (record.status !== 'COMPLETED') return [];
  const items = (record.permissionFindings ?? []).map((finding) => permissionItem(finding, settings));
  const run = firstRunItem(record);
  return run ? [...items, run] : items;
}

function permissionItem(finding: PermissionFinding, settings: Pick<NextActionSettings, 'grantMode'>): AttentionItem {
  // nextAction's words for the same step, one finding at a time.
  const { actor, message } = missingPermissionsAsk([finding], settings.grantMode);
  const actionUrl = linkTo(finding.roleArn);
  return { kind: 'pipeline-permissions', actor, message, ...(actionUrl ? { actionUrl } : {}) };
}

/** A first run that was switched off (FIRST_RUN=…) is a choice, not an action left. */
function firstRunItem(record: ConnectionRequestRecord): AttentionItem | undefined {
  const run = record.firstRun;
  const pipeline = record.pipeline?.name ?? 'the pipeline';
  if (!run || run.status === 'SUCCEEDED') return undefined;
  if (run.status === 'SKIPPED') {
    if (run.reason?.includes('FIRST_RUN=')) return undefined;
    return {
      kind: 'first-run',
      actor: 'requester',
      message: `Pipeline ${pipeline} was not run (${run.reason ?? 'no reason recorded'}): the requester must run it once the above is fixed, to check its source fetches.`,
    };
  }
  return {
    kind: 'first-run',
    actor: 'requester',
    message: `The first run of pipeline ${pipeline}${run.pipelineExecutionId ? ` (execution ${run.pipelineExecutionId})` : ''} had not fetched the source when the request ended${run.lastError ? ` (${run.lastError})` : ''}: the requester must check that it does.`,
  };
}

function linkTo(arn: string): string | undefined {
  try {
    return roleConsoleUrl(arn);
  } catch {
    return undefined;
  }
}
