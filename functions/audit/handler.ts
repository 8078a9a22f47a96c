import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { clients, provideClients } from '../adapters/aws-clients.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import { lambdaHandler } from '../shell/lambda-handler.ts';
import { logger } from '../shell/powertools.ts';
import { auditDependencies } from './context.ts';
import type { Place } from './places.ts';
import type { PlaceOutcome } from './report.ts';
import { auditPlace, failAudit, finishAudit, planAudit, type AuditCommand, type AuditPlan } from './run-audit.ts';
import { startAuditExecution } from './start-audit.ts';

/** The steps of the audit state machine (statemachines/audit.asl.yml), each a call of this function. */
export type AuditStep =
  | { step: 'plan'; audit: AuditCommand }
  | { step: 'place'; auditId: string; asOf: string; place: Place }
  | { step: 'finish'; auditId: string; places: Place[] }
  | { step: 'fail'; auditId: string; failure: { Error?: string; Cause?: string } };

export type AuditStepResult = AuditPlan | { skipped: true } | PlaceOutcome | { auditId: string; status: string; findings?: number } | { failed: true };

/**
 * The auditor. Its EventBridge schedule starts an audit in the audit state machine (ages are
 * evaluated at the event's `time`), as POST /v1/audits does; the machine then calls it for each
 * step: plan the places, audit each place (a Distributed Map), finish the report, or record a
 * failure. Each call returns a small result; the findings are in the table.
 */
async function audit(event: ScheduledEvent | AuditStep): Promise<AuditStepResult | { auditId: string; status: string }> {
  if (!('step' in event)) return startScheduled(event);
  const deps = auditDependencies();
  switch (event.step) {
    case 'plan':
      return (await planAudit(event.audit, deps)) ?? { skipped: true };
    case 'place':
      logger.appendKeys({ accountId: event.place.accountId, region: event.place.region });
      return auditPlace(event, event.place, deps);
    case 'finish': {
      const report = await finishAudit(event, event.places, deps);
      return { auditId: report.auditId, status: report.status, findings: report.summary?.total };
    }
    case 'fail':
      await failAudit(event, [event.failure.Error, readableCause(event.failure.Cause)].filter(Boolean).join(': ') || 'the audit state machine failed', deps);
      return { failed: true };
  }
}

async function startScheduled(event: ScheduledEvent): Promise<{ auditId: string; status: string }> {
  const deps = auditDependencies();
  const started = await startAuditExecution(
    { auditId: randomUUID(), trigger: 'schedule', asOf: validDate(event.time).toISOString() },
    { store: deps.auditStore, stepFunctions: clients().stepFunctions, stateMachineArn: deps.settings.stateMachineArn },
  );
  if (!started.started) {
    logger.info('another audit is running; skipping', { runningAuditId: started.runningAuditId });
    return { auditId: started.runningAuditId, status: 'SKIPPED' };
  }
  return { auditId: started.report.auditId, status: started.report.status };
}

/** Lambda's error Cause is a JSON document; its message is what a reader wants. */
function readableCause(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}

function validDate(value: string | undefined): Date {
  const date = new Date(value ?? Date.now());
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

provideClients(documentsClient, stepFunctionsClient);

/** Every step's log lines carry the audit's id (and a place's account and Region). */
export const handler = lambdaHandler(audit, { correlate: (event) => ('auditId' in event ? { auditId: event.auditId } : 'audit' in event ? { auditId: event.audit.auditId } : {}) });
