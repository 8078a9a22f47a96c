import { randomUUID } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Caller } from '../api/caller.ts';
import { badRequest, conflict, forbidden } from '../api/errors.ts';
import type { OnDemandAudit } from './handler.ts';
import type { AuditReport } from './report.ts';
import { AUDIT_LEASE_SECONDS } from './run-audit.ts';
import type { AuditStore } from './store.ts';

export interface StartAuditDependencies {
  store: AuditStore;
  stepFunctions: SFNClient;
  stateMachineArn: string;
  now?: () => Date;
}

/**
 * POST /v1/audits: an audit of a full account takes longer than an HTTP request may, so the API
 * records the audit, takes the one-audit-at-a-time lock, and starts it in the audit state machine;
 * the caller follows `links.self` until the status is COMPLETED or FAILED.
 *
 * `asOf` (admins, optional): evaluate ages as of that time instead of now. It exists for testing
 * and demos (locally, `npm run audit` passes the sandbox clock), and it is recorded in the report.
 */
export async function startAudit(caller: Caller, body: unknown, deps: StartAuditDependencies): Promise<AuditReport & { links: { self: string } }> {
  if (!caller.isAdmin) throw forbidden('Only admins may run audits.');
  const now = (deps.now ?? (() => new Date()))();
  const asOf = asOfFrom(body) ?? now;
  const report: AuditReport = {
    auditId: randomUUID(),
    status: 'RUNNING',
    trigger: 'api',
    requestedBy: caller.id,
    asOf: asOf.toISOString(),
    startedAt: now.toISOString(),
    findings: [],
  };
  const begun = await deps.store.begin(report, AUDIT_LEASE_SECONDS, now.getTime());
  if (!begun.started) {
    throw conflict('AuditInProgress', `Audit ${begun.runningAuditId} is still running; follow /v1/audits/${begun.runningAuditId}.`, [
      { path: 'auditId', message: begun.runningAuditId },
    ]);
  }
  const input: OnDemandAudit = { auditId: report.auditId, asOf: report.asOf, requestedBy: caller.id };
  try {
    await deps.stepFunctions.send(new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: report.auditId, input: JSON.stringify(input) }));
  } catch (error) {
    await deps.store.fail({ ...report, status: 'FAILED', finishedAt: new Date().toISOString(), failure: `could not start the audit: ${(error as Error).name}` });
    throw error;
  }
  return { ...report, links: { self: `/v1/audits/${report.auditId}` } };
}

function asOfFrom(body: unknown): Date | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object.', [{ path: 'body', message: 'must be an object' }]);
  const unknownFields = Object.keys(body).filter((key) => key !== 'asOf');
  if (unknownFields.length > 0) throw badRequest('Unknown fields.', unknownFields.map((path) => ({ path, message: 'not a known field' })));
  const { asOf } = body as { asOf?: unknown };
  if (asOf === undefined) return undefined;
  const date = typeof asOf === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(asOf) ? new Date(asOf) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw badRequest('asOf must be an ISO 8601 date-time.', [{ path: 'asOf', message: 'must be an ISO 8601 date-time' }]);
  return date;
}
