/**
 * What the auditor sees (the inventory), what it concludes (findings) and what it keeps (the
 * report). The rules in `rules/` are pure functions from an Inventory to Findings; everything that
 * talks to AWS or DynamoDB lives in `collect/` and `store.ts`.
 */
import type { ConnectionRequestRecord, SyncBlocker } from '../request/model.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const FINDING_TYPES = [
  'HOST_PENDING_TOO_LONG',
  'HOST_VPC_INIT_FAILED',
  'HOST_ERROR',
  'HOST_WITHOUT_CONNECTIONS',
  'CONNECTION_PENDING_TOO_LONG',
  'CONNECTION_ERROR',
  'CONNECTION_UNUSED',
  'UNMANAGED_RESOURCE',
  'PIPELINE_SOURCE_DRIFT',
  'ROLE_LACKS_USE_CONNECTION',
  'QUOTA_HEADROOM_LOW',
  'REQUEST_EXECUTION_ENDED',
  'SYNC_BLOCKED',
  'SYNC_FAILING',
  'REPOSITORY_LINK_WITHOUT_SYNC',
  'SYNC_STACK_GONE',
  'RESOURCE_UNREADABLE',
  'SHARE_NOT_REQUESTED',
  'SHARE_ASSOCIATION_GONE',
  'CONNECTION_BLOCKS_SHARING',
  'PLACE_NOT_AUDITED',
] as const;

export type FindingType = (typeof FINDING_TYPES)[number];

export interface Finding {
  type: FindingType;
  severity: Severity;
  /** What the finding is about: an ARN, a pipeline or role name, a request id, a stack name (a sync configuration), or `account`. */
  resource: string;
  resourceKind: 'host' | 'connection' | 'pipeline' | 'role' | 'request' | 'account' | 'share' | 'repository-link' | 'sync-configuration';
  /** The account and Region the resource is in (a fleet audit covers many); absent: the broker's own. */
  accountId?: string;
  region?: string;
  /** The requester who owns the resource, when a request record or tag names one. */
  owner?: string;
  requestId?: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** Where to do it (a console page). */
  link?: string;
  /** Since when the condition is known to hold (ISO 8601), for age-based findings. */
  since?: string;
  ageHours?: number;
  /** Who must act on a pending connection (the approvers the request waits for). */
  approver?: string;
}

/** A host as ListHosts shows it, with its tags and when the auditor first saw it. */
export interface HostFacts {
  arn: string;
  name: string;
  status: string;
  statusMessage?: string;
  providerType?: string;
  providerEndpoint?: string;
  vpcId?: string;
  tags: Record<string, string>;
  /** The tags could never be read (ListTagsForResource was denied): whether it is ours is unknown. */
  tagsUnknown?: true;
  firstSeenAt: string;
}

export interface ConnectionFacts {
  arn: string;
  name: string;
  status: string;
  providerType?: string;
  hostArn?: string;
  tags: Record<string, string>;
  /** The tags could never be read (ListTagsForResource was denied): whether it is ours is unknown. */
  tagsUnknown?: true;
  firstSeenAt: string;
}

/** A pipeline's source actions and role: all the auditor needs from GetPipeline, and what it caches. */
export interface PipelineFacts {
  name: string;
  version: number;
  /** ListPipelines' `updated`, epoch milliseconds: a change means GetPipeline must be read again. */
  updatedMs: number;
  roleArn?: string;
  sourceActions: SourceActionFacts[];
  /** GetPipeline was denied and no earlier read is cached: its source actions and role are unknown. */
  unread?: true;
}

export interface SourceActionFacts {
  stageName: string;
  actionName: string;
  provider: string;
  connectionArn?: string;
}

export interface InlinePolicy {
  name: string;
  /** The policy document, parsed. */
  document: unknown;
}

export interface RoleFacts {
  roleName: string;
  /** False when IAM says the role does not exist (it grants nothing then). */
  exists: boolean;
  policies: InlinePolicy[];
  /** Its tags (`connection-broker:team` for the tag-based grant); absent when never read. */
  tags?: Record<string, string>;
  /** Reading its inline policies was denied and no earlier read is cached: what it grants is unknown. */
  unread?: true;
}

/**
 * A per-resource read AWS refused (any `AccessDenied*` error): the audit goes on without it and
 * reports it as RESOURCE_UNREADABLE.
 */
export interface UnreadableResource {
  /** As findings name resources: the host, connection or repository link ARN, the pipeline or role name, the request id, the stack name. */
  resource: string;
  resourceKind: 'host' | 'connection' | 'pipeline' | 'role' | 'request' | 'repository-link' | 'sync-configuration';
  /** The IAM action that was denied, e.g. `codestar-connections:ListTagsForResource`. */
  action: string;
  /** What a policy statement must name to allow it, when the collector knows it (an ARN). */
  policyResource?: string;
  /** AWS's error code and message. */
  error: string;
  requestId?: string;
  /** An earlier audit's read stands in for it (the rules then see the last known state). */
  lastKnown: boolean;
}

/** A Git sync repository link (ListRepositoryLinks): a repository linked to a connection. */
export interface RepositoryLinkFacts {
  id: string;
  arn?: string;
  connectionArn: string;
  ownerId: string;
  repositoryName: string;
  providerType?: string;
  /** ListSyncConfigurations was denied: which sync configurations use the link is unknown. */
  syncConfigurationsUnread?: true;
}

/**
 * A Git sync configuration (ListSyncConfigurations, CFN_STACK_SYNC: a CloudFormation stack kept in
 * step with a deployment file), with its latest sync (GetResourceSyncStatus) and its ACTIVE
 * blockers (GetSyncBlockerSummary). Sync configurations have no ARN: the stack name names one.
 */
export interface SyncConfigurationFacts {
  stackName: string;
  repositoryLinkId: string;
  /** The repository, owner/name. */
  repository: string;
  branch: string;
  configFile?: string;
  roleArn: string;
  /** The latest sync attempt; absent before Git sync made one (GetResourceSyncStatus: ResourceNotFound) or when unread. */
  latestSync?: { status: string; startedAt?: string; lastEvent?: string };
  /** Whether a sync of it ever succeeded (GetResourceSyncStatus's LatestSuccessfulSync). */
  succeededBefore?: boolean;
  /** Its ACTIVE blockers: Git sync does not sync it until each is resolved. */
  openBlockers: SyncBlocker[];
  /** GetResourceSyncStatus or GetSyncBlockerSummary was denied: its status or blockers are unknown. */
  unread?: true;
  /** It synced before, so Git sync made its stack, and CloudFormation has no such stack now (DescribeStacks). */
  stackGone?: true;
}

/** Step Functions' view of a request's execution; `NOT_FOUND` when the execution is gone. */
export interface ExecutionFacts {
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE' | 'NOT_FOUND';
  stopDate?: string;
}

export interface Inventory {
  hosts: HostFacts[];
  connections: ConnectionFacts[];
  pipelines: PipelineFacts[];
  /** Keyed by role name. */
  roles: Record<string, RoleFacts>;
  requests: ConnectionRequestRecord[];
  /** Keyed by execution ARN, for requests whose record is not terminal (an execution it may not read is absent). */
  executions: Record<string, ExecutionFacts>;
  /** Git sync: the account and Region's repository links, and the CFN_STACK_SYNC sync configurations on them. */
  repositoryLinks: RepositoryLinkFacts[];
  syncConfigurations: SyncConfigurationFacts[];
  /** What AWS refused to show the auditor, one entry per resource. */
  unreadable: UnreadableResource[];
}

/** One of the hub's AWS RAM resource shares, as GetResourceShares and GetResourceShareAssociations show it. */
export interface ResourceShareFacts {
  shareArn: string;
  name: string;
  /** ACTIVE, PENDING, FAILED, DELETING or DELETED. */
  status: string;
  /** The connections in the share (its RESOURCE associations that are ASSOCIATED). */
  connectionArns: string[];
  /** Its PRINCIPAL associations: account ids, each ASSOCIATING, ASSOCIATED, FAILED, DISASSOCIATING or DISASSOCIATED. */
  principals: { accountId: string; status: string }[];
}

/**
 * What the hub's audit adds for the sharing rules: the broker's resource shares, the connections it
 * offers for sharing (the registry), and the requests of every account (each names its accountId,
 * absent for the broker's own).
 */
export interface SharingInventory {
  brokerAccountId: string;
  shares: ResourceShareFacts[];
  /** The registry of shareable hub connections (POST /v1/shared-connections). */
  offered: { connectionArn: string; providerEndpoint: string; organization: string }[];
  /** The hub's own hosts and connections (the hub place's inventory). */
  hosts: HostFacts[];
  connections: ConnectionFacts[];
  requests: ConnectionRequestRecord[];
}

export interface Thresholds {
  hostPendingHours: number;
  connectionPendingHours: number;
  /** A quota is reported once this share of it is used (0..1). */
  quotaWarnRatio: number;
  hostQuota: number;
  connectionQuota: number;
}

export interface AuditContext {
  /** The time the audit evaluates ages at. */
  asOf: Date;
  thresholds: Thresholds;
}
