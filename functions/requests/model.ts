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
  requester: { id: string; email?: string };
  providerEndpoint: string;
  connectionName: string;
  hostName: string;
  vpcConfiguration?: VpcSettings;
  pipeline?: PipelineTarget;
  tags: Record<string, string>;
  region: string;
  createdAt: string;
  updatedAt: string;
  /** Set once the workflow starts. */
  executionArn?: string;
  hostArn?: string;
  /** Rollback deletes a host only when this request created it. */
  hostCreatedByRequest?: boolean;
  connectionArn?: string;
  /** Where we attached, and the source action as it was before, so rollback can restore it. */
  attachment?: { stageName: string; actionName: string; previousAction: unknown; pipelineVersion: number };
  waitingFor?: WaitingFor;
  failure?: { code: string; message: string };
  timeline: TimelineEntry[];
  /** Optimistic-concurrency counter for single-item conditional writes. */
  revision: number;
}
