import { randomUUID } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Caller } from '../request/caller.ts';
import { badRequest, conflict, forbidden } from '../shell/http-errors.ts';
import type { AuditReport } from './report.ts';
import { AUDIT_LEASE_SECONDS, runningReport, type AuditCommand } from './run-audit.ts';
import type { AuditStore } from './store.ts';

export interface StartAuditDependencies {
  store: AuditStore;
  stepFunctions: SFNClient;
  stateMachineArn: string;
  now?: () => Date;
}

/**
 * POST /v1/audits: an audit of a fleet takes longer than an HTTP request may, so the API records
 * the audit, takes the one-audit-at-a-time lock, and starts it in the audit state machine; the
 * caller follows `links.self` until the status is COMPLETED or FAILED.
 *
 * `asOf` (admins, optional): evaluate ages as of that time instead of now. It exists for testing
 * and demos (locally, `npm run audit` passes the sandbox clock), and it is recorded in the report.
 */
export async function startAudit(caller: Caller, body: unknown, deps: StartAuditDependencies): Promise<AuditReport & { links: { self: string } }> {
  if (!caller.isAdmin) throw forbidden('Only admins may run audits.');
  const now = (deps.now ?? (() => new Date()))();
  const asOf = asOfFrom(body) ?? now;
  const started = await startAuditExecution({ auditId: randomUUID(), trigger: 'api', requestedBy: caller.id, asOf: asOf.toISOString() }, deps);
  if (!started.started) {
    throw conflict('AuditInProgress', `Audit ${started.runningAuditId} is still running; follow /v1/audits/${started.runningAuditId}.`, [
      { path: 'auditId', message: started.runningAuditId },
    ]);
  }
  return { ...started.report, links: { self: `/v1/audits/${started.report.auditId}` } };
}

/**
 * Records the audit, takes the lock, and starts the audit state machine (the API and the schedule
 * both start audits so). A start that fails gives the lock back and marks the audit FAILED.
 */
export async function startAuditExecution(
  command: AuditCommand,
  deps: StartAuditDependencies,
): Promise<{ started: true; report: AuditReport } | { started: false; runningAuditId: string }> {
  const now = (deps.now ?? (() => new Date()))();
  const report = runningReport(command, now);
  const begun = await deps.store.begin(report, AUDIT_LEASE_SECONDS, now.getTime());
  if (!begun.started) return begun;
  try {
    await deps.stepFunctions.send(new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: report.auditId, input: JSON.stringify(command) }));
  } catch (error) {
    await deps.store.fail({ ...report, status: 'FAILED', finishedAt: new Date().toISOString(), failure: `could not start the audit: ${(error as Error).name}` });
    throw error;
  }
  return { started: true, report };
}

/** The `asOf` of a POST /v1/audits body, or undefined when there is none; 400 when it is not an RFC 3339 date-time. */
export function asOfFrom(body: unknown): Date | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('The body must be a JSON object.', [{ path: 'body', message: 'must be an object' }]);
  const unknownFields = Object.keys(body).filter((key) => key !== 'asOf');
  if (unknownFields.length > 0) throw badRequest('Unknown fields.', unknownFields.map((path) => ({ path, message: 'not a known field' })));
  const { asOf } = body as { asOf?: unknown };
  if (asOf === undefined) return undefined;
  const date = typeof asOf === 'string' ? parseRfc3339(asOf) : undefined;
  if (!date) {
    throw badRequest('asOf must be an RFC 3339 date-time with a time-zone offset, e.g. 2026-01-01T00:00:00Z.', [
      { path: 'asOf', message: 'must be an RFC 3339 date-time with a time-zone offset (Z or ±hh:mm)' },
    ]);
  }
  return date;
}

const RFC_3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/u;

/**
 * An RFC 3339 `date-time` (section 5.6): a full date, `T` or `t`, a full time with optional
 * fractions of a second, and a time-zone offset (`Z`, `z` or `±hh:mm`), which is required. Each
 * field is checked against its range (February 30 is no date). A leap second (`:60`) cannot be
 * represented and is refused. Anything else, undefined.
 */
export function parseRfc3339(text: string): Date | undefined {
  const match = RFC_3339_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHour = '0', offsetMinute = '0'] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [oh, om] = [Number(offsetHour), Number(offsetMinute)];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59 || oh > 23 || om > 59) return undefined;
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = zulu ? 0 : (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  const date = new Date(utc - offsetMs);
  // Date.UTC maps years 0–99 to 1900–1999.
  if (y < 100) date.setUTCFullYear(date.getUTCFullYear() - 1900);
  return date;
}
