import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { auditDependencies } from './context.ts';
import { runAudit, type AuditCommand } from './run-audit.ts';

/** What the audit state machine passes for an on-demand audit (POST /v1/audits). */
export interface OnDemandAudit {
  auditId: string;
  asOf: string;
  requestedBy: string;
}

export interface AuditOutcome {
  auditId: string;
  status: string;
  findings?: number;
}

/**
 * The auditor: run by its EventBridge schedule (ages evaluated at the event's `time`) or by the
 * audit state machine for POST /v1/audits (at the `asOf` the API recorded). Returns a small
 * outcome; the report itself is in the table.
 */
export async function handler(event: ScheduledEvent | OnDemandAudit): Promise<AuditOutcome> {
  const command = commandOf(event);
  const report = await runAudit(command, auditDependencies());
  if (!report) return { auditId: command.auditId, status: 'SKIPPED' };
  return { auditId: report.auditId, status: report.status, findings: report.summary?.total };
}

function commandOf(event: ScheduledEvent | OnDemandAudit): AuditCommand {
  if ('auditId' in event) return { auditId: event.auditId, trigger: 'api', requestedBy: event.requestedBy, asOf: validDate(event.asOf) };
  return { auditId: randomUUID(), trigger: 'schedule', asOf: validDate(event.time) };
}

function validDate(value: string | undefined): Date {
  const date = new Date(value ?? Date.now());
  return Number.isNaN(date.getTime()) ? new Date() : date;
}
