import { describe, expect, it } from 'vitest';
import { requestStepWatcher, stepLine, type DynamoDbCall, type RequestStep } from '../../infra/local/runtime/request-steps.ts';

/** One line per step of each request, from the request records' writes as they pass through the sandbox. */

const TABLE = 'connection-broker-local';
const REQUEST_ID = '3f2a9c1e-0000-4000-8000-000000000001';
const START = '2026-03-01T10:00:00.000Z';

interface Entry {
  at: string;
  step: string;
  actor: string;
  message: string;
}

const entry = (at: string, step: string, message: string, actor = 'system'): Entry => ({ at, step, actor, message });

/** An item in DynamoDB's wire form, as the SDK sends it (strings, numbers, lists and maps are all a record holds). */
function marshall(item: Record<string, unknown>): Record<string, unknown> {
  const attribute = (value: unknown): unknown => {
    if (typeof value === 'string') return { S: value };
    if (typeof value === 'number') return { N: String(value) };
    if (Array.isArray(value)) return { L: value.map(attribute) };
    return { M: marshall(value as Record<string, unknown>) };
  };
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined).map(([key, value]) => [key, attribute(value)]));
}

function put(timeline: Entry[], status: string, revision: number, extra: Partial<DynamoDbCall> = {}): DynamoDbCall {
  const item = { pk: `REQ#${REQUEST_ID}`, sk: 'REQUEST', requestId: REQUEST_ID, status, revision, timeline, pipeline: undefined };
  return { operation: 'PutItem', status: 200, input: { TableName: TABLE, Item: marshall(item) }, ...extra };
}

function watch(sinceIso = START) {
  const steps: RequestStep[] = [];
  return { steps, observe: requestStepWatcher({ tableName: TABLE, sinceIso, report: (step) => steps.push(step) }) };
}

const requested = entry('2026-03-01T10:00:01.000Z', 'request', 'Requested a connection to https://ghe.example.com.', 'alice@example.com');
const preflight = entry('2026-03-01T10:00:01.000Z', 'preflight', 'Pre-flight checks passed.');
const host = entry('2026-03-01T10:00:02.000Z', 'host-setup', 'Asked the GHES administrators for host arn:aws:codestar-connections:us-east-1:111111111111:host/h-1: …');

describe('the request step watcher', () => {
  it("reports each entry a write adds, once, with the request's status after that write", () => {
    const { steps, observe } = watch();
    observe(put([requested, preflight], 'SUBMITTED', 0));
    observe(put([requested, preflight, host], 'WAITING_FOR_HOST_SETUP', 1));
    expect(steps).toEqual([
      { ...requested, requestId: REQUEST_ID, status: 'SUBMITTED' },
      { ...preflight, requestId: REQUEST_ID, status: 'SUBMITTED' },
      { ...host, requestId: REQUEST_ID, status: 'WAITING_FOR_HOST_SETUP' },
    ]);
  });

  it('ignores refused writes, other items and tables, reads, and an older revision seen late', () => {
    const { steps, observe } = watch();
    observe(put([requested], 'SUBMITTED', 0, { status: 400 }));
    observe(put([requested], 'SUBMITTED', 0, { operation: 'GetItem' }));
    observe({ operation: 'PutItem', status: 200, input: { TableName: TABLE, Item: marshall({ pk: 'APPROVAL#a', sk: 'APPROVAL', timeline: [requested] }) } });
    observe(put([requested], 'SUBMITTED', 0, { input: { TableName: 'another', Item: marshall({ pk: `REQ#${REQUEST_ID}`, sk: 'REQUEST', timeline: [requested] }) } }));
    expect(steps).toEqual([]);

    observe(put([requested, preflight, host], 'WAITING_FOR_HOST_SETUP', 2));
    observe(put([requested, preflight], 'SUBMITTED', 1));
    expect(steps.map((step) => step.step)).toEqual(['request', 'preflight', 'host-setup']);
  });

  it('reports, of a request written before this run (kept under .local/), only the entries since the start', () => {
    const { steps, observe } = watch('2026-03-01T10:00:02.000Z');
    observe(put([requested, preflight, host], 'WAITING_FOR_HOST_SETUP', 1));
    expect(steps.map((step) => step.step)).toEqual(['host-setup']);
  });
});

describe('a step line', () => {
  it('reads: time, short request id, step, status, message, and who when it was a person', () => {
    const local = new Date(requested.at);
    const time = [local.getHours(), local.getMinutes(), local.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
    expect(stepLine({ ...requested, requestId: REQUEST_ID, status: 'SUBMITTED' })).toBe(
      `${time}  3f2a9c1e  request      SUBMITTED               Requested a connection to https://ghe.example.com. (by alice@example.com)`,
    );
    expect(stepLine({ ...host, requestId: REQUEST_ID, status: 'WAITING_FOR_HOST_SETUP' })).toBe(
      `${time.slice(0, 6)}${String(new Date(host.at).getSeconds()).padStart(2, '0')}  3f2a9c1e  host-setup   WAITING_FOR_HOST_SETUP  ${host.message}`,
    );
  });

  it('stays one line, however long or multi-line the message', () => {
    const line = stepLine({ ...host, message: `first\nsecond ${'x'.repeat(1000)}`, requestId: REQUEST_ID, status: 'FAILED' });
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(400);
  });
});
