/**
 * One run of benchmark P1 in the local engine: a request whose new host is set up 30 minutes after
 * the request began waiting for it, and whose handshake is done 4 hours after the connection was
 * created (default APPROVAL_MODE=handshake: the AVAILABLE connection is the approval, nobody clicks).
 * Prints `BENCH_RESULT {"variant", "transitions", ...}`. Run through `npm run bench`.
 *
 * `ours` runs the workflow as it is: both human waits are task-token callbacks that the watcher
 * (one sweep a minute for every request) resumes. `naive` runs the same workflow with both waits
 * rewritten as per-request 30-second polling loops, as peers do (see `pollInsteadOfWaiting`).
 *
 * Both variants run the same way: the sandbox clock is frozen and moved only in 15-second steps,
 * each after the system has settled from the last, so a count does not depend on the machine.
 */
import { TERMINAL_STATUSES } from '../functions/request/model.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';
import { advance, advanceUntil, call, control, executionArnOf, printResult, startFrozenSystem, until } from './local-bench.ts';

const variant = process.argv[2] === 'naive' ? 'naive' : 'ours';
const HOST_SET_UP_AFTER_S = 30 * 60;
const HANDSHAKE_AFTER_S = 4 * 3600;
const POLL_INTERVAL_S = 30;

const system = await startFrozenSystem({
  // Only the provisioning workflow changes; other state machines (the auditor's) run as they are.
  transformDefinition:
    variant === 'naive' ? (logicalId, definition) => (logicalId === 'ProvisioningStateMachine' ? pollInsteadOfWaiting(definition) : definition) : undefined,
});

try {
  const requester = await mintToken({ sub: 'bench@example.com' });
  const created = await call(system, 'POST', '/v1/connection-requests', requester, { providerEndpoint: 'https://ghe.example.com' }, 'bench');
  const requestId = created.requestId as string;
  const started = performance.now();

  // Ours records the wait (WAITING_FOR_HOST_SETUP); the naive loop never runs that step, so it only has the host.
  const waiting = await until(system, requestId, requester, (request) =>
    variant === 'ours' ? request.status === 'WAITING_FOR_HOST_SETUP' : typeof request.hostArn === 'string',
  );
  await advance(system, HOST_SET_UP_AFTER_S);
  await control(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
  const connection = await advanceUntil(system, requestId, requester, (request) => typeof request.connectionArn === 'string');

  await advance(system, HANDSHAKE_AFTER_S);
  await control(system, 'POST', '/connections/complete-handshake', { connectionArn: connection.connectionArn });
  const done = await advanceUntil(system, requestId, requester, (request) => (TERMINAL_STATUSES as readonly unknown[]).includes(request.status));

  printResult({
    variant,
    status: done.status,
    transitions: system.stepFunctions.transitions(executionArnOf(system, requestId)),
    realSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
  });
} finally {
  await system.close();
}

/**
 * The naive variant: no callbacks; each request polls AWS itself every 30 seconds.
 * - Host: `AwaitHostSetup` becomes a 30 s Wait, then `PollHost` runs the AcquireHost function again
 *   (for a request that already has its host it only reads the host's status with GetHost: no write,
 *   no timeline entry) and goes back to the `IsHostAvailable` choice: AVAILABLE → CreateConnection,
 *   else wait again. 3 transitions per poll.
 * - Connection: `AwaitHandshake` becomes a 30 s Wait before `VerifyConnection`, whose
 *   ConnectionNotAvailable goes back to the Wait (instead of its three short retries). 2 transitions per poll.
 * Neither loop has a deadline; the approval is the AVAILABLE connection, as in the default mode.
 */
function pollInsteadOfWaiting(definition: Record<string, unknown>): Record<string, unknown> {
  const states = structuredClone(definition.States) as Record<string, Record<string, unknown>>;
  const acquireHost = states.AcquireHost!;
  const verify = states.VerifyConnection!;

  states.AwaitHostSetup = { Type: 'Wait', Comment: 'Naive: poll the host every 30 s.', Seconds: POLL_INTERVAL_S, Next: 'PollHost' };
  states.PollHost = {
    Type: 'Task',
    Resource: acquireHost.Resource,
    Parameters: acquireHost.Parameters,
    ResultPath: '$.host',
    Retry: acquireHost.Retry,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RollBack' }],
    Next: 'IsHostAvailable',
  };
  // The host wait's timeout has no counterpart in the loop.
  delete states.HostSetupTimedOut;

  states.AwaitHandshake = { Type: 'Wait', Comment: 'Naive: poll the connection every 30 s.', Seconds: POLL_INTERVAL_S, Next: 'VerifyConnection' };
  states.VerifyConnection = {
    ...verify,
    Retry: (verify.Retry as { ErrorEquals: string[] }[]).filter((retrier) => !retrier.ErrorEquals.includes('ConnectionNotAvailable')),
    Catch: [{ ErrorEquals: ['ConnectionNotAvailable'], ResultPath: '$.poll', Next: 'AwaitHandshake' }, ...(verify.Catch as unknown[])],
  };
  return { ...definition, States: states };
}
