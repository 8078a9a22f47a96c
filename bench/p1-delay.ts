/**
 * One run of benchmark P1 for a given human delay: `p1-delay.ts <seconds>`. The GHES admin sets the
 * host up `<seconds>` after the request began waiting for it (AwaitHostSetup entered), and the
 * handshake is done `<seconds>` after the connection was created (AwaitHandshake entered); default
 * APPROVAL_MODE=handshake, so nobody clicks Approve. Prints `BENCH_RESULT {"delaySeconds",
 * "status", "transitions", "acts": [{step, nextStep, latencySeconds, sweepAtAct}], "notices", ...}`.
 *
 * The approval timeout is 7 days (APPROVAL_TIMEOUT_SECONDS=604800) so that the 6-day delay is
 * within it; the host wait's deadline is 7 days by default.
 *
 * Waiting costs nothing, so the run jumps the frozen sandbox clock to each act in one move: the
 * system is idle, and the jump fires the watcher's `rate(1 minute)` schedule once, at the new time
 * (EventBridge does not backfill). The act follows that sweep at once (the worst phase: the full
 * minute to the next sweep); then the clock moves in settled 15-second steps until the workflow
 * takes its next step. Latency: sandbox seconds from the act (GET /_sandbox/clock) to that step's
 * `StateEntered` in the execution history, rounded to whole seconds (the engine stamps events a
 * few milliseconds before the frozen clock's time).
 */
import { TERMINAL_STATUSES } from '../functions/request/model.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';
import {
  advanceUntil,
  advanceUntilEntered,
  call,
  clockSeconds,
  control,
  enteredAt,
  executionArnOf,
  jump,
  observeInvocations,
  printResult,
  startFrozenSystem,
  until,
} from './local-bench.ts';

const delaySeconds = Number(process.argv[2]);
if (!Number.isInteger(delaySeconds) || delaySeconds <= 0) throw new Error('usage: p1-delay.ts <delay in whole seconds>');
const APPROVAL_TIMEOUT_SECONDS = 7 * 86_400;
/** Two sweeps and then some: a step not taken by then was not noticed (a product bug to report, not to wait out). */
const MAX_STEPS_AFTER_ACT = 12;

const system = await startFrozenSystem({ environment: { APPROVAL_TIMEOUT_SECONDS: String(APPROVAL_TIMEOUT_SECONDS) } });
try {
  const sweeps = observeInvocations(system, 'watcher');
  const requester = await mintToken({ sub: 'bench@example.com' });
  const created = await call(system, 'POST', '/v1/connection-requests', requester, { providerEndpoint: 'https://ghe.example.com' }, 'bench-delay');
  const requestId = created.requestId as string;
  const waiting = await until(system, requestId, requester, (request) => request.status === 'WAITING_FOR_HOST_SETUP');
  const executionArn = executionArnOf(system, requestId);
  const acts: { step: string; nextStep: string; latencySeconds: number; sweepAtAct: boolean }[] = [];

  /** Jumps to `delaySeconds` after the wait began, acts, and steps until the workflow moves on. */
  const actAfterDelay = async (step: string, waitState: string, act: () => Promise<unknown>, nextStep: string) => {
    // The wait began at the clock's present time (the clock has not moved since the step that entered it).
    const waitBegan = enteredAt(system, executionArn, waitState);
    const now = await clockSeconds(system);
    if (waitBegan === undefined || Math.abs(now - waitBegan) > 0.5) throw new Error(`${waitState} was not entered at the present time (${waitBegan} vs ${now})`);
    await jump(system, delaySeconds);
    const actAt = await clockSeconds(system);
    await act();
    const nextAt = await advanceUntilEntered(system, executionArn, nextStep, actAt, MAX_STEPS_AFTER_ACT);
    acts.push({
      step,
      nextStep,
      latencySeconds: Math.round(nextAt - actAt),
      // The jump's sweep ran at the act's time, just before the act.
      sweepAtAct: sweeps.some((sweep) => Math.abs(sweep.at - actAt) < 0.001),
    });
  };

  await actAfterDelay('host set up', 'AwaitHostSetup', () => control(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn }), 'CreateConnection');
  const connection = await until(system, requestId, requester, (request) => request.status === 'WAITING_FOR_APPROVAL' && typeof request.connectionArn === 'string');
  await actAfterDelay(
    'handshake',
    'AwaitHandshake',
    () => control(system, 'POST', '/connections/complete-handshake', { connectionArn: connection.connectionArn }),
    'VerifyConnection',
  );
  const done = await advanceUntil(system, requestId, requester, (request) => (TERMINAL_STATUSES as readonly unknown[]).includes(request.status), 8);

  printResult({
    delaySeconds,
    approvalTimeoutSeconds: APPROVAL_TIMEOUT_SECONDS,
    status: done.status,
    transitions: system.stepFunctions.transitions(executionArn),
    acts,
    // Approval reminders and escalations the watcher sent (no state transitions).
    notices: sweeps.reduce((sum, sweep) => sum + ((sweep.result as { notified?: number } | undefined)?.notified ?? 0), 0),
    sweepErrors: sweeps.filter((sweep) => sweep.error).length,
  });
} finally {
  await system.close();
}
