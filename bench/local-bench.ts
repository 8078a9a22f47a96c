/**
 * What the P1 scenarios share: the local system on a frozen sandbox clock that only the scenario
 * moves, the API and sandbox-control calls, and read-only views of what happened (execution
 * history on the sandbox clock, the AWS calls each function made, the watcher's sweep summaries).
 * Nothing here changes how the product behaves; the observers wrap in-process objects of the local
 * runtime and pass every call through unchanged.
 */
import { fileURLToPath } from 'node:url';
import type { AuditReport } from '../functions/audit/report.ts';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '../infra/local/local-system.ts';

/** The clock moves in steps this long, each after the system has settled from the last. */
export const CLOCK_STEP_S = 15;

/** The line `bench/run.ts` reads a scenario's result from (workers' logs are JSON lines too). */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export type RequestView = Record<string, unknown>;

export function printResult(result: unknown): void {
  console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
}

/**
 * The local system with the sandbox clock frozen as soon as it is up: from then on the sandbox
 * time moves only when the scenario advances it, so what happens is the same on any machine.
 */
export async function startFrozenSystem(options: Omit<LocalSystemOptions, 'root'> = {}): Promise<LocalSystem> {
  const system = await startLocalSystem({ root: fileURLToPath(new URL('..', import.meta.url)), apiPort: 0, sandboxPort: 0, persist: false, ...options });
  try {
    await control(system, 'PUT', '/clock', { frozen: true });
  } catch (error) {
    await system.close();
    throw error;
  }
  return system;
}

export async function call(local: LocalSystem, method: string, path: string, token: string, body?: unknown, idempotencyKey?: string): Promise<RequestView> {
  const response = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as RequestView;
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export async function control(local: LocalSystem, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${local.sandbox.url}/_sandbox${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`sandbox ${method} ${path} → ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** The reads an audit makes, each limited in the P3 benches (AWS publishes no TPS for them). */
export const AUDITED_OPERATIONS = [
  ['codestar-connections', 'ListHosts'],
  ['codestar-connections', 'ListConnections'],
  ['codestar-connections', 'ListTagsForResource'],
  ['codepipeline', 'ListPipelines'],
  ['codepipeline', 'GetPipeline'],
  ['iam', 'ListRolePolicies'],
  ['iam', 'GetRolePolicy'],
  ['states', 'DescribeExecution'],
  ['ram', 'GetResourceShares'],
  ['ram', 'GetResourceShareAssociations'],
] as const;

/** Starts an audit (POST /v1/audits) and waits until its report is COMPLETED: the wall time, and the report. */
export async function timedAudit(local: LocalSystem, token: string, body: Record<string, unknown> = {}): Promise<{ wallSeconds: number; report: AuditReport }> {
  const started = performance.now();
  const { auditId } = (await call(local, 'POST', '/v1/audits', token, body)) as { auditId: string };
  for (;;) {
    const report = (await call(local, 'GET', `/v1/audits/${auditId}`, token)) as unknown as AuditReport;
    if (report.status === 'COMPLETED') return { wallSeconds: (performance.now() - started) / 1000, report };
    if (report.status === 'FAILED') throw new Error(`audit failed: ${report.failure}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The sandbox time, epoch seconds (GET /_sandbox/clock). */
export async function clockSeconds(local: LocalSystem): Promise<number> {
  return (await control(local, 'GET', '/clock')).epochSeconds as number;
}

/**
 * Waits until the system has finished reacting: the local runtime's own settling (no function
 * running, no execution moving), which moving the clock by nothing triggers.
 */
export async function settle(local: LocalSystem): Promise<void> {
  await control(local, 'POST', '/clock/advance', { seconds: 0 });
}

/**
 * Moves the sandbox clock in 15-second steps, as real time would: every move first lets the system
 * settle from the previous one (the sandbox does that before it moves the clock), so a slow machine
 * cannot make a later wait start late and skip a poll. Settled at the end.
 */
export async function advance(local: LocalSystem, seconds: number): Promise<void> {
  for (let moved = 0; moved < seconds; moved += CLOCK_STEP_S) {
    await control(local, 'POST', '/clock/advance', { seconds: Math.min(CLOCK_STEP_S, seconds - moved) });
  }
  await settle(local);
}

/**
 * Moves the sandbox clock in one jump, then settles. Only for a system that is idle until then
 * (every request paused in a callback wait): a schedule the jump passes fires once, at the new
 * time, as EventBridge does not backfill missed runs.
 */
export async function jump(local: LocalSystem, seconds: number): Promise<void> {
  await control(local, 'POST', '/clock/advance', { seconds });
  await settle(local);
}

/** Polls the request (real time, clock still) until it is as expected. */
export async function until(local: LocalSystem, requestId: string, token: string, accept: (request: RequestView) => boolean): Promise<RequestView> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const request = await call(local, 'GET', `/v1/connection-requests/${requestId}`, token);
    if (accept(request)) return request;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`request ${requestId} never reached the expected state`);
}

/** Moves the clock a settled 15-second step at a time until the request is as expected. */
export async function advanceUntil(
  local: LocalSystem,
  requestId: string,
  token: string,
  accept: (request: RequestView) => boolean,
  maxSteps = 2000,
): Promise<RequestView> {
  for (let step = 0; step <= maxSteps; step++) {
    const request = await call(local, 'GET', `/v1/connection-requests/${requestId}`, token);
    if (accept(request)) return request;
    if (step < maxSteps) await advance(local, CLOCK_STEP_S);
  }
  throw new Error(`request ${requestId} was not as expected after ${maxSteps} steps of ${CLOCK_STEP_S} s`);
}

/** The request's provisioning execution (named after the request; the auditor has executions of its own). */
export function executionArnOf(local: LocalSystem, requestId: string): string {
  const execution = local.stepFunctions.listExecutions().find((candidate) => candidate.name === requestId);
  if (!execution) throw new Error(`no execution for request ${requestId}`);
  return execution.arn;
}

/**
 * When the execution first entered `stateName` at or after `afterSeconds`, in sandbox epoch
 * seconds from its history (GetExecutionHistory's `*StateEntered` events); undefined if not yet.
 */
export function enteredAt(local: LocalSystem, executionArn: string, stateName: string, afterSeconds = 0): number | undefined {
  // The engine stamps an event a few milliseconds before the frozen clock's time (it converts the
  // library's real-time stamp); half a second of slack keeps a state entered at the act's step.
  const event = local.stepFunctions
    .execution(executionArn)
    .historyEvents()
    .find(
      (candidate) =>
        candidate.type.endsWith('StateEntered') &&
        (candidate.stateEnteredEventDetails as { name?: string } | undefined)?.name === stateName &&
        candidate.timestamp >= afterSeconds - 0.5,
    );
  return event?.timestamp;
}

/** Moves the clock a settled 15-second step at a time until the execution has entered the state; returns when (sandbox epoch seconds). */
export async function advanceUntilEntered(local: LocalSystem, executionArn: string, stateName: string, afterSeconds: number, maxSteps: number): Promise<number> {
  for (let step = 0; step <= maxSteps; step++) {
    const at = enteredAt(local, executionArn, stateName, afterSeconds);
    if (at !== undefined) return at;
    if (step < maxSteps) await advance(local, CLOCK_STEP_S);
  }
  throw new Error(`the execution did not enter ${stateName} within ${maxSteps} steps of ${CLOCK_STEP_S} s after ${new Date(afterSeconds * 1000).toISOString()}`);
}

export interface ObservedCall {
  /** The function whose credentials made the call (its key in serverless.yml), or the access key. */
  caller: string;
  service: string;
  operation: string;
}

/**
 * Records every AWS call the sandbox authorises (CodeStar Connections, Step Functions, DynamoDB, …)
 * with the function that made it, known by its credentials. The sandbox's own call log counts calls
 * per operation but not per caller, and does not count DynamoDB's; this sees both. It wraps the
 * sandbox's authorizer and passes every check through unchanged.
 */
export function observeAwsCalls(local: LocalSystem): { take(): ObservedCall[] } {
  if (local.functionPrincipals.size === 0) throw new Error('the functions have no credentials of their own: start the system with IAM enforcement on');
  const functionByKey = new Map([...local.functionPrincipals].map(([name, principal]) => [principal.accessKeyId, name]));
  const authorizer = local.sandbox.authorizer;
  const check = authorizer.check.bind(authorizer);
  let calls: ObservedCall[] = [];
  authorizer.check = (accessKeyId, facts) => {
    calls.push({ caller: (accessKeyId && functionByKey.get(accessKeyId)) ?? accessKeyId ?? 'anonymous', service: facts.endpoint, operation: facts.operation });
    return check(accessKeyId, facts);
  };
  return {
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
  };
}

export interface ObservedInvocation {
  /** Sandbox epoch seconds when the invocation started. */
  at: number;
  result?: unknown;
  error?: string;
}

/**
 * Keeps what one function's invocations returned (the watcher's SweepSummary), with the sandbox
 * time they started: the schedule runner drops the result. Wraps the local Lambda runtime's invoke.
 */
export function observeInvocations(local: LocalSystem, functionName: string): ObservedInvocation[] {
  const seen: ObservedInvocation[] = [];
  const lambda = local.lambda;
  const invoke = lambda.invoke.bind(lambda);
  lambda.invoke = async (name, event) => {
    if (name !== functionName) return invoke(name, event);
    const observed: ObservedInvocation = { at: local.sandbox.clock.nowMs() / 1000 };
    seen.push(observed);
    try {
      observed.result = await invoke(name, event);
      return observed.result;
    } catch (error) {
      observed.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw error;
    }
  };
  return seen;
}
