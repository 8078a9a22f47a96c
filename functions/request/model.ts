import type * as z from 'zod';
import type { gitSyncTargetSchema, pipelineTargetSchema, vpcSettingsSchema } from './contract.ts';
import type { ProviderType } from './provider.ts';

/**
 * A connection request as the broker records it: the single source of truth for what was asked,
 * what the workflow has done (so rollback knows what it owns) and what it is waiting for.
 */

/**
 * Every status a request can be in, in workflow order, with whether it is final and the step it
 * belongs to in words a requester understands (the view's `currentStep`). The one definition: the
 * lists below, the API's `Status` schema and its description are derived from it.
 */
export const STATUSES = {
  ACCEPTED: { terminal: false, step: 'starting' },
  PROVISIONING_HOST: { terminal: false, step: 'reusing or creating the host' },
  WAITING_FOR_HOST_SETUP: { terminal: false, step: 'waiting for the host to be set up in the AWS console' },
  CREATING_CONNECTION: { terminal: false, step: 'creating the connection' },
  WAITING_FOR_APPROVAL: { terminal: false, step: 'waiting for the connection handshake and approval' },
  VERIFYING_CONNECTION: { terminal: false, step: 'verifying the connection' },
  ATTACHING_PIPELINE: { terminal: false, step: 'attaching the connection to the pipeline' },
  ROLLING_BACK: { terminal: false, step: 'rolling back' },
  COMPLETED: { terminal: true, step: 'done' },
  FAILED: { terminal: true, step: 'failed and rolled back' },
  REJECTED: { terminal: true, step: 'rejected and rolled back' },
  TIMED_OUT: { terminal: true, step: 'timed out and rolled back' },
  CANCELLED: { terminal: true, step: 'cancelled and rolled back' },
  // Day two: the host a COMPLETED request created is changed (PATCH /v1/hosts/{id}); while the host
  // admin sets it up again the request is WAITING_FOR_HOST_SETUP, then COMPLETED again.
  UPDATING_HOST: { terminal: false, step: 'updating the host (UpdateHost)' },
  // Day two: a COMPLETED request's connection retired (DELETE /v1/connections/{id}).
  WAITING_FOR_DECOMMISSION_APPROVAL: { terminal: false, step: 'waiting for an approver to allow the decommission' },
  DECOMMISSIONING: { terminal: false, step: 'decommissioning: detaching pipelines, removing grants, deleting the connection' },
  DECOMMISSIONED: { terminal: true, step: 'decommissioned' },
} as const satisfies Record<string, { terminal: boolean; step: string }>;

export type RequestStatus = keyof typeof STATUSES;
export type TerminalStatus = { [S in RequestStatus]: (typeof STATUSES)[S]['terminal'] extends true ? S : never }[RequestStatus];
export type ActiveStatus = Exclude<RequestStatus, TerminalStatus>;

/** All statuses, in workflow order. */
export const REQUEST_STATUSES = Object.keys(STATUSES) as [RequestStatus, ...RequestStatus[]];
export const TERMINAL_STATUSES: readonly TerminalStatus[] = REQUEST_STATUSES.filter((status): status is TerminalStatus => STATUSES[status].terminal);
export const ACTIVE_STATUSES: readonly ActiveStatus[] = REQUEST_STATUSES.filter((status): status is ActiveStatus => !STATUSES[status].terminal);

/** Where what a request made is in place and stays: under way (not rolling back), or completed. Its Git sync is then live. */
export const IN_PLACE_STATUSES: readonly RequestStatus[] = [...ACTIVE_STATUSES.filter((status) => status !== 'ROLLING_BACK'), 'COMPLETED'];

export function isTerminal(status: RequestStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The statuses of a decommission under way: the provisioning workflow is over, the decommission's runs. */
export const DECOMMISSION_STATUSES: readonly RequestStatus[] = ['WAITING_FOR_DECOMMISSION_APPROVAL', 'DECOMMISSIONING'];

export function isDecommissioning(status: RequestStatus): boolean {
  return DECOMMISSION_STATUSES.includes(status);
}

/** Whether the provisioning workflow may still change things for the request: not finished, not being rolled back or decommissioned. */
export function isActive(status: RequestStatus): boolean {
  return !isTerminal(status) && status !== 'ROLLING_BACK' && !isDecommissioning(status);
}

/** A host update under way: the provisioning workflow is over, the host update's runs (and a cancel must not roll back). */
export function isUpdatingHost(record: Pick<ConnectionRequestRecord, 'status' | 'hostUpdate'>): boolean {
  return !isTerminal(record.status) && record.hostUpdate !== undefined && record.hostUpdate.finishedAt === undefined && record.hostUpdate.abandoned === undefined;
}

/** The workflow execution that moves the request on now: the decommission's or host update's once one is under way. */
export function currentExecutionArn(record: Pick<ConnectionRequestRecord, 'status' | 'executionArn' | 'decommission' | 'hostUpdate'>): string | undefined {
  if (isDecommissioning(record.status)) return record.decommission?.executionArn;
  if (isUpdatingHost(record)) return record.hostUpdate?.executionArn;
  return record.executionArn;
}

export interface TimelineEntry {
  /** ISO 8601. */
  at: string;
  step: string;
  /** Who acted: a requester/approver id, `system`, or `aws-console` for what people do there. */
  actor: string;
  message: string;
}

export interface WaitingFor {
  what: string;
  who: string;
  /** Where that person acts. */
  link?: string;
  since: string;
}

/** What to attach the connection to: the request's `pipeline`, defaults filled in (its schema is the request contract's). */
export type PipelineTarget = z.output<typeof pipelineTargetSchema>;

/** Git sync as the request asked for it (functions/request/contract.ts). */
export type GitSyncTarget = z.output<typeof gitSyncTargetSchema>;

/** A sync blocker as GetSyncBlockerSummary shows it, while ACTIVE. */
export interface SyncBlocker {
  id: string;
  type: string;
  reason: string;
  createdAt: string;
}

/**
 * What the broker made for the request's Git sync (written before each call that makes something,
 * so a rollback knows what to take back) and what the first sync came to.
 */
export interface GitSyncState {
  /** The repository link used, and whether this request created it (a rollback deletes only that, and only when no other sync uses it). */
  repositoryLinkId?: string;
  linkCreatedByRequest?: boolean;
  /** Set before CreateSyncConfiguration: a rollback deletes the sync configuration. */
  syncConfigurationCreated?: boolean;
  /** When the sync configuration was made: how long the first sync has been waited for. */
  configuredAt?: string;
  /** The role's trust policy before the broker added Git sync to it; a rollback puts it back. */
  trust?: { roleName: string; previousDocument: string };
  /** The latest sync's status (GetResourceSyncStatus): INITIATED, IN_PROGRESS, SUCCEEDED, FAILED. */
  status?: string;
  /** Open blockers: Git sync stops syncing until each is resolved (POST /v1/sync-configurations/{stack}/blockers/{id}/resolve). */
  blockers?: SyncBlocker[];
}

/**
 * What the attach step did to the pipeline: enough for rollback to undo exactly that (and only
 * while it is still in place), and for the auditor to check for drift (`diff`, JSON Pointer paths
 * with before/after values; each `after` should still be there).
 */
export interface PipelineAttachment {
  stageName: string;
  actionName: string;
  /** The source action before we changed it (GetPipeline's view: secrets masked as `****`). */
  previousAction: unknown;
  /** The source action as we set it. */
  attachedAction?: unknown;
  /** False when the action already pointed at the connection as requested: rollback leaves it alone. */
  actionChanged?: boolean;
  /** The source action's trigger before (null: none) and as we set it, when a trigger was requested. */
  trigger?: { previous: unknown; attached: unknown; changed: boolean };
  /** The pipeline version we changed, and the version our change made (equal when nothing changed). */
  pipelineVersionBefore?: number;
  pipelineVersion: number;
  diff?: { path: string; before?: unknown; after?: unknown }[];
  /** How many times someone else changed the pipeline while we were attaching (we recomputed each time). */
  concurrentEdits?: number;
}

/** An inline policy this request put on a role, so rollback can take it away again. */
export interface RoleGrant {
  roleArn: string;
  roleName: string;
  policyName: string;
  /** Why the role needs it: `pipeline role`, `source action role`, `CodeBuild project <name>`. */
  purpose: string;
  /** A policy of the same name that was there before (rollback puts it back instead of deleting). */
  replacedDocument?: string;
}

/** A permission a role still lacks after the attach step (grants off, refused, or overridden by a Deny). */
export interface PermissionFinding {
  roleArn: string;
  purpose: string;
  /** `codestar-connections:UseConnection on arn:…`, or why the role could not be checked. */
  missing: string[];
  detail: string;
}

export interface FirstRun {
  /** `retried`: the failed source stage was retried; `started`: a new execution; `skipped`: see reason. */
  how: 'retried' | 'started' | 'skipped';
  pipelineExecutionId?: string;
  /** A source that never fetched fails the request (its `failure` says why); this stays IN_PROGRESS with `lastError`. */
  status: 'IN_PROGRESS' | 'SUCCEEDED' | 'SKIPPED';
  reason?: string;
  /** Source-stage retries made while IAM changes propagated. */
  retries?: number;
  lastError?: string;
}

/** A VPC host's settings, as the request gave them (its schema is the request contract's). */
export type VpcSettings = z.output<typeof vpcSettingsSchema>;

/** How a shared request reaches the hub's connection. */
export interface SharedConnection {
  /** The hub's connection (also the record's connectionArn): never deleted by a request. */
  connectionArn: string;
  /** The hub's resource share holding it, once found or made. */
  shareArn?: string;
  /** Set before this request associates the account: rollback then disassociates it. */
  associatedByRequest?: boolean;
}

/** Something that uses a connection, found by the deletion guard (functions/decommission/guard.ts). */
export interface ConnectionUser {
  kind: 'pipeline' | 'repository-link' | 'sync-configuration' | 'codebuild-project' | 'resource-share';
  /** The pipeline, repository link id, CodeBuild project or resource share name. */
  name: string;
  arn?: string;
  /** Where in a pipeline: `Stage/Action`. */
  where?: string;
  /** Whether detach: true undoes it: a pipeline source action the broker attached for this request (the action before is put back), or this request's own Git sync configuration and repository link (deleted). */
  restorable?: boolean;
}

/**
 * A decommission of the request's connection: who asked, whether pipelines were to be detached,
 * what used the connection when it was asked, and how it ended. After it finishes, with the
 * record's ARNs, timeline and status DECOMMISSIONED, the record is the connection's tombstone.
 */
export interface Decommission {
  by: string;
  at: string;
  reason?: string;
  detach: boolean;
  /** `approvers`: an owner asked, and the approvers must allow it first; `none`: it ran at once. */
  approval: 'approvers' | 'none';
  usedBy: ConnectionUser[];
  executionArn?: string;
  /** The decommission's own approval (the handshake's stays in the record's history). */
  approvalId?: string;
  finishedAt?: string;
  /** Why it did not happen (rejected, timed out, failed): the connection stays, and works. */
  abandoned?: { code: string; message: string };
}

/**
 * A change to the host this request created (PATCH /v1/hosts/{id}): what changed, from what, and
 * how it ended. UpdateHost sends the host back to PENDING, so the host admin sets it up again, with
 * the same wait as a new host's.
 */
export interface HostUpdate {
  by: string;
  at: string;
  changes: { providerEndpoint?: string; vpcConfiguration?: VpcSettings };
  previous: { providerEndpoint: string; vpcConfiguration?: VpcSettings };
  executionArn?: string;
  finishedAt?: string;
  /** Why it did not finish (UpdateHost refused, the host failed, or nobody set it up in time). */
  abandoned?: { code: string; message: string };
}

/**
 * A request that replaces another's connection (POST /v1/connections/{id}/replace): which request
 * and connection, and which pipelines used it when the replacement was asked for.
 */
export interface Replacement {
  requestId: string;
  connectionArn: string;
  pipelines: string[];
}

/** A pipeline a replacement moved to its new connection: rollback moves it back. */
export interface RepointedPipeline {
  pipelineName: string;
  /** `Stage/Action` of each source action moved. */
  actions: string[];
  pipelineVersion?: number;
  /** The execution started once it pointed at the new connection. */
  pipelineExecutionId?: string;
}

export interface ConnectionRequestRecord {
  requestId: string;
  status: RequestStatus;
  /** `slackUserId` (from a JWT claim) lets the outcome reach the requester as a Slack DM. */
  requester: { id: string; email?: string; slackUserId?: string };
  providerEndpoint: string;
  /** What runs at the endpoint; absent on records made before GitLab was supported, which are GHES (read it with providerTypeOf). */
  providerType?: ProviderType;
  connectionName: string;
  hostName: string;
  vpcConfiguration?: VpcSettings;
  pipeline?: PipelineTarget;
  /** Git sync, instead of or beside the pipeline. */
  gitSync?: GitSyncTarget;
  gitSyncState?: GitSyncState;
  tags: Record<string, string>;
  /** The spoke account the request provisions in (functions/adapters/aws/target-clients.ts); absent: the broker's own. */
  accountId?: string;
  region: string;
  /** The spoke account's own approvers (its registration's, as they were when the request was made). */
  accountApprovers?: string[];
  /**
   * `shared`: the hub's AVAILABLE codeconnections connection is shared to the spoke with AWS RAM (no
   * host, no handshake); `dedicated` (or absent): the request makes its own host and connection.
   */
  connectionStrategy?: 'shared' | 'dedicated';
  /** A shared request's resource share, and whether this request associated the account (rollback undoes only that). */
  share?: SharedConnection;
  createdAt: string;
  updatedAt: string;
  /** Set once the workflow starts; after a cancel, the execution that rolls the request back. */
  executionArn?: string;
  /**
   * Who cancelled and when; `rollbackExecutionArn` once the rollback was handed to the workflow
   * (a cancel whose hand-off failed may be repeated), `stoppedExecutionArn` the execution it stopped.
   */
  cancellation?: { by: string; at: string; rollbackExecutionArn?: string; stoppedExecutionArn?: string };
  hostArn?: string;
  /** Rollback deletes a host only when this request created it. */
  hostCreatedByRequest?: boolean;
  /** When the request reused a shared host: the request that created it and that request's requester (the host's owner). */
  hostCreatedBy?: { requestId: string; requesterId?: string };
  connectionArn?: string;
  /** Where we attached, and the source action as it was before, so rollback can restore it. */
  attachment?: PipelineAttachment;
  /** Inline policies this request added (rollback removes them). */
  grants?: RoleGrant[];
  /** UseConnection permissions the pipeline's roles still lack; empty when all is well. */
  permissionFindings?: PermissionFinding[];
  firstRun?: FirstRun;
  /** The request's one approval (all stages of the wait share it), fixed when the approvers are first asked. */
  approvalId?: string;
  waitingFor?: WaitingFor;
  failure?: { code: string; message: string };
  decommission?: Decommission;
  hostUpdate?: HostUpdate;
  /** This request makes a new connection for another's, and moves its pipelines over. */
  replaces?: Replacement;
  /** The pipelines this replacement moved (written before each move, so rollback can undo it). */
  repointed?: RepointedPipeline[];
  /** On a replaced request: the request whose connection took over. */
  replacedBy?: string;
  /**
   * The host-reuse lock this request's host is under, when not its endpoint's: a host in repair
   * (POST /v1/hosts/{id}/repair) hands the endpoint's lock to the new host and keeps its own aside.
   */
  hostLockKey?: string;
  /** `codeconnections`: the connection is created through CodeConnections (its ARN has that prefix). */
  connectionPrefix?: 'codeconnections';
  timeline: TimelineEntry[];
  /** Optimistic-concurrency counter for single-item conditional writes. */
  revision: number;
}
