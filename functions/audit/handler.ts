import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { provideClients } from '../adapters/aws-clients.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { lambdaHandler } from '../shell/lambda-handler.ts';
import { logger } from '../shell/powertools.ts';
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
async function audit(event: ScheduledEvent | OnDemandAudit): Promise<AuditOutcome> {
  const command = commandOf(event);
  logger.appendKeys({ auditId: command.auditId });
  const report = await runAudit(command, auditDependencies());
  if (!report) return { auditId: command.auditId, status: 'SKIPPED' };
  return { auditId: report.auditId, status: report.status, findings: report.summary?.total };
}

// The audit's own paced clients are built per audit (audit-clients.ts); the table's at init.
provideClients(documentsClient);

/** An on-demand audit's id is known from the event; a scheduled one gets its id in `audit`. */
export const handler = lambdaHandler(audit, { correlate: (event) => ('auditId' in event ? { auditId: event.auditId } : {}) });

function commandOf(event: ScheduledEvent | OnDemandAudit): AuditCommand {
  if ('auditId' in event) return { auditId: event.auditId, trigger: 'api', requestedBy: event.requestedBy, asOf: validDate(event.asOf) };
  return { auditId: randomUUID(), trigger: 'schedule', asOf: validDate(event.time) };
}

function validDate(value: string | undefined): Date {
  const date = new Date(value ?? Date.now());
  return Number.isNaN(date.getTime()) ? new Date() : date;
}
