/**
 * `npm run bench`: performance measured, not asserted. Each scenario runs in its own process (the
 * local runtime keeps one environment per process) and prints one `BENCH_RESULT {json}` line; this
 * prints the figures, how they are counted, the targets, and the summary lines in a fixed form that
 * tools read (`P1 transitions ours=…`, `P1 transitions max=…`, `P1 notice latency …`, `P1 sweep …`,
 * `P2 cold start …`, `P3 audit …`, `P3 fleet …`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_PREFIX } from './local-bench.ts';
import { formatColdStarts, type P2Result } from './p2-cold-start.ts';

interface P1Result {
  variant: 'ours' | 'naive';
  status: string;
  transitions: number;
  realSeconds: number;
}

interface P1DelayResult {
  delaySeconds: number;
  approvalTimeoutSeconds: number;
  status: string;
  transitions: number;
  acts: { step: string; nextStep: string; latencySeconds: number; sweepAtAct: boolean }[];
  notices: number;
  sweepErrors: number;
}

interface P1SweepResult {
  waiting: number;
  statuses: Record<string, number>;
  calls: number;
  byOperation: Record<string, number>;
  otherCallers: number;
  summary: { waiting: number; calls: { query: number; listHosts: number; listConnections: number } } & Record<string, unknown>;
  hosts: number;
  connections: number;
  realSeconds: number;
}

interface P3Result {
  wallSeconds: number;
  floorSeconds: number;
  ratio: number;
  throttledFailures: number;
  firstCalls: number;
  secondCalls: number;
  secondWallSeconds: number;
  throttledAttempts: number;
  perOperation: { operation: string; admitted: number; throttled: number }[];
}

interface P3FleetResult {
  accounts: number;
  places: number;
  wallSeconds: number;
  floorSeconds: number;
  ratio: number;
  failures: number;
  failedPlaces: { accountId: string; region: string; error?: string }[];
  slowest: { accountId: string; calls: number; busiest: string };
  totalCalls: number;
  throttledAttempts: number;
}

const root = fileURLToPath(new URL('..', import.meta.url));

function runScenario<T>(script: string, args: string[]): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 10 * 60_000,
  });
  // The functions log JSON lines too: the result is the line with the scenarios' own prefix.
  const line = run.stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
  if (run.status !== 0 || !line) throw new Error(`${script} ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
}

console.log('P1: state transitions for one request (host set up 30 min after the request waits for it, handshake done 4 h after the connection is made; APPROVAL_MODE=handshake, no Approve click)');
const ours = runScenario<P1Result>('bench/p1-scenario.ts', ['ours']);
const naive = runScenario<P1Result>('bench/p1-scenario.ts', ['naive']);
for (const result of [ours, naive]) {
  if (result.status !== 'COMPLETED') throw new Error(`P1 ${result.variant} ended ${result.status}`);
  console.log(`  ${result.variant.padEnd(5)} transitions=${String(result.transitions).padStart(5)}  (ran in ${result.realSeconds} s real time)`);
}
console.log('  ours: both human waits are task-token callbacks (AwaitHostSetup, AwaitHandshake), resumed by the watcher, one sweep a minute for all requests');
console.log('  naive: the same workflow with each wait rewritten as a per-request 30 s polling loop: host = Wait 30 s, AcquireHost again (a GetHost), Choice on $.host.status (3 transitions a poll); connection = Wait 30 s, VerifyConnection, back to the Wait while not AVAILABLE (2 a poll)');
console.log("  counted: StateEntered events of the request's execution (its transitions), with the sandbox clock frozen and moved only in 15 s steps, each after the system settled, so both counts repeat exactly");
const ratio = naive.transitions / ours.transitions;
console.log(`  target: ours <= 16 transitions: ${ours.transitions <= 16 ? 'met' : 'MISSED'}`);
console.log(`P1 transitions ours=${ours.transitions} naive=${naive.transitions} ratio=${ratio.toFixed(1)}`);

const DELAYS: [label: string, seconds: number][] = [
  ['2 min', 120],
  ['30 min', 1800],
  ['5 h', 5 * 3600],
  ['26 h', 26 * 3600],
  ['6 days', 6 * 86_400],
];
const delayRuns = DELAYS.map(([label, seconds]) => ({ label, ...runScenario<P1DelayResult>('bench/p1-delay.ts', [String(seconds)]) }));
const approvalTimeoutDays = (delayRuns[0]?.approvalTimeoutSeconds ?? 0) / 86_400;
console.log(
  `P1: by human delay: the host set up, then the handshake done, each the same delay after its wait began; default APPROVAL_MODE=handshake; APPROVAL_TIMEOUT_SECONDS=${delayRuns[0]?.approvalTimeoutSeconds} (${approvalTimeoutDays} days) in all ${DELAYS.length} runs, so that the 6-day handshake is within the approval deadline (default 72 h); the host deadline is 7 days by default`,
);
for (const run of delayRuns) {
  if (run.status !== 'COMPLETED') throw new Error(`P1 delay ${run.label} ended ${run.status}`);
  const noticed = run.acts.map((act) => `${act.step} noticed after ${act.latencySeconds} s (${act.nextStep})`).join(', ');
  console.log(`  ${run.label.padEnd(6)} transitions=${String(run.transitions).padStart(3)}  ${noticed}; watcher reminders/escalations sent: ${run.notices}${run.sweepErrors > 0 ? `; FAILED SWEEPS: ${run.sweepErrors}` : ''}`);
}
const delayTransitions = delayRuns.map((run) => run.transitions);
const latencies = delayRuns.flatMap((run) => run.acts.map((act) => act.latencySeconds)).sort((a, b) => a - b);
const maxTransitions = Math.max(...delayTransitions);
const minTransitions = Math.min(...delayTransitions);
const maxLatency = latencies[latencies.length - 1]!;
// Nearest rank: the 5th of the 10 latencies in ascending order.
const p50Latency = latencies[Math.ceil(latencies.length / 2) - 1]!;
console.log('  counted: transitions as above; reminders and escalations are sent by the watcher and cost none');
console.log(
  '  latency: sandbox seconds from the act (GET /_sandbox/clock when complete-setup / complete-handshake is called) to the next state entered in the execution history (CreateConnection, VerifyConnection), whole seconds, over the 10 acts; p50 by nearest rank',
);
console.log(
  `  how: clock frozen; one jump to each act (the waiting system is idle; the jump fires the watcher once, at the act's time, and the act follows that sweep: the worst phase, a full minute to the next sweep${delayRuns.every((run) => run.acts.every((act) => act.sweepAtAct)) ? '' : ' — NOT so in every run'}), then settled 15 s steps until the next state is entered`,
);
console.log(
  `  targets: transitions <= 16 and the same for every delay: ${maxTransitions <= 16 && maxTransitions === minTransitions ? 'met' : 'MISSED'}; latency max <= 75 s: ${maxLatency <= 75 ? 'met' : 'MISSED'}`,
);
console.log(`P1 transitions max=${maxTransitions} min=${minTransitions} delays=${DELAYS.length}`);
console.log(`P1 notice latency max_s=${maxLatency} p50_s=${p50Latency}`);

const sweep = runScenario<P1SweepResult>('bench/p1-sweep.ts', []);
console.log(
  `P1: one watcher sweep with ${sweep.waiting} requests waiting (${Object.entries(sweep.statuses).map(([status, count]) => `${count} ${status}`).join(', ')}; ${sweep.hosts} hosts, ${sweep.connections} connections), all made through the HTTP API, and nothing changed since the last sweep`,
);
console.log(`  (ran in ${sweep.realSeconds} s real time, making the requests included)`);
console.log(
  `  counted: AWS calls made with the watcher's credentials during that sweep, as the sandbox authorised them (DynamoDB included): ${Object.entries(sweep.byOperation).map(([operation, count]) => `${operation}=${count}`).join(' ')}; calls by anyone else meanwhile: ${sweep.otherCallers}`,
);
const reported = sweep.summary.calls.query + sweep.summary.calls.listHosts + sweep.summary.calls.listConnections;
console.log(`  the sweep's SweepSummary: ${JSON.stringify(sweep.summary)} (${reported === sweep.calls ? 'agrees with' : 'DIFFERS from'} the calls counted)`);
console.log(`  target: calls <= 10: ${sweep.calls <= 10 ? 'met' : 'MISSED'}`);
console.log(`P1 sweep waiting=${sweep.waiting} calls=${sweep.calls}`);

for (const line of formatColdStarts(runScenario<P2Result>('bench/p2-cold-start.ts', []))) console.log(line);

console.log('P3: audit of an account at its quotas (50 hosts, 250 connections, 1,000 pipelines), every API limited to 10 calls/s');
const audit = runScenario<P3Result>('bench/p3-audit.ts', []);
for (const { operation, admitted, throttled } of audit.perOperation) {
  console.log(`  ${operation.padEnd(42)} calls=${String(admitted).padStart(5)}  throttled (retried)=${throttled}`);
}
const reauditPct = (audit.secondCalls / audit.firstCalls) * 100;
console.log(`  first audit: ${audit.wallSeconds.toFixed(1)} s for ${audit.firstCalls} calls; the limits allow ${audit.floorSeconds.toFixed(1)} s at best`);
console.log(`  second audit, nothing changed: ${audit.secondCalls} calls in ${audit.secondWallSeconds.toFixed(1)} s`);
console.log(`  targets: ratio <= 1.2 ${audit.ratio <= 1.2 ? 'met' : 'MISSED'}; throttled failures 0 ${audit.throttledFailures === 0 ? 'met' : 'MISSED'}; re-audit <= 10% ${reauditPct <= 10 ? 'met' : 'MISSED'}`);
// Wall time wobbles by a second or so between runs; the summary rounds so three runs say the same.
console.log(
  `P3 audit wall_s=${audit.wallSeconds.toFixed(0)} floor_s=${audit.floorSeconds.toFixed(0)} ratio=${audit.ratio.toFixed(1)} throttled_failures=${audit.throttledFailures} reaudit_calls_pct=${reauditPct.toFixed(0)}`,
);

console.log(`P3 fleet: audit of 20 spoke accounts side by side, each with 10 hosts, 50 connections and 200 pipelines, every API limited to 10 calls/s per account`);
const fleet = runScenario<P3FleetResult>('bench/p3-fleet.ts', []);
console.log(`  ${fleet.places} places (the hub and each account) audited; ${fleet.totalCalls} limited calls, ${fleet.throttledAttempts} throttled and retried`);
console.log(
  `  slowest account ${fleet.slowest.accountId}: ${fleet.slowest.calls} calls, busiest ${fleet.slowest.busiest} allows ${fleet.floorSeconds.toFixed(1)} s at best; the audit took ${fleet.wallSeconds.toFixed(1)} s`,
);
for (const place of fleet.failedPlaces) console.log(`  NOT AUDITED ${place.accountId} ${place.region}: ${place.error ?? ''}`);
console.log(`  targets: ratio <= 1.3 ${fleet.ratio <= 1.3 ? 'met' : 'MISSED'}; failures 0 ${fleet.failures === 0 ? 'met' : 'MISSED'}`);
console.log(
  `P3 fleet accounts=${fleet.accounts} wall_s=${fleet.wallSeconds.toFixed(0)} floor_s=${fleet.floorSeconds.toFixed(0)} ratio=${fleet.ratio.toFixed(1)} failures=${fleet.failures}`,
);
