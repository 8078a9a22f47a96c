import type { CallContext } from '../../context.ts';
import type { SandboxStore } from '../../store.ts';

export type ProviderType = 'Bitbucket' | 'GitHub' | 'GitHubEnterpriseServer' | 'GitLab' | 'GitLabSelfManaged' | 'AzureDevOps';
export type ConnectionStatus = 'PENDING' | 'AVAILABLE' | 'ERROR';

export interface VpcConfiguration {
  VpcId: string;
  SubnetIds: string[];
  SecurityGroupIds: string[];
  TlsCertificate?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface HostRecord {
  seq: number;
  arn: string;
  name: string;
  providerType: ProviderType;
  providerEndpoint: string;
  vpcConfiguration?: VpcConfiguration;
  /** Free string in the model: PENDING, AVAILABLE, ERROR, VPC_CONFIG_* ... */
  status: string;
  statusMessage?: string;
  /** Sandbox-clock epoch seconds at which a VPC host finishes initializing or deleting. */
  transitionAt?: number;
}

export interface ConnectionRecord {
  seq: number;
  arn: string;
  name: string;
  providerType: ProviderType;
  hostArn?: string;
  ownerAccountId: string;
  status: ConnectionStatus;
}

export interface RepositoryLinkRecord {
  seq: number;
  id: string;
  arn: string;
  connectionArn: string;
  ownerId: string;
  repositoryName: string;
  providerType: ProviderType;
  encryptionKeyArn?: string;
}

export interface SyncConfigurationRecord {
  seq: number;
  Branch: string;
  ConfigFile?: string;
  OwnerId: string;
  ProviderType: ProviderType;
  RepositoryLinkId: string;
  RepositoryName: string;
  ResourceName: string;
  RoleArn: string;
  SyncType: string;
  PublishDeploymentStatus?: string;
  TriggerResourceUpdateOn?: string;
  /** Only the codeconnections model (2023-12-01) has it: set and shown through that endpoint alone. */
  PullRequestComment?: string;
}

export interface SyncEvent {
  Event: string;
  ExternalId?: string;
  Time: number;
  Type: string;
}

export interface SyncBlockerRecord {
  Id: string;
  Type: 'AUTOMATED';
  Status: 'ACTIVE' | 'RESOLVED';
  CreatedReason: string;
  CreatedAt: number;
  Contexts?: { Key: string; Value: string }[];
  ResolvedReason?: string;
  ResolvedAt?: number;
}

export interface RepositorySyncAttempt {
  StartedAt: number;
  Status: string;
  Events: SyncEvent[];
}

export interface ResourceSyncAttempt {
  Events: SyncEvent[];
  InitialRevision: Revision;
  StartedAt: number;
  Status: string;
  TargetRevision: Revision;
  Target: string;
}

export interface Revision {
  Branch: string;
  Directory: string;
  OwnerId: string;
  RepositoryName: string;
  ProviderType: ProviderType;
  Sha: string;
}

/**
 * What CodeStar Connections holds for one account and Region (both API namespaces share it): hosts,
 * repository links and sync configurations are Regional. Connections are not: see GlobalConnectionsState.
 */
export interface ConnectionsState {
  nextSeq: number;
  hosts: Record<string, HostRecord>;
  /** Tags of the Regional resources (hosts, repository links); a connection's tags live with it. */
  tags: Record<string, Tag[]>;
  repositoryLinks: Record<string, RepositoryLinkRecord>;
  /** Keyed `${SyncType}|${ResourceName}`. */
  syncConfigurations: Record<string, SyncConfigurationRecord>;
  /** Keyed `${RepositoryLinkId}|${Branch}|${SyncType}`. */
  repositorySyncStatus: Record<string, RepositorySyncAttempt>;
  /** Keyed `${SyncType}|${ResourceName}`. */
  resourceSyncStatus: Record<string, { latest: ResourceSyncAttempt; latestSuccessful?: ResourceSyncAttempt }>;
  /** Keyed `${SyncType}|${ResourceName}`. */
  syncBlockers: Record<string, SyncBlockerRecord[]>;
}

/**
 * Connections are global resources: one set per account (and partition), listed and readable from
 * every Region, while the ARN keeps the Region it was created in. Hosts stay Regional.
 */
export interface GlobalConnectionsState {
  nextSeq: number;
  connections: Record<string, ConnectionRecord>;
  /** Tags of the connections. */
  tags: Record<string, Tag[]>;
}

export const SLICE = 'codestar-connections';
export const GLOBAL_SLICE = 'codestar-connections-global';

export function emptyConnectionsState(): ConnectionsState {
  return {
    nextSeq: 1,
    hosts: {},
    tags: {},
    repositoryLinks: {},
    syncConfigurations: {},
    repositorySyncStatus: {},
    resourceSyncStatus: {},
    syncBlockers: {},
  };
}

export function stateFor(store: SandboxStore, accountId: string, region: string): ConnectionsState {
  const state = store.slice(SLICE, [accountId, region], emptyConnectionsState);
  adoptRegionalConnections(store, state, accountId, region);
  return state;
}

export function callState(store: SandboxStore, call: CallContext): ConnectionsState {
  return stateFor(store, call.accountId, call.region);
}

/** The account's connections, the same from every Region of the partition. */
export function connectionsFor(store: SandboxStore, accountId: string, region: string): GlobalConnectionsState {
  return store.slice(GLOBAL_SLICE, [accountId, partitionOf(region)], () => ({ nextSeq: 1, connections: {}, tags: {} }));
}

export function callConnections(store: SandboxStore, call: CallContext): GlobalConnectionsState {
  return connectionsFor(store, call.accountId, call.region);
}

/** A state file written before connections were global kept them per Region: move them to the account. */
function adoptRegionalConnections(store: SandboxStore, state: ConnectionsState, accountId: string, region: string): void {
  const legacy = state as ConnectionsState & { connections?: Record<string, ConnectionRecord> };
  if (!legacy.connections) return;
  const global = connectionsFor(store, accountId, region);
  for (const connection of Object.values(legacy.connections).sort((a, b) => a.seq - b.seq)) {
    global.connections[connection.arn] = { ...connection, seq: global.nextSeq++ };
    const tags = state.tags[connection.arn];
    if (tags) global.tags[connection.arn] = tags;
    delete state.tags[connection.arn];
  }
  delete legacy.connections;
  store.markChanged(state);
  store.markChanged(global);
}

/** Tells the store that a host changed (its record, its tags, and the sequence a new one takes). */
export function hostChanged(store: SandboxStore, state: ConnectionsState, arn: string): void {
  store.markChanged(state, 'hosts', arn);
  store.markChanged(state, 'tags', arn);
  store.markChanged(state, 'nextSeq');
}

/** Tells the store that a connection changed (its record, its tags, and the sequence a new one takes). */
export function connectionChanged(store: SandboxStore, connections: GlobalConnectionsState, arn: string): void {
  store.markChanged(connections, 'connections', arn);
  store.markChanged(connections, 'tags', arn);
  store.markChanged(connections, 'nextSeq');
}

/** List operations return resources in creation order and page after the last sequence number. */
export const DEFAULT_PAGE_SIZE = 50;
export const CREATION_ORDER = { keyOf: (record: { seq: number }) => record.seq, sortedByKey: true } as const;

export function inCreationOrder<T extends { seq: number }>(records: Record<string, T>): T[] {
  return Object.values(records).sort((a, b) => a.seq - b.seq);
}

export function nextSeq(state: ConnectionsState): number {
  return state.nextSeq++;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const RESOURCE_ARN = /^arn:aws(?:-[\w]+)*:(codestar-connections|codeconnections):([^:]+):(\d{12}):(host|connection|repository-link)\/(.+)$/;

export interface ParsedArn {
  namespace: string;
  region: string;
  accountId: string;
  kind: 'host' | 'connection' | 'repository-link';
  id: string;
}

export function parseResourceArn(arn: string): ParsedArn | undefined {
  const match = RESOURCE_ARN.exec(arn);
  if (!match) return undefined;
  const [, namespace, region, accountId, kind, id] = match as unknown as [string, string, string, string, ParsedArn['kind'], string];
  return { namespace, region, accountId, kind, id };
}

/**
 * Both API namespaces reach the same resources, and a resource keeps the ARN prefix it was created
 * with; lookups therefore compare everything but the prefix.
 */
export function sameResource(a: string, b: string): boolean {
  const left = parseResourceArn(a);
  const right = parseResourceArn(b);
  if (!left || !right) return a === b;
  return left.kind === right.kind && left.id === right.id && left.region === right.region && left.accountId === right.accountId;
}

export function findByArn<T extends { arn: string }>(records: Record<string, T>, arn: string): T | undefined {
  return records[arn] ?? Object.values(records).find((record) => sameResource(record.arn, arn));
}
