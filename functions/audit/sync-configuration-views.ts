import type { Caller } from '../request/caller.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { collectRequests } from './collect/requests.ts';
import { readGitSync } from './collect/git-sync.ts';
import { ownRequests, type InventoryDependencies } from './inventory-views.ts';
import type { RepositoryLinkFacts, SyncConfigurationFacts } from './model.ts';
import { regionOf, requestForStack } from './rules/git-sync.ts';
import { gitSyncLink } from './rules/links.ts';

/** One Git sync configuration (a CloudFormation stack kept in step with a repository branch), as GET /v1/sync-configurations shows it. */
export interface SyncConfigurationView {
  /** The stack (the sync configuration's ResourceName; sync configurations have no ARN). */
  stackName: string;
  /** owner/name. */
  repository: string;
  repositoryLinkId: string;
  /** The connection the repository link goes through (absent if the link went away while it was read). */
  connectionArn?: string;
  branch: string;
  configFile?: string;
  roleArn: string;
  /** The latest sync's status (GetResourceSyncStatus): INITIATED, IN_PROGRESS, QUEUED, SUCCEEDED, FAILED; absent before Git sync's first attempt. */
  status?: string;
  /** ACTIVE blockers: Git sync syncs nothing until each is resolved. */
  openBlockers: { id: string; type: string; reason: string; createdAt?: string }[];
  /** The request whose Git sync this is, if a request of the broker made it. */
  requestId?: string;
  links: {
    /** A URI template: POST it with the blocker's id to resolve that blocker (admins). */
    resolve: string;
    /** The CloudFormation console, filtered to the stack (its Git sync tab). */
    console?: string;
    request?: string;
  };
}

/**
 * Pure: the views of the sync configurations the caller may see, stack names in order. Admins see
 * every one; a requester only those of their own requests (`records` are then theirs alone, so a
 * sync configuration no request of theirs names does not exist for them).
 */
export function syncConfigurationViews(
  gitSync: { repositoryLinks: readonly RepositoryLinkFacts[]; syncConfigurations: readonly SyncConfigurationFacts[] },
  records: readonly ConnectionRequestRecord[],
  caller: Pick<Caller, 'isAdmin'>,
): SyncConfigurationView[] {
  const links = new Map(gitSync.repositoryLinks.map((link) => [link.id, link]));
  return gitSync.syncConfigurations
    .map((sync) => ({ sync, link: links.get(sync.repositoryLinkId) }))
    .map(({ sync, link }) => ({ sync, link, record: requestForStack(sync, link?.connectionArn, records) }))
    .filter(({ record }) => caller.isAdmin || record !== undefined)
    .map(({ sync, link, record }): SyncConfigurationView => {
      const console = gitSyncLink(regionOf(link) ?? record?.region, sync.stackName);
      return {
        stackName: sync.stackName,
        repository: sync.repository,
        repositoryLinkId: sync.repositoryLinkId,
        ...(link ? { connectionArn: link.connectionArn } : {}),
        branch: sync.branch,
        ...(sync.configFile ? { configFile: sync.configFile } : {}),
        roleArn: sync.roleArn,
        ...(sync.latestSync ? { status: sync.latestSync.status } : {}),
        openBlockers: sync.openBlockers.map(({ id, type, reason, createdAt }) => ({ id, type, reason, ...(createdAt ? { createdAt } : {}) })),
        ...(record ? { requestId: record.requestId } : {}),
        links: {
          resolve: `/v1/sync-configurations/${encodeURIComponent(sync.stackName)}/blockers/{blockerId}/resolve`,
          ...(console ? { console } : {}),
          ...(record ? { request: `/v1/connection-requests/${record.requestId}` } : {}),
        },
      };
    })
    .sort((a, b) => a.stackName.localeCompare(b.stackName));
}

/**
 * GET /v1/sync-configurations: the broker's account and Region's Git sync configurations, live
 * (ListRepositoryLinks, then ListSyncConfigurations per link, GetResourceSyncStatus and
 * GetSyncBlockerSummary per stack), joined with the request records that made them.
 */
export async function listSyncConfigurations(caller: Caller, deps: InventoryDependencies): Promise<{ syncConfigurations: SyncConfigurationView[] }> {
  if (caller.isAdmin) {
    const [records, gitSync] = await Promise.all([collectRequests(deps.requestStore), readGitSync(deps.connections)]);
    return { syncConfigurations: syncConfigurationViews(gitSync, records, caller) };
  }
  const records = await ownRequests(caller.id, deps.requestStore);
  // A requester none of whose requests asked for Git sync sees none: AWS need not be asked.
  if (!records.some((record) => record.gitSync)) return { syncConfigurations: [] };
  return { syncConfigurations: syncConfigurationViews(await readGitSync(deps.connections), records, caller) };
}
