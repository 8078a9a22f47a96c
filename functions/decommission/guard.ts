import type { ConnectionRequestRecord, ConnectionUser } from '../request/model.ts';

/**
 * The deletion guard's decision, pure: what uses the connection, and whether the decommission may
 * go ahead. A deleted connection breaks whatever still points at it (and the peers' users learned
 * that the hard way: aws/aws-cdk#16618), so anything using it refuses the decommission, unless the
 * caller asks to detach and the broker can undo what it did for this request: the pipeline source
 * action it attached, whose previous action it recorded, and the Git sync configuration it made
 * (with the repository link it made for it, when nothing else syncs through that link). Another
 * pipeline, another Git sync configuration or repository link, a CodeBuild project's source or a
 * resource share always refuses: the broker did not make them, and does not know what they should
 * use instead.
 */

/** What the guard found using the connection, in the request's account and Region (functions/decommission/connection-users.ts). */
export interface ConnectionUsage {
  /** Source actions naming the connection, by either ARN prefix. */
  pipelineActions: { pipelineName: string; stageName: string; actionName: string }[];
  repositoryLinks: { repositoryLinkId: string; arn?: string; repository?: string }[];
  /** Git sync configurations (CFN_STACK_SYNC) on those links: each keeps a stack in step through the connection. */
  syncConfigurations: { stackName: string; repositoryLinkId: string; repository?: string; branch?: string }[];
  /** Projects whose primary or a secondary source authenticates with the connection (auth CODECONNECTIONS). */
  codeBuildProjects: { name: string; arn: string }[];
  resourceShares: { name: string; arn: string }[];
}

export type GuardDecision =
  | { allowed: true; usedBy: ConnectionUser[]; detachPipelines: string[] }
  | { allowed: false; usedBy: ConnectionUser[]; blocking: ConnectionUser[] };

export function decideDecommission(record: ConnectionRequestRecord, usage: ConnectionUsage, options: { detach: boolean }): GuardDecision {
  const usedBy = connectionUsers(record, usage);
  const blocking = usedBy.filter((user) => !(options.detach && user.restorable === true));
  if (blocking.length > 0) return { allowed: false, usedBy, blocking };
  return { allowed: true, usedBy, detachPipelines: [...new Set(usedBy.filter((user) => user.kind === 'pipeline').map((user) => user.name))] };
}

export function connectionUsers(record: ConnectionRequestRecord, usage: ConnectionUsage): ConnectionUser[] {
  return [
    ...usage.pipelineActions.map(
      (action): ConnectionUser => ({
        kind: 'pipeline',
        name: action.pipelineName,
        where: `${action.stageName}/${action.actionName}`,
        restorable: restorable(record, action),
      }),
    ),
    // A sync configuration first: it must go (or move) before its repository link can.
    ...usage.syncConfigurations.map((sync): ConnectionUser => ({ kind: 'sync-configuration', name: sync.stackName, restorable: ownSyncConfiguration(record, sync) })),
    ...usage.repositoryLinks.map(
      (link): ConnectionUser => ({
        kind: 'repository-link',
        name: link.repository ?? link.repositoryLinkId,
        ...(link.arn ? { arn: link.arn } : {}),
        restorable: ownRepositoryLink(record, link, usage),
      }),
    ),
    ...usage.codeBuildProjects.map((project): ConnectionUser => ({ kind: 'codebuild-project', name: project.name, arn: project.arn })),
    ...usage.resourceShares.map((share): ConnectionUser => ({ kind: 'resource-share', name: share.name, arn: share.arn })),
  ];
}

/**
 * The broker can restore a source action it attached for this request, and recorded as it was
 * before (an action that already used the connection before the broker came has nothing to go
 * back to).
 */
function restorable(record: ConnectionRequestRecord, action: ConnectionUsage['pipelineActions'][number]): boolean {
  const attachment = record.attachment;
  return (
    record.pipeline?.name === action.pipelineName &&
    attachment !== undefined &&
    attachment.stageName === action.stageName &&
    attachment.actionName === action.actionName &&
    attachment.actionChanged !== false &&
    attachment.previousAction !== undefined
  );
}

/** The sync configuration this request's Git sync made (the decommission deletes it as a rollback would; the stack stays). */
function ownSyncConfiguration(record: ConnectionRequestRecord, sync: ConnectionUsage['syncConfigurations'][number]): boolean {
  const state = record.gitSyncState;
  return record.gitSync?.stackName === sync.stackName && state?.syncConfigurationCreated === true && state.repositoryLinkId === sync.repositoryLinkId;
}

/** The repository link this request made, when only this request's sync configuration uses it: the decommission deletes it after that. */
function ownRepositoryLink(record: ConnectionRequestRecord, link: ConnectionUsage['repositoryLinks'][number], usage: ConnectionUsage): boolean {
  const state = record.gitSyncState;
  if (state?.linkCreatedByRequest !== true || state.repositoryLinkId !== link.repositoryLinkId) return false;
  return usage.syncConfigurations.filter((sync) => sync.repositoryLinkId === link.repositoryLinkId).every((sync) => ownSyncConfiguration(record, sync));
}

/** One line per user, for the 409's `errors` and the timeline: what uses it and what the caller can do. */
export function describeUser(user: ConnectionUser): string {
  switch (user.kind) {
    case 'pipeline':
      return user.restorable
        ? `Pipeline ${user.name} uses it in ${user.where}; detach: true restores the source action it had before this request.`
        : `Pipeline ${user.name} uses it in ${user.where}; the broker did not attach it there, so move that action to another connection first.`;
    case 'sync-configuration':
      if (user.restorable) return `This request's Git sync configuration of stack ${user.name} syncs through it; detach: true deletes it (the stack stays).`;
      return (
        `The Git sync configuration of stack ${user.name} syncs through it; delete the sync configuration of stack ${user.name} ` +
        `(DeleteSyncConfiguration; the stack stays), or decommission after moving it to another connection (UpdateRepositoryLink or UpdateSyncConfiguration).`
      );
    case 'repository-link':
      if (user.restorable) return `This request's repository link ${user.name} (Git sync) uses it; detach: true deletes it after its sync configuration.`;
      return `Repository link ${user.name} (Git sync) uses it; delete or move the link first.`;
    case 'codebuild-project':
      return `CodeBuild project ${user.name} uses it as its source; point the project at another connection first.`;
    case 'resource-share':
      return `Resource share ${user.name} shares it with other accounts; take it out of the share first.`;
  }
}
