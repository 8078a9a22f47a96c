import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { control } from '../../test/helpers/sandbox.ts';
import { eventually, startEngineSandbox, type EngineSandbox } from '../../test/stepfunctions/helpers.ts';
import { loadStateMachine } from '../../statemachines/load.ts';

/**
 * The deployed provisioning ASL on the local Step Functions engine, its Lambda tasks stubbed: each
 * person is waited for in one `.waitForTaskToken` state, resumed or failed by a token (what the
 * watcher and "check now" send), bounded by the deadline the request started with, and a wait of
 * minutes costs the same transitions as a wait of days.
 */

const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d';
const DAY = 86_400;
const SETTINGS = { hostSetupTimeoutSeconds: 7 * DAY, approvalTimeoutSeconds: 3 * DAY, attachPipeline: false };

let env: EngineSandbox;
/** Task tokens handed to the two wait steps, by request id. */
const hostTokens = new Map<string, string>();
const handshakeTokens = new Map<string, string>();
/** What RollBack was called with, by request id. */
const rollBacks = new Map<string, unknown>();
/** The task states each request ran, in order. */
const ran = new Map<string, string[]>();

function provisioningDefinition(): Record<string, unknown> {
  return loadStateMachine('provisioning', (placeholder) => `arn:aws:lambda:us-east-1:111111111111:function:${placeholder.replace(/FunctionArn$/, '')}`);
}

type StepEvent = Record<string, unknown> & { requestId: string };

function step(name: string, result: (input: StepEvent) => unknown) {
  return async (input: unknown) => {
    const event = input as StepEvent;
    ran.set(event.requestId, [...(ran.get(event.requestId) ?? []), name]);
    return result(event);
  };
}

beforeAll(async () => {
  env = await startEngineSandbox([
    {
      name: 'provisioning',
      definition: provisioningDefinition(),
      taskHandlers: {
        AcquireHost: step('AcquireHost', () => ({ hostArn: HOST, status: 'PENDING', createdByRequest: true })),
        ShareConnection: step('ShareConnection', () => ({ shareArn: 'arn:aws:ram:us-east-1:111111111111:resource-share/x' })),
        AwaitHostSetup: step('AwaitHostSetup', (event) => void hostTokens.set(event.requestId, event.taskToken as string)),
        CreateConnection: step('CreateConnection', () => ({ connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/x' })),
        AwaitHandshake: step('AwaitHandshake', (event) => void handshakeTokens.set(event.requestId, event.taskToken as string)),
        VerifyConnection: step('VerifyConnection', () => ({ status: 'AVAILABLE' })),
        AttachPipeline: step('AttachPipeline', () => ({})),
        FirstRun: step('FirstRun', () => ({})),
        CompleteRequest: step('CompleteRequest', () => ({ status: 'COMPLETED' })),
        RepointPipelines: step('RepointPipelines', () => ({})),
        CompleteReplacement: step('CompleteReplacement', () => ({ status: 'COMPLETED' })),
        RetireReplaced: step('RetireReplaced', () => ({})),
        RollBack: step('RollBack', (event) => {
          rollBacks.set(event.requestId, event.error);
          return { status: 'FAILED' };
        }),
      },
    },
  ]);
}, 60_000);
afterAll(async () => {
  await env?.close();
});
beforeEach(async () => {
  await control(env.sandbox, 'DELETE', '/faults');
});

let executions = 0;
async function start(): Promise<{ requestId: string; executionArn: string }> {
  const requestId = `00000000-0000-4000-8000-${String(++executions).padStart(12, '0')}`;
  const { executionArn } = await env.sfn.send(
    new StartExecutionCommand({ stateMachineArn: env.arns.provisioning, name: requestId, input: JSON.stringify({ requestId, settings: SETTINGS }) }),
  );
  return { requestId, executionArn: executionArn! };
}

async function advance(seconds: number): Promise<void> {
  await control(env.sandbox, 'POST', '/clock/advance', { seconds });
}

async function finished(executionArn: string): Promise<{ status: string; transitions: number }> {
  let status = 'RUNNING';
  await eventuallyAsync(async () => {
    status = (await env.sfn.send(new DescribeExecutionCommand({ executionArn }))).status!;
    return status !== 'RUNNING';
  }, `${executionArn} finishes`);
  return { status, transitions: env.engine.transitions(executionArn) };
}

async function eventuallyAsync(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs one request whose host is set up after `hostDelay` and whose handshake is done `handshakeDelay` later. */
async function provision(hostDelay: number, handshakeDelay: number): Promise<{ status: string; transitions: number; ran: string[] }> {
  const { requestId, executionArn } = await start();
  await eventually(() => hostTokens.has(requestId), 'the host wait begins');
  await advance(hostDelay);
  await env.sfn.send(new SendTaskSuccessCommand({ taskToken: hostTokens.get(requestId)!, output: JSON.stringify({ status: 'AVAILABLE', noticedBy: 'watcher' }) }));
  await eventually(() => handshakeTokens.has(requestId), 'the handshake wait begins');
  await advance(handshakeDelay);
  await env.sfn.send(new SendTaskSuccessCommand({ taskToken: handshakeTokens.get(requestId)!, output: '{}' }));
  return { ...(await finished(executionArn)), ran: ran.get(requestId)! };
}

describe('the provisioning workflow’s human waits', () => {
  it('pause in one state each, and cost the same transitions after 2 minutes as after days', async () => {
    const quick = await provision(120, 120);
    const slow = await provision(6 * DAY, 2 * DAY);
    expect(quick.status).toBe('SUCCEEDED');
    expect(slow.status).toBe('SUCCEEDED');
    expect(slow.transitions).toBe(quick.transitions);
    // Each wait step ran once: nothing polled.
    expect(slow.ran).toEqual(['AcquireHost', 'AwaitHostSetup', 'CreateConnection', 'AwaitHandshake', 'VerifyConnection', 'CompleteRequest']);
    expect(quick.transitions).toBeLessThanOrEqual(16);
  });

  it('time the host wait out after hostSetupTimeoutSeconds, as HostSetupTimedOut, and roll back', async () => {
    const { requestId, executionArn } = await start();
    await eventually(() => hostTokens.has(requestId), 'the host wait begins');
    await advance(7 * DAY - 60);
    expect((await env.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await advance(120);
    expect(await finished(executionArn)).toMatchObject({ status: 'FAILED' });
    expect(rollBacks.get(requestId)).toEqual({ Error: 'HostSetupTimedOut', Cause: 'Nobody set up the host in the AWS console before the host wait\'s deadline.' });
    expect(ran.get(requestId)).toEqual(['AcquireHost', 'AwaitHostSetup', 'RollBack']);
  });

  it('roll back with AWS’s reason when the watcher fails the host wait', async () => {
    const { requestId, executionArn } = await start();
    await eventually(() => hostTokens.has(requestId), 'the host wait begins');
    const cause = `The host ${HOST} could not initialize its VPC configuration: subnet-0abc is not in vpc-0def.`;
    await env.sfn.send(new SendTaskFailureCommand({ taskToken: hostTokens.get(requestId)!, error: 'VpcInitializationFailed', cause }));
    expect(await finished(executionArn)).toMatchObject({ status: 'FAILED' });
    expect(rollBacks.get(requestId)).toEqual({ Error: 'VpcInitializationFailed', Cause: cause });
  });

  it('time the handshake wait out after approvalTimeoutSeconds (States.Timeout) and roll back', async () => {
    const { requestId, executionArn } = await start();
    await eventually(() => hostTokens.has(requestId), 'the host wait begins');
    await env.sfn.send(new SendTaskSuccessCommand({ taskToken: hostTokens.get(requestId)!, output: '{}' }));
    await eventually(() => handshakeTokens.has(requestId), 'the handshake wait begins');
    await advance(3 * DAY - 60);
    expect((await env.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await advance(120);
    expect(await finished(executionArn)).toMatchObject({ status: 'FAILED' });
    expect(rollBacks.get(requestId)).toMatchObject({ Error: 'States.Timeout' });
    expect(ran.get(requestId)).toEqual(['AcquireHost', 'AwaitHostSetup', 'CreateConnection', 'AwaitHandshake', 'RollBack']);
  });
});
