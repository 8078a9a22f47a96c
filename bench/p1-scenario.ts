/**
 * One run of benchmark P1 in the local engine: a request whose new host is set up 30 minutes in
 * and whose handshake is done (and approved) 4 hours later. Prints `{"variant", "transitions", ...}`.
 * `naive` runs the same workflow with fixed 30-second host polling and 30-second connection
 * polling instead of the callback, as peers do. Run through `npm run bench`.
 */
import { fileURLToPath } from 'node:url';
import { startLocalSystem, type LocalSystem } from '../infra/local/local-system.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';

const variant = process.argv[2] === 'naive' ? 'naive' : 'ours';
const HOST_SET_UP_AFTER_S = 30 * 60;
const HANDSHAKE_AFTER_S = 4 * 3600;
const CLOCK_STEP_S = 15;

const system = await startLocalSystem({
  root: fileURLToPath(new URL('..', import.meta.url)),
  apiPort: 0,
  sandboxPort: 0,
  persist: false,
  environment:
    variant === 'naive'
      ? { HOST_POLL_INITIAL_SECONDS: '30', HOST_POLL_MULTIPLIER: '1', HOST_POLL_MAX_INTERVAL_SECONDS: '30' }
      : {},
  // Only the provisioning workflow changes; other state machines (the auditor's) run as they are.
  transformDefinition:
    variant === 'naive' ? (logicalId, definition) => (logicalId === 'ProvisioningStateMachine' ? pollForHandshake(definition) : definition) : undefined,
});

try {
  // The sandbox time moves only when this run advances it, in 15-second steps that let the workflow
  // settle: real time spent by a slow machine no longer adds polls, so the count is the same every run.
  await control(system, 'PUT', '/clock', { frozen: true });
  const requester = await mintToken({ sub: 'bench@example.com' });
  const admin = await mintToken({ sub: 'approver@example.com', groups: ['connection-broker-admins'] });
  const created = await call(system, 'POST', '/v1/connection-requests', requester, { providerEndpoint: 'https://ghe.example.com' }, 'bench');
  const requestId = created.requestId as string;
  const started = performance.now();

  const waiting = await until(system, requestId, requester, (request) => request.status === 'WAITING_FOR_HOST_SETUP');
  await advance(system, HOST_SET_UP_AFTER_S);
  await control(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
  await advanceUntil(system, requestId, requester, (request) => Boolean(request.connectionArn));
  const connection = await until(system, requestId, requester, (request) => Boolean(request.connectionArn));

  await advance(system, HANDSHAKE_AFTER_S);
  await control(system, 'POST', '/connections/complete-handshake', { connectionArn: connection.connectionArn });
  if (variant === 'ours') await call(system, 'POST', `/v1/connection-requests/${requestId}/approve`, admin);
  const done = await advanceUntil(system, requestId, requester, (request) => request.status === 'COMPLETED');

  // By name (the request id): the auditor's state machine may have executions of its own.
  const execution = system.stepFunctions.listExecutions().find((candidate) => candidate.name === requestId)!;
  console.log(
    JSON.stringify({
      variant,
      status: done.status,
      transitions: system.stepFunctions.transitions(execution.arn),
      realSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    }),
  );
} finally {
  await system.close();
}

/** The naive variant: no callback; wait 30 s and check the connection, over and over. */
function pollForHandshake(definition: Record<string, unknown>): Record<string, unknown> {
  const states = structuredClone(definition.States) as Record<string, Record<string, unknown>>;
  const verify = states.VerifyConnection!;
  states.RequestApproval = { Type: 'Wait', Seconds: 30, Next: 'PollHandshake' };
  // Polling has no callback stages to remind or escalate from.
  delete states.RemindApprovers;
  delete states.EscalateApproval;
  states.PollHandshake = {
    Type: 'Task',
    Resource: verify.Resource,
    Parameters: verify.Parameters,
    ResultPath: '$.verified',
    Catch: [
      { ErrorEquals: ['ConnectionNotAvailable'], ResultPath: '$.poll', Next: 'RequestApproval' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RollBack' },
    ],
    Next: 'VerifyConnection',
  };
  return { ...definition, States: states };
}

async function call(local: LocalSystem, method: string, path: string, token: string, body?: unknown, idempotencyKey?: string) {
  const response = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function control(local: LocalSystem, method: string, path: string, body?: unknown) {
  const response = await fetch(`${local.sandbox.url}/_sandbox${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`sandbox ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Moves the sandbox clock in small steps and lets the workflow finish reacting to each one before
 * the next, as it would in real time; otherwise a slow step would make later waits start late and
 * skip polls, and the count would depend on the machine's speed.
 */
async function advance(local: LocalSystem, seconds: number): Promise<void> {
  for (let moved = 0; moved < seconds; moved += CLOCK_STEP_S) {
    await control(local, 'POST', '/clock/advance', { seconds: Math.min(CLOCK_STEP_S, seconds - moved) });
    await settle(local);
  }
}

/**
 * Waits until the workflow has finished reacting: the local runtime's own settling (no function
 * running, no execution moving), which moving the clock by nothing triggers.
 */
async function settle(local: LocalSystem): Promise<void> {
  await control(local, 'POST', '/clock/advance', { seconds: 0 });
}

async function until(local: LocalSystem, requestId: string, token: string, accept: (request: Record<string, unknown>) => boolean) {
  for (let attempt = 0; attempt < 400; attempt++) {
    const request = await call(local, 'GET', `/v1/connection-requests/${requestId}`, token);
    if (accept(request)) return request;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`request ${requestId} never reached the expected state`);
}

async function advanceUntil(local: LocalSystem, requestId: string, token: string, accept: (request: Record<string, unknown>) => boolean) {
  for (let step = 0; step < 2000; step++) {
    const request = await call(local, 'GET', `/v1/connection-requests/${requestId}`, token);
    if (accept(request)) return request;
    await advance(local, CLOCK_STEP_S);
  }
  throw new Error(`request ${requestId} never reached the expected state`);
}
