import {
  GetResourceSyncStatusCommand,
  GetSyncBlockerSummaryCommand,
  ListRepositoryLinksCommand,
  ListSyncConfigurationsCommand,
  type CodeStarConnectionsClient,
  type SyncConfiguration,
} from '@aws-sdk/client-codestar-connections';
import type { RepositoryLinkFacts, SyncConfigurationFacts, UnreadableResource } from '../model.ts';
import { unreadableFrom } from './access-denied.ts';
import { mapConcurrently } from './patiently.ts';
// The pure plan module only: the workflow's own Git sync code stays out of the auditor and the API.
import { SYNC_TYPE } from '../../attach/git-sync-plan.ts';


export interface GitSyncReadOptions {
  /** Wraps every call: the auditor retries a throttled one patiently; the API sends them as they are. */
  call?: <T>(send: () => Promise<T>) => Promise<T>;
  /** How many links, or stacks, are read at once. */
  concurrency?: number;
  /**
   * Record an AccessDenied on one link's or one stack's reads and go on (the auditor: a spoke role
   * older than ListSyncConfigurations is one finding, not a failed audit), instead of throwing (the API).
   */
  recordDenied?: boolean;
}

export interface GitSyncInventory {
  repositoryLinks: RepositoryLinkFacts[];
  syncConfigurations: SyncConfigurationFacts[];
  unreadable: UnreadableResource[];
}

/**
 * The account and Region's Git sync, as the CodeStar Connections API shows it (the CodeConnections
 * API shows the same links and sync configurations, whichever endpoint made them): every repository
 * link (ListRepositoryLinks), the CFN_STACK_SYNC sync configurations on each (ListSyncConfigurations),
 * and for each of those its latest sync (GetResourceSyncStatus) and ACTIVE blockers
 * (GetSyncBlockerSummary). A link or sync configuration deleted while it is read drops out.
 * At most 100 links and 100 sync configurations exist per account and Region (Git sync quotas).
 */
export async function readGitSync(client: CodeStarConnectionsClient, options: GitSyncReadOptions = {}): Promise<GitSyncInventory> {
  const call = options.call ?? (<T>(send: () => Promise<T>) => send());
  const concurrency = options.concurrency ?? 8;
  const unreadable: UnreadableResource[] = [];
  /** Whether the error was an AccessDenied the auditor records (then it was recorded). */
  const recorded = (error: unknown, entry: Parameters<typeof unreadableFrom>[1]): boolean => {
    if (!options.recordDenied) return false;
    const denied = unreadableFrom(error, entry);
    if (denied) unreadable.push(denied);
    return denied !== undefined;
  };

  const links = await listRepositoryLinks(client, call);
  const perLink = await mapConcurrently(links, concurrency, async (link): Promise<{ link: RepositoryLinkFacts; syncs: SyncConfiguration[] } | undefined> => {
    try {
      return { link, syncs: await listSyncConfigurations(client, link.id, call) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      const entry = { resource: link.arn ?? link.id, resourceKind: 'repository-link' as const, action: 'codestar-connections:ListSyncConfigurations', policyResource: '*', lastKnown: false };
      if (recorded(error, entry)) return { link: { ...link, syncConfigurationsUnread: true }, syncs: [] };
      throw error;
    }
  });
  const present = perLink.filter((entry): entry is NonNullable<typeof entry> => entry !== undefined);
  const configured = present.flatMap(({ syncs }) => syncs).filter((sync) => sync.ResourceName);
  const syncConfigurations = await mapConcurrently(configured, concurrency, async (sync) => {
    const stackName = sync.ResourceName!;
    const base: SyncConfigurationFacts = {
      stackName,
      repositoryLinkId: sync.RepositoryLinkId ?? '',
      repository: `${sync.OwnerId ?? ''}/${sync.RepositoryName ?? ''}`,
      branch: sync.Branch ?? '',
      ...(sync.ConfigFile ? { configFile: sync.ConfigFile } : {}),
      roleArn: sync.RoleArn ?? '',
      openBlockers: [],
    };
    const [status, blockers] = await Promise.all([
      syncStatus(client, stackName, call).catch((error: unknown) => {
        if (recorded(error, { resource: stackName, resourceKind: 'sync-configuration', action: 'codestar-connections:GetResourceSyncStatus', policyResource: '*', lastKnown: false })) return 'unread' as const;
        throw error;
      }),
      openBlockers(client, stackName, call).catch((error: unknown) => {
        // No sync configuration any more: deleted since the list.
        if (isNotFound(error)) return 'gone' as const;
        if (recorded(error, { resource: stackName, resourceKind: 'sync-configuration', action: 'codestar-connections:GetSyncBlockerSummary', policyResource: '*', lastKnown: false })) return 'unread' as const;
        throw error;
      }),
    ]);
    if (blockers === 'gone') return undefined;
    return {
      ...base,
      ...(status !== 'unread' ? status : {}),
      openBlockers: blockers === 'unread' ? [] : blockers,
      ...(status === 'unread' || blockers === 'unread' ? { unread: true as const } : {}),
    };
  });
  return {
    repositoryLinks: present.map(({ link }) => link),
    syncConfigurations: syncConfigurations.filter((sync): sync is SyncConfigurationFacts => sync !== undefined).sort((a, b) => a.stackName.localeCompare(b.stackName)),
    unreadable,
  };
}

type Call = NonNullable<GitSyncReadOptions['call']>;

async function listRepositoryLinks(client: CodeStarConnectionsClient, call: Call): Promise<RepositoryLinkFacts[]> {
  const links: RepositoryLinkFacts[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(() => client.send(new ListRepositoryLinksCommand({ MaxResults: 100, NextToken: nextToken })));
    for (const link of page?.RepositoryLinks ?? []) {
      if (!link.RepositoryLinkId || !link.ConnectionArn) continue;
      links.push({
        id: link.RepositoryLinkId,
        ...(link.RepositoryLinkArn ? { arn: link.RepositoryLinkArn } : {}),
        connectionArn: link.ConnectionArn,
        ownerId: link.OwnerId ?? '',
        repositoryName: link.RepositoryName ?? '',
        ...(link.ProviderType ? { providerType: link.ProviderType } : {}),
      });
    }
    nextToken = page?.NextToken;
  } while (nextToken);
  return links;
}

/** The CFN_STACK_SYNC sync configurations on one repository link. */
export async function listSyncConfigurations(client: CodeStarConnectionsClient, repositoryLinkId: string, call: Call = (send) => send()): Promise<SyncConfiguration[]> {
  const syncs: SyncConfiguration[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call(() => client.send(new ListSyncConfigurationsCommand({ RepositoryLinkId: repositoryLinkId, SyncType: SYNC_TYPE, MaxResults: 100, NextToken: nextToken })));
    syncs.push(...(page?.SyncConfigurations ?? []));
    nextToken = page?.NextToken;
  } while (nextToken);
  return syncs;
}

/** The latest sync, and whether one ever succeeded; nothing before Git sync's first attempt. */
async function syncStatus(client: CodeStarConnectionsClient, stackName: string, call: Call): Promise<Pick<SyncConfigurationFacts, 'latestSync' | 'succeededBefore'>> {
  try {
    const { LatestSync, LatestSuccessfulSync } = await call(() => client.send(new GetResourceSyncStatusCommand({ ResourceName: stackName, SyncType: SYNC_TYPE })));
    const lastEvent = LatestSync?.Events?.map((event) => event.Event).filter((event): event is string => !!event).at(-1);
    return {
      ...(LatestSync?.Status
        ? { latestSync: { status: LatestSync.Status, ...(LatestSync.StartedAt ? { startedAt: LatestSync.StartedAt.toISOString() } : {}), ...(lastEvent ? { lastEvent } : {}) } }
        : {}),
      succeededBefore: LatestSuccessfulSync !== undefined,
    };
  } catch (error) {
    if (isNotFound(error)) return {};
    throw error;
  }
}

async function openBlockers(client: CodeStarConnectionsClient, stackName: string, call: Call): Promise<SyncConfigurationFacts['openBlockers']> {
  const { SyncBlockerSummary } = await call(() => client.send(new GetSyncBlockerSummaryCommand({ ResourceName: stackName, SyncType: SYNC_TYPE })));
  return (SyncBlockerSummary?.LatestBlockers ?? [])
    .filter((blocker) => blocker.Status === 'ACTIVE' && blocker.Id)
    .map((blocker) => ({ id: blocker.Id!, type: blocker.Type ?? 'AUTOMATED', reason: blocker.CreatedReason ?? '', createdAt: blocker.CreatedAt ? blocker.CreatedAt.toISOString() : '' }));
}

function isNotFound(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}
