import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import type { FunctionOutputLine } from '../../infra/local/runtime/function-output.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor } from './local-system.ts';

/**
 * Following one request through CloudWatch (issue 12): every function runs in the same middy +
 * Powertools shell, so every log line a workflow step prints carries the request's id, and the
 * Lambda context (function name, cold start, Lambda's own request id) comes with it. One request
 * goes end to end (host set up, handshake, attach, first run) with the functions' own output read
 * as Lambda would send it to CloudWatch.
 */

interface RequestBody {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
}

interface LogLine {
  level?: string;
  message?: string;
  function_name?: string;
  function_request_id?: string;
  cold_start?: boolean;
  requestId?: string;
  step?: string;
  _aws?: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** The workflow steps as serverless.yml names their functions (statemachines/provisioning.asl.yml). */
const STEP_FUNCTIONS = ['acquireHost', 'awaitHostSetup', 'createConnection', 'requestApproval', 'verifyConnection', 'attachPipeline', 'firstRun', 'completeRequest'];

let system: LocalSystem;
const output: FunctionOutputLine[] = [];

beforeAll(async () => {
  system = await startSystem({}, { logFormat: 'readable', functionOutput: (line) => output.push(line) });
}, 60_000);
afterAll(async () => {
  await system?.close();
});

function logLinesOf(functionName: string): LogLine[] {
  return output
    .filter((line) => line.function === functionName && line.line.trim().startsWith('{'))
    .map((line) => JSON.parse(line.line) as LogLine)
    .filter((line) => line._aws === undefined);
}

function metricNames(): string[] {
  return output
    .filter((line) => line.line.includes('"_aws"'))
    .flatMap((line) => (JSON.parse(line.line) as LogLine)._aws!.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name)));
}

describe('one request through the logs', () => {
  it('carries its request id on every log line of every step, with the Lambda context, and counts it in the metrics', async () => {
    const alice = await tokenFor('alice@example.com');
    await sandboxControl(system, 'POST', '/pipelines', { name: 'ledger' });
    const created = await api<RequestBody>(system, 'POST', '/v1/connection-requests', {
      token: alice,
      idempotencyKey: 'request-logs-1',
      body: { providerEndpoint: 'https://ghe.example.com', pipeline: { name: 'ledger', fullRepositoryId: 'platform/ledger', branchName: 'main' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const { requestId } = created.body;
    const read = async () => (await api<RequestBody>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: alice })).body;
    const inStatus = (status: string) => eventually(read, (request) => request.status === status, `request ${requestId} to be ${status}`);

    const waiting = await inStatus('WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    const awaiting = await inStatus('WAITING_FOR_APPROVAL');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: awaiting.connectionArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    await eventually(read, (request) => request.status === 'COMPLETED', `request ${requestId} to complete`, 40_000);
    // COMPLETED is written mid-step; the step's last lines (its outcome DM, its end, its metrics) follow.
    await eventually(async () => logLinesOf('completeRequest'), (lines) => lines.some((line) => line.message === 'complete-request: done'), 'completeRequest to end');
    await eventually(async () => metricNames(), (names) => names.includes('RequestsCompleted'), 'completeRequest to flush its metrics');

    for (const step of STEP_FUNCTIONS) {
      const lines = logLinesOf(step);
      // Each step says when it starts and how it ended, so there is always something to follow.
      expect(lines.length, `${step} logged too little: ${output.filter((line) => line.function === step).map((line) => line.line).join("\n")}`).toBeGreaterThanOrEqual(2);
      for (const line of lines) {
        expect(line.requestId, `${step}: ${JSON.stringify(line)}`).toBe(requestId);
        expect(line.function_name, `${step}: ${JSON.stringify(line)}`).toMatch(new RegExp(`-${step}$`));
        expect(typeof line.function_request_id, `${step}: ${JSON.stringify(line)}`).toBe('string');
        expect(typeof line.cold_start).toBe('boolean');
      }
      expect(lines.map((line) => line.message)).toContain(`${lines[0]!.step}: done`);
    }
    // The API's own lines for this request name it too, from the moment it is known.
    const accepted = logLinesOf('api').filter((line) => line.message === 'connection request accepted');
    expect(accepted.map((line) => line.requestId)).toContain(requestId);
    // The watcher's line for the finished step names the request it resumed.
    expect(logLinesOf('watcher').filter((line) => line.message?.startsWith('a person finished their step')).map((line) => line.requestId)).toContain(requestId);

    // Workflow metrics (EMF): a start, a completion, and how long each person took.
    const names = metricNames();
    for (const name of ['RequestsStarted', 'RequestsCompleted', 'RequestsEnded', 'HumanWaitDuration', 'ColdStart']) expect(names, name).toContain(name);
  }, 90_000);
});
