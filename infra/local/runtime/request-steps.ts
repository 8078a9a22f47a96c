import type { Sandbox } from '../sandbox/server.ts';
import { cap, clock, oneLine } from './function-output.ts';

/**
 * One readable line per step of each request, for the `npm start` terminal:
 *
 *   10:41:02  3f2a9c1e  host-setup   WAITING_FOR_HOST_SETUP  Asked the GHES administrators for host arn:aws:…
 *
 * The source is the request record's timeline, which every step appends to (`timelineEntry`): each
 * write of a request record is a whole PutItem (BrokerStore), so the local runtime watches those
 * writes as they pass through the sandbox to DynamoDB, as a DynamoDB stream would show them (no
 * polling, and the product knows nothing of it). A write prints the entries it added, each once.
 */

/** A DynamoDB call the sandbox passed on, and how DynamoDB answered it. */
export interface DynamoDbCall {
  operation: string;
  input: Record<string, unknown>;
  status: number;
}

export interface RequestStep {
  at: string;
  requestId: string;
  step: string;
  /** The request's status once the step was written. */
  status: string;
  actor: string;
  message: string;
}

const MAX_MESSAGE_LENGTH = 300;

/** Prints a line (`stepLine`) for each step of each request from now on, as the sandbox passes its record's writes to DynamoDB. */
export function reportRequestSteps(sandbox: Pick<Sandbox, 'afterDynamoDbCall' | 'clock'>, tableName: string | undefined, log: (line: string) => void): void {
  const sinceIso = new Date(sandbox.clock.nowMs()).toISOString();
  sandbox.afterDynamoDbCall = requestStepWatcher({ tableName, sinceIso, report: (step) => log(stepLine(step)) });
}

/**
 * Returns the observer of DynamoDB calls that reports each new timeline entry of a request once.
 * `sinceIso` is the sandbox time the system started: the entries of a request this process has not
 * seen written yet (one from an earlier run, under `.local/`) count as new from then on.
 */
export function requestStepWatcher(options: { tableName?: string; sinceIso: string; report: (step: RequestStep) => void }): (call: DynamoDbCall) => void {
  const seen = new Map<string, { revision: number; entries: number }>();
  return (call) => {
    if (call.operation !== 'PutItem' || call.status !== 200) return;
    if (options.tableName !== undefined && call.input.TableName !== options.tableName) return;
    const item = fromAttributeMap(call.input.Item);
    if (!item || typeof item.pk !== 'string' || !item.pk.startsWith('REQ#') || item.sk !== 'REQUEST') return;
    const requestId = String(item.requestId ?? item.pk.slice('REQ#'.length));
    const revision = typeof item.revision === 'number' ? item.revision : 0;
    const timeline = Array.isArray(item.timeline) ? (item.timeline as Record<string, unknown>[]) : [];
    const before = seen.get(requestId);
    // Writes are conditional on the revision read, so a later revision holds every earlier entry.
    if (before && revision <= before.revision) return;
    const known = before?.entries ?? timeline.filter((entry) => String(entry.at ?? '') < options.sinceIso).length;
    seen.set(requestId, { revision, entries: timeline.length });
    for (const entry of timeline.slice(known)) {
      options.report({
        at: String(entry.at ?? ''),
        requestId,
        step: String(entry.step ?? ''),
        status: String(item.status ?? ''),
        actor: String(entry.actor ?? ''),
        message: String(entry.message ?? ''),
      });
    }
  };
}

/** `HH:MM:SS  <id's first 8>  <step>  <status>  <message> (by <actor>)`; the system's own steps name no actor. */
export function stepLine(step: RequestStep): string {
  const by = step.actor && step.actor !== 'system' ? ` (by ${step.actor})` : '';
  return [clock(step.at), step.requestId.slice(0, 8), step.step.padEnd(11), step.status.padEnd(22), cap(oneLine(step.message), MAX_MESSAGE_LENGTH) + by].join('  ');
}

/** A DynamoDB item from its wire form (`{"S": …}`, `{"N": …}`, `{"L": […]}`, `{"M": {…}}`, …). */
function fromAttributeMap(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, attribute]) => [key, fromAttribute(attribute)]));
}

function fromAttribute(attribute: unknown): unknown {
  if (typeof attribute !== 'object' || attribute === null) return undefined;
  const [[type, value] = []] = Object.entries(attribute as Record<string, unknown>);
  switch (type) {
    case 'S':
    case 'BOOL':
      return value;
    case 'N':
      return Number(value);
    case 'NULL':
      return null;
    case 'L':
      return Array.isArray(value) ? value.map(fromAttribute) : [];
    case 'M':
      return fromAttributeMap(value);
    case 'SS':
      return value;
    case 'NS':
      return Array.isArray(value) ? value.map(Number) : [];
    default:
      return undefined;
  }
}
