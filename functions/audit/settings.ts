import { readQuotas } from '../request/quotas.ts';
import type { Thresholds } from './model.ts';

/** The auditor's settings, from the Lambda environment (serverless.yml params; defaults below). */
export interface AuditSettings {
  thresholds: Thresholds;
  /**
   * AWS has no change marker for tags or inline policies, so they are read again once older than
   * this; in between, audits reuse what they read (that is what keeps a repeat audit cheap).
   */
  tagsMaxAgeHours: number;
  rolePoliciesMaxAgeMinutes: number;
  /** Where the summary goes when findings change; unset: no Slack summary. */
  slackChannel?: string;
  /** The state machine that runs on-demand audits (POST /v1/audits). */
  stateMachineArn: string;
  reportRetentionDays: number;
  /** How many accounts and Regions a fleet audit reads at once (each paced on its own limits). */
  concurrency: number;
}

export function readAuditSettings(env: NodeJS.ProcessEnv = process.env): AuditSettings {
  const quotas = readQuotas(env);
  return {
    thresholds: {
      hostPendingHours: number(env.AUDIT_HOST_PENDING_HOURS, 24),
      connectionPendingHours: number(env.AUDIT_CONNECTION_PENDING_HOURS, 24),
      quotaWarnRatio: number(env.AUDIT_QUOTA_WARN_PERCENT, 80) / 100,
      hostQuota: quotas.hosts,
      connectionQuota: quotas.connections,
    },
    tagsMaxAgeHours: number(env.AUDIT_TAGS_MAX_AGE_HOURS, 24),
    // Just under the hourly schedule, so every scheduled audit reads role policies afresh.
    rolePoliciesMaxAgeMinutes: number(env.AUDIT_ROLE_POLICIES_MAX_AGE_MINUTES, 50),
    slackChannel: env.SLACK_AUDIT_CHANNEL || env.SLACK_HOST_ADMINS_CHANNEL || undefined,
    stateMachineArn: env.AUDIT_STATE_MACHINE_ARN ?? '',
    reportRetentionDays: number(env.AUDIT_REPORT_RETENTION_DAYS, 90),
    concurrency: Math.max(1, Math.round(number(env.AUDIT_CONCURRENCY, 40))),
  };
}

function number(value: string | undefined, fallback: number): number {
  const parsed = value === undefined || value === '' ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}
