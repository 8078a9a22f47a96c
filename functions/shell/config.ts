import { readPipelineAttachConfig, type PipelineAttachConfig } from '../attach/config.ts';
import { readQuotas, type Quotas } from '../request/quotas.ts';
import { DEFAULT_APPROVAL_SCHEDULE, validApprovalSchedule, type ApprovalSchedule } from '../approval/schedule.ts';

/**
 * Settings read from the Lambda environment (serverless.yml sets them on AWS; the local runtime
 * sets the same variables). Read once per container.
 */
export interface BrokerConfig {
  tableName: string;
  region: string;
  stateMachineArn: string;
  /** The decommission machine (statemachines/decommission.asl.yml), started by DELETE /v1/connections/{id}. */
  decommissionStateMachineArn: string;
  /** The host update machine (statemachines/host-update.asl.yml), started by PATCH /v1/hosts/{id}. */
  hostUpdateStateMachineArn: string;
  /** Who must allow an owner's decommission: `approvers` (default) or `none`. An admin's always runs at once. */
  ownerDecommissionApproval: 'approvers' | 'none';
  /** Hosts (exact, or `*.example.com`) requesters may connect to. */
  allowedEndpoints: string[];
  /** `endpoint`: one host per GHES URL (and VPC); `never`: a new host for every request. */
  hostReusePolicy: 'endpoint' | 'never';
  /** Slack channel for "Set up host" notices (GHES admins) and for approvals. */
  hostAdminsChannel: string | undefined;
  approversChannel: string | undefined;
  /** Reminder, escalation and timeout, counted from when the approvers were asked (validated: in that order). */
  approvalSchedule: ApprovalSchedule;
  /**
   * APPROVAL_MODE. `handshake` (default): the connection becoming AVAILABLE is the approval, so the
   * person who finished "Update pending connection" has nothing more to do. `explicit`: an approver
   * must also approve (Slack or the API) once it is AVAILABLE. Reject works in both.
   */
  approvalMode: ApprovalMode;
  /** The Slack workspace and app whose clicks count; unset, the interactivity endpoint refuses everything. */
  slackTeamId: string | undefined;
  slackAppId: string | undefined;
  /** Who may approve (JSON, see functions/approval/approvers.ts); parsed where it is used. */
  slackApprovers: string | undefined;
  /** JWT claim carrying the requester's Slack user id, so the outcome reaches them as a DM. */
  slackUserClaim: string;
  /** How long a request waits for "Set up host" before it times out and rolls back (7 days). */
  hostSetupTimeoutSeconds: number;
  /** JWT claim that lists the caller's groups, and the group that makes an admin. */
  groupsClaim: string;
  adminGroup: string;
  /** Whether the backend may call the GHES meta API during pre-flight. */
  checkGhesVersion: boolean;
  /** The account's host and connection quotas, for pre-flight's headroom check (validated: positive). */
  quotas: Quotas;
  /** Pipeline attach: grants, first run, concurrent-edit retries. */
  pipelineAttach: PipelineAttachConfig;
  /** The account the broker (the hub) runs in; requests for any other account go to a spoke. */
  accountId: string;
  /** The role the hub assumes in a spoke account (infra/spoke-role.yml), and the external id its trust policy requires. */
  spokeRoleName: string;
  spokeExternalId: string;
  /** JWT claim naming the requester's team or teams (a string or a list): the accounts they may ask for. */
  teamClaim: string;
}

export type ApprovalMode = 'handshake' | 'explicit';

let cached: BrokerConfig | undefined;

export function config(): BrokerConfig {
  cached ??= readConfig(process.env);
  return cached;
}

/** Tests and the local runtime re-read the environment after changing it. */
export function resetConfig(): void {
  cached = undefined;
}

export function readConfig(env: NodeJS.ProcessEnv): BrokerConfig {
  return {
    tableName: required(env, 'TABLE_NAME'),
    region: env.AWS_REGION ?? 'us-east-1',
    stateMachineArn: env.STATE_MACHINE_ARN ?? '',
    decommissionStateMachineArn: env.DECOMMISSION_STATE_MACHINE_ARN ?? '',
    hostUpdateStateMachineArn: env.HOST_UPDATE_STATE_MACHINE_ARN ?? '',
    ownerDecommissionApproval: env.OWNER_DECOMMISSION_APPROVAL === 'none' ? 'none' : 'approvers',
    allowedEndpoints: list(env.ALLOWED_PROVIDER_ENDPOINTS),
    hostReusePolicy: env.HOST_REUSE_POLICY === 'never' ? 'never' : 'endpoint',
    hostAdminsChannel: env.SLACK_HOST_ADMINS_CHANNEL || undefined,
    approversChannel: env.SLACK_APPROVERS_CHANNEL || undefined,
    ...approvalSettings(env),
    slackTeamId: env.SLACK_TEAM_ID || undefined,
    slackAppId: env.SLACK_APP_ID || undefined,
    slackApprovers: env.SLACK_APPROVERS || undefined,
    slackUserClaim: env.JWT_SLACK_USER_CLAIM || 'slack_user_id',
    hostSetupTimeoutSeconds: positiveWholeSeconds(env, 'HOST_SETUP_TIMEOUT_SECONDS', 7 * 24 * 3600),
    groupsClaim: env.JWT_GROUPS_CLAIM ?? 'groups',
    adminGroup: env.ADMIN_GROUP ?? 'connection-broker-admins',
    checkGhesVersion: env.CHECK_GHES_VERSION !== 'false',
    quotas: readQuotas(env),
    pipelineAttach: readPipelineAttachConfig(env),
    accountId: env.BROKER_ACCOUNT_ID ?? '',
    spokeRoleName: env.SPOKE_ROLE_NAME || 'connection-broker-spoke',
    spokeExternalId: env.SPOKE_EXTERNAL_ID || 'connection-broker',
    teamClaim: env.JWT_TEAM_CLAIM || 'team',
  };
}

/** A schedule whose reminder does not come before its escalation is a deployment error: refuse to start. */
function approvalSettings(env: NodeJS.ProcessEnv): Pick<BrokerConfig, 'approvalSchedule' | 'approvalMode'> {
  const approvalSchedule = validApprovalSchedule({
    reminderAfterSeconds: number(env.APPROVAL_REMINDER_AFTER_SECONDS, DEFAULT_APPROVAL_SCHEDULE.reminderAfterSeconds),
    escalateAfterSeconds: number(env.APPROVAL_ESCALATE_AFTER_SECONDS, DEFAULT_APPROVAL_SCHEDULE.escalateAfterSeconds),
    timeoutSeconds: number(env.APPROVAL_TIMEOUT_SECONDS, DEFAULT_APPROVAL_SCHEDULE.timeoutSeconds),
  });
  const mode = env.APPROVAL_MODE || 'handshake';
  if (mode !== 'handshake' && mode !== 'explicit') throw new Error(`APPROVAL_MODE must be "handshake" or "explicit", got "${mode}"`);
  return { approvalSchedule, approvalMode: mode };
}

/** A Step Functions TimeoutSeconds: a positive whole number; anything else is a deployment error. */
function positiveWholeSeconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number of seconds, got "${text}"`);
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function number(value: string | undefined, fallback: number): number {
  const parsed = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}
