/**
 * `npm run bench`: performance measured, not asserted. Each scenario runs in its own process (the
 * local runtime keeps one environment per process) and prints JSON; this prints the figures, the
 * ratios, and one summary line per benchmark in a fixed form that tools read.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface P1Result {
  variant: 'ours' | 'naive';
  status: string;
  transitions: number;
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

const root = fileURLToPath(new URL('..', import.meta.url));

function runScenario<T>(script: string, args: string[]): T {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeout: 10 * 60_000,
  });
  const line = run.stdout.trim().split('\n').reverse().find((candidate) => candidate.startsWith('{'));
  if (run.status !== 0 || !line) throw new Error(`${script} ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(line) as T;
}

console.log('P1: state transitions for one request (host set up after 30 min, handshake approved after 4 h)');
const ours = runScenario<P1Result>('bench/p1-scenario.ts', ['ours']);
const naive = runScenario<P1Result>('bench/p1-scenario.ts', ['naive']);
for (const result of [ours, naive]) {
  if (result.status !== 'COMPLETED') throw new Error(`P1 ${result.variant} ended ${result.status}`);
  console.log(`  ${result.variant.padEnd(5)} transitions=${String(result.transitions).padStart(5)}  (ran in ${result.realSeconds} s real time)`);
}
console.log('  ours: backoff polling of the host (60 s doubling, capped) and a task-token callback for the approval');
console.log('  naive: fixed 30-second polling of the host and of the connection, in the same engine');
console.log('  counted: state transitions of the request\'s execution, with the sandbox clock frozen and moved in 15 s steps (each step settles first), so both counts repeat exactly');
const ratio = naive.transitions / ours.transitions;
console.log(`  target: ours <= 32 transitions: ${ours.transitions <= 32 ? 'met' : 'MISSED'}`);
console.log(`P1 transitions ours=${ours.transitions} naive=${naive.transitions} ratio=${ratio.toFixed(1)}`);

console.log('P3: audit of an account at its quotas (50 hosts, 250 connections, 1,000 pipelines), every API limited to 10 calls/s');
const audit = runScenario<P3Result>('bench/p3-audit.ts', []);
for (const { operation, admitted, throttled } of audit.perOperation) {
  console.log(`  ${operation.padEnd(42)} calls=${String(admitted).padStart(5)}  throttled (retried)=${throttled}`);
}
const reauditPct = (audit.secondCalls / audit.firstCalls) * 100;
console.log(`  first audit: ${audit.wallSeconds.toFixed(1)} s for ${audit.firstCalls} calls; the limits allow ${audit.floorSeconds.toFixed(1)} s at best`);
console.log(`  second audit, nothing changed: ${audit.secondCalls} calls in ${audit.secondWallSeconds.toFixed(1)} s`);
console.log(`  targets: ratio <= 1.2 ${audit.ratio <= 1.2 ? 'met' : 'MISSED'}; throttled failures 0 ${audit.throttledFailures === 0 ? 'met' : 'MISSED'}; re-audit <= 10% ${reauditPct <= 10 ? 'met' : 'MISSED'}`);
console.log(
  `P3 audit wall_s=${audit.wallSeconds.toFixed(1)} floor_s=${audit.floorSeconds.toFixed(1)} ratio=${audit.ratio.toFixed(2)} throttled_failures=${audit.throttledFailures} reaudit_calls_pct=${reauditPct.toFixed(1)}`,
);
