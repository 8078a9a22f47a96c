/**
 * Git sync (CloudFormation stacks kept in step with a repository through a connection): sync
 * configurations that are blocked or failing, or whose stack is gone, and repository links nothing
 * syncs through. Whether a stack exists is CloudFormation's to say (collect/stacks.ts asks
 * DescribeStacks), not Git sync's: its sync status tells of attempts, and none comes until a commit.
 */
import { isTerminal, type ConnectionRequestRecord } from '../../request/model.ts';
import type { AuditContext, Finding, Inventory, RepositoryLinkFacts, SyncConfigurationFacts } from '../model.ts';
import { sameResource } from '../resource-key.ts';
import { earliest, hoursSince } from './age.ts';
import { gitSyncLink } from './links.ts';

/**
 * The request whose Git sync a stack's sync configuration is: one naming the stack whose record
 * names the same repository link or connection (a request that only asked for the stack name made
 * nothing there), preferably the link, then one still in use (not rolled back), then the newest.
 */
export function requestForStack(
  sync: Pick<SyncConfigurationFacts, 'stackName' | 'repositoryLinkId'>,
  connectionArn: string | undefined,
  records: readonly ConnectionRequestRecord[],
): ConnectionRequestRecord | undefined {
  const sameLink = (record: ConnectionRequestRecord) => record.gitSyncState?.repositoryLinkId === sync.repositoryLinkId;
  const rank = (record: ConnectionRequestRecord) => (sameLink(record) ? 2 : 0) + (inUse(record) ? 1 : 0);
  return records
    .filter((record) => record.gitSync?.stackName === sync.stackName && (sameLink(record) || sameResource(record.connectionArn, connectionArn)))
    .sort((a, b) => rank(b) - rank(a) || b.createdAt.localeCompare(a.createdAt) || a.requestId.localeCompare(b.requestId))[0];
}

/** Completed, or still under way: what it made is meant to be there. */
function inUse(record: ConnectionRequestRecord): boolean {
  return record.status === 'COMPLETED' || !isTerminal(record.status);
}

/** The Region of a repository link (or, failing that, of its connection's ARN): where its sync configurations live. */
export function regionOf(link: Pick<RepositoryLinkFacts, 'arn' | 'connectionArn'> | undefined): string | undefined {
  for (const arn of [link?.arn, link?.connectionArn]) {
    const region = arn?.startsWith('arn:') ? arn.split(':')[3] : undefined;
    if (region) return region;
  }
  return undefined;
}

/** The path that resolves one blocker of a stack (admins; functions/sync/resolve-blocker.ts). */
export function resolvePath(stackName: string, blockerId: string): string {
  return `/v1/sync-configurations/${encodeURIComponent(stackName)}/blockers/${encodeURIComponent(blockerId)}/resolve`;
}

interface SyncContext {
  sync: SyncConfigurationFacts;
  link: RepositoryLinkFacts | undefined;
  record: ConnectionRequestRecord | undefined;
}

function withContext(inventory: Inventory, sync: SyncConfigurationFacts): SyncContext {
  const link = inventory.repositoryLinks.find((candidate) => candidate.id === sync.repositoryLinkId);
  return { sync, link, record: requestForStack(sync, link?.connectionArn, inventory.requests) };
}

function about({ sync, link, record }: SyncContext): Pick<Finding, 'resource' | 'resourceKind' | 'owner' | 'requestId' | 'link'> {
  const console = gitSyncLink(regionOf(link) ?? record?.region, sync.stackName);
  return {
    resource: sync.stackName,
    resourceKind: 'sync-configuration',
    ...(record ? { owner: record.requester.id, requestId: record.requestId } : {}),
    ...(console ? { link: console } : {}),
  };
}

const described = (sync: SyncConfigurationFacts) => `stack ${sync.stackName} (${sync.repository}@${sync.branch})`;

/** An ACTIVE blocker stops Git sync for the stack altogether: no commit deploys until it is resolved. */
export function syncsBlocked(inventory: Inventory, context: AuditContext): Finding[] {
  return inventory.syncConfigurations
    .filter((sync) => sync.openBlockers.length > 0)
    .map((sync): Finding => {
      const since = earliest(...sync.openBlockers.map((blocker) => blocker.createdAt));
      const blockers = sync.openBlockers.map((blocker) => `${blocker.id} (${blocker.type}${blocker.reason ? `: ${blocker.reason}` : ''})`);
      const paths = sync.openBlockers.map((blocker) => `POST ${resolvePath(sync.stackName, blocker.id)}`);
      return {
        type: 'SYNC_BLOCKED',
        severity: 'high',
        ...about(withContext(inventory, sync)),
        message: `Git sync of ${described(sync)} is blocked and syncs nothing until ${sync.openBlockers.length === 1 ? 'the blocker is' : 'every blocker is'} resolved: ${blockers.join('; ')}.`,
        fix:
          `Fix the cause the blocker names (the stack's Git sync events in the CloudFormation console tell more), then resolve it: ${paths.join(', ')} ` +
          `with {"reason": "what was fixed"} (admins). Git sync then retries the latest commit.`,
        ...(since ? { since, ageHours: hoursSince(since, context.asOf) } : {}),
      };
    });
}

/**
 * The latest sync FAILED: the stack is not as the branch says. A blocked stack is reported as
 * SYNC_BLOCKED instead (its blocker is what must be dealt with first).
 */
export function syncsFailing(inventory: Inventory, context: AuditContext): Finding[] {
  return inventory.syncConfigurations
    .filter((sync) => sync.latestSync?.status === 'FAILED' && sync.openBlockers.length === 0)
    .map((sync): Finding => {
      const since = sync.latestSync?.startedAt;
      return {
        type: 'SYNC_FAILING',
        severity: 'medium',
        ...about(withContext(inventory, sync)),
        message:
          `The latest Git sync of ${described(sync)} FAILED${sync.latestSync?.lastEvent ? `: ${sync.latestSync.lastEvent}` : ''}` +
          `${sync.succeededBefore ? '' : '; it has never synced successfully'}.`,
        fix:
          `Read the stack's Git sync events in the CloudFormation console and fix the cause: the deployment file ${sync.configFile ?? ''} or its template on ${sync.branch}, ` +
          `or role ${sync.roleArn} (its trust policy must name cloudformation.sync.codeconnections.amazonaws.com, and it must be allowed the stack's changes). ` +
          'Then push a commit, or choose "Retry latest commit" on the Git sync tab.',
        ...(since ? { since, ageHours: hoursSince(since, context.asOf) } : {}),
      };
    });
}

/**
 * A sync configuration that synced before (so Git sync made its stack) whose stack CloudFormation no
 * longer has: someone deleted it outside Git sync. Git sync does not recreate it until a commit
 * comes, so the configuration keeps a stack that is not there, and holds its connection.
 */
export function syncStacksGone(inventory: Inventory): Finding[] {
  return inventory.syncConfigurations
    .filter((sync) => sync.stackGone === true)
    .map(
      (sync): Finding => ({
        type: 'SYNC_STACK_GONE',
        severity: 'medium',
        ...about(withContext(inventory, sync)),
        message: `The Git sync configuration of ${described(sync)} synced before, but CloudFormation has no stack ${sync.stackName} any more: it was deleted outside Git sync.`,
        fix:
          `If the stack is meant to be gone, delete its sync configuration (aws codeconnections delete-sync-configuration --sync-type CFN_STACK_SYNC --resource-name ${sync.stackName}), ` +
          `and the repository link too if nothing else syncs through it. If it is meant to exist, push a commit to ${sync.branch} (or choose "Retry latest commit" on the Git sync tab): ` +
          'Git sync creates it again.',
      }),
    );
}

/**
 * A repository link no sync configuration uses: it syncs nothing, yet it counts against the 100
 * links per account and Region, and keeps its connection from being decommissioned. A link a
 * request under way made or reuses is left alone (its sync configuration is about to be made, or
 * the rollback takes the link back), and so is a link whose sync configurations may not be read.
 */
export function repositoryLinksWithoutSync(inventory: Inventory): Finding[] {
  const used = new Set(inventory.syncConfigurations.map((sync) => sync.repositoryLinkId));
  return inventory.repositoryLinks
    .filter((link) => !link.syncConfigurationsUnread && !used.has(link.id))
    .filter((link) => !inventory.requests.some((record) => !isTerminal(record.status) && record.gitSyncState?.repositoryLinkId === link.id))
    .map((link): Finding => {
      const creator = inventory.requests.find((record) => record.gitSyncState?.repositoryLinkId === link.id && record.gitSyncState.linkCreatedByRequest === true);
      const repository = `${link.ownerId}/${link.repositoryName}`;
      return {
        type: 'REPOSITORY_LINK_WITHOUT_SYNC',
        severity: 'low',
        resource: link.arn ?? link.id,
        resourceKind: 'repository-link',
        ...(creator ? { owner: creator.requester.id, requestId: creator.requestId } : {}),
        message: `Repository link ${link.id} links ${repository} to connection ${link.connectionArn}, but no sync configuration uses it.`,
        fix:
          `Delete it if nothing is to sync from ${repository} (DeleteRepositoryLink: aws codeconnections delete-repository-link --repository-link-id ${link.id}), ` +
          `or add a sync configuration on it (a request with gitSync for ${repository} on that connection reuses the link). ` +
          'While it exists its connection counts as used and cannot be decommissioned.',
      };
    });
}
