/**
 * Benchmark P1, the watcher's cost: the AWS calls ONE sweep makes while 200 requests wait.
 * Prints `BENCH_RESULT {"waiting", "calls", "byOperation", "summary", ...}`. Run through `npm run bench`.
 *
 * The account: 200 real requests made through the HTTP API, 10 for each of 20 GHES endpoints
 * (`ghe-NN.example.com`), so 20 hosts are created and each is shared by 10 requests (the host quota
 * is 50; pre-flight counts hosts and connections). The hosts of 10 endpoints are then set up, and
 * the watcher resumes their 100 requests, which create their connections and wait for the
 * handshake (WAITING_FOR_APPROVAL); the other 100 keep waiting for their host
 * (WAITING_FOR_HOST_SETUP). 100 connections, within the quota of 250.
 *
 * Then one more minute passes and one sweep runs, with nothing changed. Its calls are counted as
 * the sandbox saw them, by the watcher's own credentials (every call the sandbox authorises, DynamoDB
 * included), and compared with the SweepSummary the watcher's handler returned.
 */
import type { SweepSummary } from '../functions/waits/watcher.ts';
import type { LocalSystem } from '../infra/local/local-system.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';
import { advance, call, CLOCK_STEP_S, control, observeAwsCalls, observeInvocations, printResult, settle, startFrozenSystem, type ObservedInvocation } from './local-bench.ts';

const ENDPOINTS = 20;
const REQUESTS_PER_ENDPOINT = 10;
const ENDPOINTS_SET_UP = 10;
/** Requests created at once through the API (its function runs at most two at a time locally). */
const CREATE_CONCURRENCY = 4;

// IAM enforcement gives each function credentials of its own: that is how the watcher's calls are told apart.
const system = await startFrozenSystem({ iamEnforcement: true });
let failed = false;
try {
  const started = performance.now();
  const awsCalls = observeAwsCalls(system);
  const sweeps = observeInvocations(system, 'watcher');
  const requester = await mintToken({ sub: 'bench@example.com' });
  const endpoint = (index: number) => `https://ghe-${String(index).padStart(2, '0')}.example.com`;

  // The first request of each endpoint creates its host; the other nine reuse it (created after, so
  // none of them waits on another's host creation, which retries on the sandbox clock).
  const requestIds: string[][] = Array.from({ length: ENDPOINTS }, () => []);
  const create = async (endpointIndex: number, nth: number) => {
    const created = await call(system, 'POST', '/v1/connection-requests', requester, { providerEndpoint: endpoint(endpointIndex) }, `bench-sweep-${endpointIndex}-${nth}`);
    requestIds[endpointIndex]!.push(created.requestId as string);
  };
  await inParallel(
    Array.from({ length: ENDPOINTS }, (_, index) => () => create(index, 0)),
    CREATE_CONCURRENCY,
  );
  await settle(system);
  await inParallel(
    Array.from({ length: ENDPOINTS * (REQUESTS_PER_ENDPOINT - 1) }, (_, index) => () => create(index % ENDPOINTS, 1 + Math.floor(index / ENDPOINTS))),
    CREATE_CONCURRENCY,
  );
  await settle(system);
  const createSeconds = (performance.now() - started) / 1000;
  const statuses = await countStatuses(system, requester, requestIds.flat());
  if (statuses.WAITING_FOR_HOST_SETUP !== ENDPOINTS * REQUESTS_PER_ENDPOINT) throw new Error(`not every request waits for its host: ${JSON.stringify(statuses)}`);

  // The GHES admins of half the endpoints set their hosts up; the next sweep resumes those requests.
  for (let index = 0; index < ENDPOINTS_SET_UP; index++) {
    const view = await call(system, 'GET', `/v1/connection-requests/${requestIds[index]![0]}`, requester);
    await control(system, 'POST', '/hosts/complete-setup', { hostArn: view.hostArn });
  }
  const resumingSweep = await advanceUntilSweep(system, sweeps);
  const afterResume = await countStatuses(system, requester, requestIds.flat());
  const expected = { WAITING_FOR_APPROVAL: ENDPOINTS_SET_UP * REQUESTS_PER_ENDPOINT, WAITING_FOR_HOST_SETUP: (ENDPOINTS - ENDPOINTS_SET_UP) * REQUESTS_PER_ENDPOINT };
  if (JSON.stringify(afterResume) !== JSON.stringify(sortKeys(expected))) {
    throw new Error(`after the resuming sweep (${JSON.stringify(resumingSweep.result)}) the requests are ${JSON.stringify(afterResume)}, not ${JSON.stringify(expected)}`);
  }

  // The measured sweep: the next one, with nothing changed since.
  awsCalls.take();
  const measured = await advanceUntilSweep(system, sweeps);
  const observed = awsCalls.take();
  const byWatcher = observed.filter((observedCall) => observedCall.caller === 'watcher');
  const byOperation: Record<string, number> = {};
  for (const { service, operation } of byWatcher) byOperation[`${service}:${operation}`] = (byOperation[`${service}:${operation}`] ?? 0) + 1;
  const summary = measured.result as SweepSummary | undefined;

  printResult({
    waiting: summary?.waiting,
    statuses: afterResume,
    calls: byWatcher.length,
    byOperation: sortKeys(byOperation),
    otherCallers: observed.length - byWatcher.length,
    summary,
    hosts: ENDPOINTS,
    connections: ENDPOINTS_SET_UP * REQUESTS_PER_ENDPOINT,
    createSeconds: Number(createSeconds.toFixed(1)),
    realSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  });
} catch (error) {
  console.error(error);
  failed = true;
} finally {
  // The 200 executions still paused in their waits are stopped by close().
  await system.close();
  if (failed) process.exitCode = 1;
}

/** Moves the clock in settled 15-second steps until the watcher's schedule has run once more; returns that run. */
async function advanceUntilSweep(local: LocalSystem, sweeps: ObservedInvocation[]): Promise<ObservedInvocation> {
  const before = sweeps.length;
  for (let step = 0; step < 60 / CLOCK_STEP_S + 1 && sweeps.length === before; step++) await advance(local, CLOCK_STEP_S);
  if (sweeps.length !== before + 1) throw new Error(`expected one sweep, saw ${sweeps.length - before}`);
  const sweep = sweeps[before]!;
  if (sweep.error) throw new Error(`the sweep failed: ${sweep.error}`);
  return sweep;
}

async function countStatuses(local: LocalSystem, token: string, ids: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const id of ids) {
    const status = (await call(local, 'GET', `/v1/connection-requests/${id}`, token)).status as string;
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return sortKeys(counts);
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

async function inParallel(tasks: (() => Promise<void>)[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}
