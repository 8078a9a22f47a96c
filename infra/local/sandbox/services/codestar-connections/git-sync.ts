import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import type { CallContext } from '../../context.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import type { SandboxStore } from '../../store.ts';
import { pageSizeOf, paginate } from '../pagination.ts';
import {
  invalidInput,
  limitExceeded,
  resourceAlreadyExists,
  resourceNotFound,
  syncBlockerDoesNotExist,
  syncConfigurationStillExists,
} from './errors.ts';
import { requireConnection } from './connections.ts';
import { dedupeTags } from './hosts.ts';
import {
  CREATION_ORDER,
  DEFAULT_PAGE_SIZE,
  inCreationOrder,
  callConnections,
  callState,
  nextSeq,
  partitionOf,
  type ConnectionsState,
  type GlobalConnectionsState,
  type RepositoryLinkRecord,
  type SyncBlockerRecord,
  type SyncConfigurationRecord,
  type Tag,
} from './state.ts';

/** Documented, non-adjustable quotas for Git sync. */
const MAX_REPOSITORY_LINKS = 100;
const MAX_SYNC_CONFIGURATIONS = 100;

type SyncConfigurationInput = Omit<SyncConfigurationRecord, 'seq' | 'OwnerId' | 'ProviderType' | 'RepositoryName'>;

/** The optional members every model's SyncConfiguration has, besides the ones a link supplies. */
const OPTIONAL_SYNC_MEMBERS = ['PublishDeploymentStatus', 'TriggerResourceUpdateOn'] as const;
/**
 * Members only the codeconnections model (2023-12-01) has: `PullRequestComment` on
 * Create/UpdateSyncConfigurationInput and SyncConfiguration. The codestar-connections model
 * (2019-12-01) lacks it, and an awsJson front end ignores members its model does not have (the
 * sandbox's model validator does the same), so through that endpoint it is neither stored nor shown.
 */
const CODECONNECTIONS_ONLY_SYNC_MEMBERS = ['PullRequestComment'] as const;
const UPDATABLE_SYNC_MEMBERS = ['Branch', 'ConfigFile', 'RoleArn', ...OPTIONAL_SYNC_MEMBERS] as const;

type OptionalSyncMember = (typeof OPTIONAL_SYNC_MEMBERS)[number] | (typeof CODECONNECTIONS_ONLY_SYNC_MEMBERS)[number];

/** The optional members the endpoint's model has. */
function optionalMembersOf(endpoint: string): readonly OptionalSyncMember[] {
  return endpoint === 'codeconnections' ? [...OPTIONAL_SYNC_MEMBERS, ...CODECONNECTIONS_ONLY_SYNC_MEMBERS] : OPTIONAL_SYNC_MEMBERS;
}

/**
 * Git sync (CloudFormation stack sync): repository links, sync configurations, sync status and
 * blockers. A new sync configuration starts an INITIATED sync attempt; the control API moves
 * attempts along and raises blockers, as GitHub pushes would.
 *
 * Blockers: the API Reference says UpdateSyncBlocker resolves a blocker, "allowing syncing to
 * continue", so while a resource has an ACTIVE blocker Git sync starts no sync for it and its
 * latest attempt stays as it was. Resolving the last ACTIVE blocker retries the latest commit (the
 * model's RetryLatestCommitFailedException on UpdateSyncBlocker, "Retrying the latest commit
 * failed", names that step; the CloudFormation console's Git sync dashboard offers the same "Retry
 * latest commit"): a new INITIATED attempt for the latest revision. With several ACTIVE blockers,
 * resolving one leaves Git sync stopped (inferred: the API documents no partial resume).
 */
export function gitSyncOperations({ store, clock }: SandboxDeps): Record<string, OperationHandler> {
  const now = () => clock.nowEpochSeconds();
  const state = (call: CallContext) => callState(store, call);
  const paging = (list: string, maxResults: number | undefined, nextToken: string | undefined) => ({
    ...CREATION_ORDER,
    list,
    pageSize: pageSizeOf(maxResults, DEFAULT_PAGE_SIZE),
    nextToken,
    invalidToken: () => invalidInput('Invalid NextToken'),
  });

  return {
    CreateRepositoryLink(
      input: { ConnectionArn: string; OwnerId: string; RepositoryName: string; EncryptionKeyArn?: string; Tags?: Tag[] },
      call,
    ) {
      const current = state(call);
      const connection = findConnection(callConnections(store, call), input.ConnectionArn);
      const duplicate = Object.values(current.repositoryLinks).some(
        (link) => link.connectionArn === connection.arn && link.ownerId === input.OwnerId && link.repositoryName === input.RepositoryName,
      );
      if (duplicate) throw resourceAlreadyExists(`A repository link for ${input.OwnerId}/${input.RepositoryName} already exists`);
      if (Object.keys(current.repositoryLinks).length >= MAX_REPOSITORY_LINKS) {
        throw limitExceeded(`Exceeded the maximum limit of ${MAX_REPOSITORY_LINKS} repository links.`);
      }
      const id = randomUUID();
      const link: RepositoryLinkRecord = {
        seq: nextSeq(current),
        id,
        arn: `arn:${partitionOf(call.region)}:${call.endpoint}:${call.region}:${call.accountId}:repository-link/${id}`,
        connectionArn: connection.arn,
        ownerId: input.OwnerId,
        repositoryName: input.RepositoryName,
        providerType: connection.providerType,
        encryptionKeyArn: input.EncryptionKeyArn,
      };
      current.repositoryLinks[id] = link;
      if (input.Tags?.length) current.tags[link.arn] = dedupeTags(input.Tags);
      repositoryLinkChanged(store, current, link);
      return { RepositoryLinkInfo: describeLink(link) };
    },

    GetRepositoryLink(input: { RepositoryLinkId: string }, call) {
      return { RepositoryLinkInfo: describeLink(requireLink(state(call), input.RepositoryLinkId)) };
    },

    ListRepositoryLinks(input: { MaxResults?: number; NextToken?: string }, call) {
      const { page, nextToken } = paginate(
        inCreationOrder(state(call).repositoryLinks),
        paging('repository-links', input.MaxResults, input.NextToken),
      );
      return { RepositoryLinks: page.map(describeLink), NextToken: nextToken };
    },

    UpdateRepositoryLink(input: { RepositoryLinkId: string; ConnectionArn?: string; EncryptionKeyArn?: string }, call) {
      const current = state(call);
      const link = requireLink(current, input.RepositoryLinkId);
      if (input.ConnectionArn === undefined && input.EncryptionKeyArn === undefined) {
        throw invalidInput('Specify a ConnectionArn or an EncryptionKeyArn to update.');
      }
      if (input.ConnectionArn !== undefined) {
        const connection = findConnection(callConnections(store, call), input.ConnectionArn);
        if (connection.providerType !== link.providerType) {
          throw invalidInput(`The connection's provider type ${connection.providerType} does not match the link's ${link.providerType}.`);
        }
        link.connectionArn = connection.arn;
      }
      if (input.EncryptionKeyArn !== undefined) link.encryptionKeyArn = input.EncryptionKeyArn;
      repositoryLinkChanged(store, current, link);
      return { RepositoryLinkInfo: describeLink(link) };
    },

    DeleteRepositoryLink(input: { RepositoryLinkId: string }, call) {
      const current = state(call);
      const link = requireLink(current, input.RepositoryLinkId);
      const users = Object.values(current.syncConfigurations).filter((sync) => sync.RepositoryLinkId === link.id);
      if (users.length > 0) {
        throw syncConfigurationStillExists(
          `Repository link ${link.id} is used by sync configuration(s) ${users.map((sync) => sync.ResourceName).join(', ')}; delete them first.`,
        );
      }
      delete current.repositoryLinks[link.id];
      delete current.tags[link.arn];
      repositoryLinkChanged(store, current, link);
      return {};
    },

    /**
     * The model checks the members (RoleArn's IamRoleArn pattern, SyncType's enum {CFN_STACK_SYNC},
     * ResourceName's pattern) before this runs, as AWS's front end does. Then: the repository link
     * must exist, and one configuration per (SyncType, ResourceName). A missing link is the modeled
     * InvalidInputException: CreateSyncConfiguration declares no ResourceNotFoundException (as
     * DeleteSyncConfiguration does not). Whether the role exists or trusts Git sync is not checked
     * here (no AWS document says it is): Git sync assumes the role when it syncs, and a role it
     * cannot assume fails that sync (the control route `/sync/process`).
     */
    CreateSyncConfiguration(input: SyncConfigurationInput, call) {
      const current = state(call);
      const link = requireLink(current, input.RepositoryLinkId, invalidInput);
      const key = syncKey(input.SyncType, input.ResourceName);
      if (current.syncConfigurations[key]) {
        throw resourceAlreadyExists(`A sync configuration for ${input.ResourceName} already exists`);
      }
      if (Object.keys(current.syncConfigurations).length >= MAX_SYNC_CONFIGURATIONS) {
        throw limitExceeded(`Exceeded the maximum limit of ${MAX_SYNC_CONFIGURATIONS} sync configurations.`);
      }
      const sync: SyncConfigurationRecord = {
        seq: nextSeq(current),
        Branch: input.Branch,
        ConfigFile: input.ConfigFile,
        RepositoryLinkId: link.id,
        ResourceName: input.ResourceName,
        RoleArn: input.RoleArn,
        SyncType: input.SyncType,
        OwnerId: link.ownerId,
        ProviderType: link.providerType,
        RepositoryName: link.repositoryName,
      };
      for (const member of optionalMembersOf(call.endpoint)) {
        if (input[member] !== undefined) sync[member] = input[member];
      }
      current.syncConfigurations[key] = sync;
      startSyncAttempt(current, sync, now());
      syncChanged(store, current, sync);
      return { SyncConfiguration: describeSync(sync, call.endpoint) };
    },

    GetSyncConfiguration(input: { SyncType: string; ResourceName: string }, call) {
      return { SyncConfiguration: describeSync(requireSync(state(call), input.SyncType, input.ResourceName), call.endpoint) };
    },

    ListSyncConfigurations(input: { RepositoryLinkId: string; SyncType: string; MaxResults?: number; NextToken?: string }, call) {
      const current = state(call);
      requireLink(current, input.RepositoryLinkId);
      const matching = inCreationOrder(current.syncConfigurations).filter(
        (sync) => sync.RepositoryLinkId === input.RepositoryLinkId && sync.SyncType === input.SyncType,
      );
      const { page, nextToken } = paginate(matching, paging(`sync-configurations:${input.RepositoryLinkId}`, input.MaxResults, input.NextToken));
      return { SyncConfigurations: page.map((sync) => describeSync(sync, call.endpoint)), NextToken: nextToken };
    },

    UpdateSyncConfiguration(input: Partial<SyncConfigurationInput> & { SyncType: string; ResourceName: string }, call) {
      const current = state(call);
      const sync = requireSync(current, input.SyncType, input.ResourceName);
      if (input.RepositoryLinkId !== undefined && input.RepositoryLinkId !== sync.RepositoryLinkId) {
        const link = requireLink(current, input.RepositoryLinkId, invalidInput);
        Object.assign(sync, { RepositoryLinkId: link.id, OwnerId: link.ownerId, RepositoryName: link.repositoryName, ProviderType: link.providerType });
      }
      for (const field of UPDATABLE_SYNC_MEMBERS) {
        if (input[field] !== undefined) sync[field] = input[field];
      }
      if (call.endpoint === 'codeconnections') {
        for (const field of CODECONNECTIONS_ONLY_SYNC_MEMBERS) {
          if (input[field] !== undefined) sync[field] = input[field];
        }
      }
      syncChanged(store, current, sync);
      return { SyncConfiguration: describeSync(sync, call.endpoint) };
    },

    DeleteSyncConfiguration(input: { SyncType: string; ResourceName: string }, call) {
      const current = state(call);
      const key = syncKey(input.SyncType, input.ResourceName);
      const sync = current.syncConfigurations[key];
      if (!sync) throw invalidInput(`No sync configuration exists for ${input.ResourceName}`);
      delete current.syncConfigurations[key];
      delete current.resourceSyncStatus[key];
      delete current.syncBlockers[key];
      syncChanged(store, current, sync);
      return {};
    },

    ListRepositorySyncDefinitions(input: { RepositoryLinkId: string; SyncType: string }, call) {
      const current = state(call);
      const link = requireLink(current, input.RepositoryLinkId);
      const definitions = Object.values(current.syncConfigurations)
        .filter((sync) => sync.RepositoryLinkId === link.id && sync.SyncType === input.SyncType)
        .sort((a, b) => a.seq - b.seq)
        .map((sync) => ({
          Branch: sync.Branch,
          Directory: posix.dirname(sync.ConfigFile ?? '.'),
          Parent: link.id,
          Target: sync.ResourceName,
        }));
      return { RepositorySyncDefinitions: definitions };
    },

    GetRepositorySyncStatus(input: { Branch: string; RepositoryLinkId: string; SyncType: string }, call) {
      const current = state(call);
      requireLink(current, input.RepositoryLinkId);
      const attempt = current.repositorySyncStatus[`${input.RepositoryLinkId}|${input.Branch}|${input.SyncType}`];
      if (!attempt) throw resourceNotFound(`No sync status exists for branch ${input.Branch} of repository link ${input.RepositoryLinkId}`);
      return { LatestSync: attempt };
    },

    GetResourceSyncStatus(input: { ResourceName: string; SyncType: string }, call) {
      const current = state(call);
      const sync = requireSync(current, input.SyncType, input.ResourceName);
      const status = current.resourceSyncStatus[syncKey(sync.SyncType, sync.ResourceName)];
      if (!status) throw resourceNotFound(`No sync status exists for ${input.ResourceName}`);
      return { DesiredState: status.latest.TargetRevision, LatestSuccessfulSync: status.latestSuccessful, LatestSync: status.latest };
    },

    GetSyncBlockerSummary(input: { SyncType: string; ResourceName: string }, call) {
      const current = state(call);
      const sync = requireSync(current, input.SyncType, input.ResourceName);
      return {
        SyncBlockerSummary: {
          ResourceName: sync.ResourceName,
          LatestBlockers: current.syncBlockers[syncKey(sync.SyncType, sync.ResourceName)] ?? [],
        },
      };
    },

    /**
     * Resolves an ACTIVE blocker (Status RESOLVED, ResolvedReason, ResolvedAt). A sync configuration
     * that does not exist is ResourceNotFoundException and a blocker it does not have
     * SyncBlockerDoesNotExistException (both modeled). Resolving a blocker that is already
     * RESOLVED is InvalidInputException: the model names no error of its own for it, and which one
     * AWS sends is not documented. Once no ACTIVE blocker is left, Git sync retries the latest
     * commit: a new INITIATED attempt.
     */
    UpdateSyncBlocker(input: { Id: string; SyncType: string; ResourceName: string; ResolvedReason: string }, call) {
      const current = state(call);
      const sync = requireSync(current, input.SyncType, input.ResourceName);
      const blocker = (current.syncBlockers[syncKey(sync.SyncType, sync.ResourceName)] ?? []).find((item) => item.Id === input.Id);
      if (!blocker) throw syncBlockerDoesNotExist(`Sync blocker ${input.Id} does not exist for ${input.ResourceName}`);
      if (blocker.Status === 'RESOLVED') throw invalidInput(`Sync blocker ${input.Id} is already resolved`);
      Object.assign(blocker, { Status: 'RESOLVED', ResolvedReason: input.ResolvedReason, ResolvedAt: now() });
      if (activeBlockers(current, sync).length === 0) retryLatestCommit(current, sync, now());
      syncChanged(store, current, sync);
      return { ResourceName: sync.ResourceName, SyncBlocker: blocker };
    },
  };
}

export function syncKey(syncType: string, resourceName: string): string {
  return `${syncType}|${resourceName}`;
}

function repositorySyncKey(sync: Pick<SyncConfigurationRecord, 'RepositoryLinkId' | 'Branch' | 'SyncType'>): string {
  return `${sync.RepositoryLinkId}|${sync.Branch}|${sync.SyncType}`;
}

/** Tells the store that a repository link changed (its record, its tags, and the sequence a new one takes). */
function repositoryLinkChanged(store: SandboxStore, state: ConnectionsState, link: RepositoryLinkRecord): void {
  store.markChanged(state, 'repositoryLinks', link.id);
  store.markChanged(state, 'tags', link.arn);
  store.markChanged(state, 'nextSeq');
}

/** Tells the store that a sync configuration changed, with its sync status and blockers. */
export function syncChanged(store: SandboxStore, state: ConnectionsState, sync: SyncConfigurationRecord): void {
  const key = syncKey(sync.SyncType, sync.ResourceName);
  store.markChanged(state, 'syncConfigurations', key);
  store.markChanged(state, 'resourceSyncStatus', key);
  store.markChanged(state, 'syncBlockers', key);
  store.markChanged(state, 'repositorySyncStatus', repositorySyncKey(sync));
  store.markChanged(state, 'nextSeq');
}

export function requireSync(state: ConnectionsState, syncType: string, resourceName: string): SyncConfigurationRecord {
  const sync = state.syncConfigurations[syncKey(syncType, resourceName)];
  if (!sync) throw resourceNotFound(`No sync configuration exists for ${resourceName}`);
  return sync;
}

export function addSyncBlocker(state: ConnectionsState, sync: SyncConfigurationRecord, reason: string, now: number): SyncBlockerRecord {
  const blocker: SyncBlockerRecord = { Id: randomUUID().slice(0, 8), Type: 'AUTOMATED', Status: 'ACTIVE', CreatedReason: reason, CreatedAt: now };
  const key = syncKey(sync.SyncType, sync.ResourceName);
  state.syncBlockers[key] = [blocker, ...(state.syncBlockers[key] ?? [])];
  return blocker;
}

/** The resource's blockers that still stop Git sync. */
export function activeBlockers(state: ConnectionsState, sync: SyncConfigurationRecord): SyncBlockerRecord[] {
  return (state.syncBlockers[syncKey(sync.SyncType, sync.ResourceName)] ?? []).filter((blocker) => blocker.Status === 'ACTIVE');
}

/** Git sync retries the commit its latest attempt was for (HEAD when it has made none). */
export function retryLatestCommit(state: ConnectionsState, sync: SyncConfigurationRecord, now: number): void {
  const latest = state.resourceSyncStatus[syncKey(sync.SyncType, sync.ResourceName)]?.latest;
  startSyncAttempt(state, sync, now, 'INITIATED', latest?.TargetRevision.Sha ?? 'HEAD');
}

const UNFINISHED_SYNC_STATUSES: ReadonlySet<string> = new Set(['INITIATED', 'QUEUED', 'IN_PROGRESS']);

/**
 * Moves the latest attempt on to `status` when it is unfinished and for the same commit (`sha`
 * left out, or the one it targets), adding an event; otherwise a new attempt starts (a new push, or
 * a sync after a finished one). Returns whether a new attempt was started.
 */
export function recordSyncAttempt(state: ConnectionsState, sync: SyncConfigurationRecord, now: number, status: string, sha?: string): boolean {
  const key = syncKey(sync.SyncType, sync.ResourceName);
  const current = state.resourceSyncStatus[key];
  const latest = current?.latest;
  if (!current || !latest || !UNFINISHED_SYNC_STATUSES.has(latest.Status) || (sha !== undefined && sha !== latest.TargetRevision.Sha)) {
    startSyncAttempt(state, sync, now, status, sha ?? latest?.TargetRevision.Sha ?? 'HEAD');
    return true;
  }
  const event = syncEvent(status, now);
  latest.Status = status;
  latest.Events = [...latest.Events, event];
  if (status === 'SUCCEEDED') current.latestSuccessful = { ...latest, Events: [...latest.Events] };
  const repository = state.repositorySyncStatus[repositorySyncKey(sync)];
  if (repository) {
    repository.Status = status;
    repository.Events = [...repository.Events, event];
  } else {
    state.repositorySyncStatus[repositorySyncKey(sync)] = { StartedAt: latest.StartedAt, Status: status, Events: [event] };
  }
  return false;
}

function syncEvent(status: string, now: number) {
  return { Event: `Sync ${status.toLowerCase().replace('_', ' ')}`, Time: now, Type: status };
}

/** Records a new sync attempt for the configuration's branch and resource, with the given status. */
export function startSyncAttempt(state: ConnectionsState, sync: SyncConfigurationRecord, now: number, status = 'INITIATED', sha = 'HEAD'): void {
  const event = syncEvent(status, now);
  state.repositorySyncStatus[repositorySyncKey(sync)] = { StartedAt: now, Status: status, Events: [event] };
  const revision = {
    Branch: sync.Branch,
    Directory: posix.dirname(sync.ConfigFile ?? '.'),
    OwnerId: sync.OwnerId,
    RepositoryName: sync.RepositoryName,
    ProviderType: sync.ProviderType,
    Sha: sha,
  };
  const key = syncKey(sync.SyncType, sync.ResourceName);
  const previous = state.resourceSyncStatus[key];
  const attempt = { Events: [event], InitialRevision: previous?.latest.TargetRevision ?? revision, StartedAt: now, Status: status, TargetRevision: revision, Target: sync.ResourceName };
  state.resourceSyncStatus[key] = {
    latest: attempt,
    latestSuccessful: status === 'SUCCEEDED' ? attempt : previous?.latestSuccessful,
  };
}

function findConnection(connections: GlobalConnectionsState, connectionArn: string) {
  try {
    return requireConnection(connections, connectionArn);
  } catch {
    throw invalidInput(`Connection ${connectionArn} does not exist`);
  }
}

function requireLink(state: ConnectionsState, id: string, notFound = resourceNotFound): RepositoryLinkRecord {
  const link = state.repositoryLinks[id];
  if (!link) throw notFound(`Repository link ${id} does not exist`);
  return link;
}

function describeLink(link: RepositoryLinkRecord) {
  return {
    ConnectionArn: link.connectionArn,
    EncryptionKeyArn: link.encryptionKeyArn,
    OwnerId: link.ownerId,
    ProviderType: link.providerType,
    RepositoryLinkArn: link.arn,
    RepositoryLinkId: link.id,
    RepositoryName: link.repositoryName,
  };
}

/** The SyncConfiguration the endpoint's model has: codestar-connections' lacks PullRequestComment. */
function describeSync({ seq: _seq, ...sync }: SyncConfigurationRecord, endpoint: string) {
  if (endpoint === 'codeconnections') return sync;
  const { PullRequestComment: _pullRequestComment, ...shown } = sync;
  return shown;
}
