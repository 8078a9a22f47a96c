import type { TriggerFilters } from '../attach/triggers.ts';

/**
 * A connection request as the broker records it: the single source of truth for what was asked,
 * what the workflow has done (so rollback knows what it owns) and what it is waiting for.
 */

export const TERMINAL_STATUSES = ['COMPLETED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED'] as const;
export const ACTIVE_STATUSES = [
  'ACCEPTED',
  'PROVISIONING_HOST',
  'WAITING_FOR_HOST_SETUP',
  'CREATING_CONNECTION',
  'WAITING_FOR_APPROVAL',
  'VERIFYING_CONNECTION',
  'ATTACHING_PIPELINE',
  'ROLLING_BACK',
] as const;

export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type RequestStatus = (typeof ACTIVE_STATUSES)[number] | TerminalStatus;

export function isTerminal(status: RequestStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Whether the workflow may still change things for the request: not finished, and not being rolled back. */
export function isActive(status: RequestStatus): boolean {
  return !isTerminal(status) && status !== 'ROLLING_BACK';
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

export interface PipelineTarget {
  name: string;
  sourceActionName?: string;
  fullRepositoryId: string;
  branchName: string;
  outputArtifactFormat: 'CODE_ZIP' | 'CODEBUILD_CLONE_REF';
  detectChanges: boolean;
  /** V2 pipelines: the trigger the source action should get (`trigger: true` becomes a push filter on the branch). */
  trigger?: TriggerFilters;
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

export interface VpcSettings {
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  tlsCertificate?: string;
}

export interface ConnectionRequestRecord {
  requestId: string;
  status: RequestStatus;
  /** `slackUserId` (from a JWT claim) lets the outcome reach the requester as a Slack DM. */
  requester: { id: string; email?: string; slackUserId?: string };
  providerEndpoint: string;
  connectionName: string;
  hostName: string;
  vpcConfiguration?: VpcSettings;
  pipeline?: PipelineTarget;
  tags: Record<string, string>;
  region: string;
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
  timeline: TimelineEntry[];
  /** Optimistic-concurrency counter for single-item conditional writes. */
  revision: number;
}
