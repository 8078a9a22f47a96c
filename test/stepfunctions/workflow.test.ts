import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { control } from '../helpers/sandbox.ts';
import { eventually, fixture, rejection, startEngineSandbox, type EngineSandbox } from './helpers.ts';

/**
 * The fixture workflow end to end through the real SFN client: retries and waits follow the sandbox
 * clock, the callback task is answered with SendTaskSuccess/Failure/Heartbeat.
 */

const DAY = 86_400;

interface Scenario {
  /** CreateHost throws HostThrottled this many times before succeeding. */
  throttledCreates: number;
  createAttempts: number;
  /** Sandbox time from which CheckHost reports AVAILABLE. */
  hostAvailableAtMs: number;
  approvalInputs: Array<Record<string, unknown>>;
  /** Thrown by RequestApproval instead of posting the approval. */
  approvalError: Error | undefined;
}

let env: EngineSandbox;
let scenario: Scenario;

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

beforeAll(async () => {
  env = await startEngineSandbox([
    {
      name: 'approval-workflow',
      definition: fixture('approval-workflow.asl.json'),
      taskHandlers: {
        CreateHost: async (input) => {
          scenario.createAttempts++;
          if (scenario.createAttempts <= scenario.throttledCreates) throw named('HostThrottled', 'Rate exceeded');
          return { hostArn: `arn:aws:codestar-connections:us-east-1:111111111111:host/${(input as { requestId: string }).requestId}` };
        },
        CheckHost: async () => ({ status: env.sandbox.clock.nowMs() >= scenario.hostAvailableAtMs ? 'AVAILABLE' : 'PENDING' }),
        RequestApproval: async (input) => {
          if (scenario.approvalError) throw scenario.approvalError;
          scenario.approvalInputs.push(input as Record<string, unknown>);
          return { ignored: 'a callback task ignores what the function returns' };
        },
      },
    },
  ]);
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => {
  scenario = { throttledCreates: 0, createAttempts: 0, hostAvailableAtMs: 0, approvalInputs: [], approvalError: undefined };
});

async function start(name: string, input: Record<string, unknown> = { requestId: name, pollIntervalSeconds: 3600 }): Promise<string> {
  const { executionArn } = await env.sfn.send(
    new StartExecutionCommand({ stateMachineArn: env.arns['approval-workflow'], name, input: JSON.stringify(input) }),
  );
  return executionArn!;
}

/** Runs until the approval is requested and returns its task token. */
async function awaitApprovalToken(): Promise<string> {
  await eventually(() => scenario.approvalInputs.length > 0, 'the approval is requested');
  return scenario.approvalInputs.at(-1)!.taskToken as string;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events!;
}

function stateEntered(events: HistoryEvent[]): string[] {
  return events.filter((event) => event.type!.endsWith('StateEntered')).map((event) => `${event.type}:${event.stateEnteredEventDetails!.name}`);
}

/** The input the named state was entered with, parsed. */
function inputOf(events: HistoryEvent[], stateName: string): Record<string, unknown> {
  const entered = events.find((event) => event.stateEnteredEventDetails?.name === stateName);
  return JSON.parse(entered!.stateEnteredEventDetails!.input!) as Record<string, unknown>;
}

describe('the approval workflow', () => {
  it('retries on the sandbox clock, polls through days of waiting in an instant, and completes on SendTaskSuccess', async () => {
    scenario.throttledCreates = 2;
    scenario.hostAvailableAtMs = env.sandbox.clock.nowMs() + 2 * DAY * 1000;
    const executionArn = await start('happy-path');

    // Retry 1 waits IntervalSeconds (2 s) of sandbox time, retry 2 twice that (BackoffRate 2).
    await eventually(() => scenario.createAttempts === 1, 'CreateHost is called');
    env.sandbox.clock.advance(1_000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(scenario.createAttempts).toBe(1);
    env.sandbox.clock.advance(1_000);
    await eventually(() => scenario.createAttempts === 2, 'the first retry');
    env.sandbox.clock.advance(4_000);
    await eventually(() => scenario.createAttempts === 3, 'the second retry');

    // The host is not set up yet: the loop waits pollIntervalSeconds (1 h) on the sandbox clock.
    await eventually(() => env.engine.transitions(executionArn) === 5, 'the first Wait');
    expect(env.engine.execution(executionArn).status).toBe('RUNNING');
    await control(env.sandbox, 'POST', '/clock/advance', { seconds: 3 * DAY });

    const token = await awaitApprovalToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    // lambda:invoke hands the function Parameters.Payload, with $$.Task.Token filled in.
    expect(scenario.approvalInputs[0]).toEqual({ requestId: 'happy-path', taskToken: token });
    const pending = await control(env.sandbox, 'GET', '/executions/happy-path');
    expect(pending).toMatchObject({ status: 'RUNNING', transitions: 8, pendingTaskTokens: 1 });
    expect(JSON.stringify(pending)).not.toContain(token);

    await env.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: 'U123' }) }));
    const done = await env.engine.waitForExecution(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toMatchObject({
      requestId: 'happy-path',
      executionName: 'happy-path',
      host: { hostArn: 'arn:aws:codestar-connections:us-east-1:111111111111:host/happy-path' },
      hostStatus: { status: 'AVAILABLE' },
      approval: { approvedBy: 'U123' },
    });

    // Exactly the transitions of the original definition: the Wait counts once per visit, retries not at all.
    expect(env.engine.transitions(executionArn)).toBe(9);
    const events = await history(executionArn);
    expect(stateEntered(events)).toEqual([
      'PassStateEntered:Prepare',
      'TaskStateEntered:CreateHost',
      'TaskStateEntered:CheckHost',
      'ChoiceStateEntered:IsHostAvailable',
      'WaitStateEntered:WaitForHostSetup',
      'TaskStateEntered:CheckHost',
      'ChoiceStateEntered:IsHostAvailable',
      'TaskStateEntered:RequestApproval',
      'SucceedStateEntered:Provisioned',
    ]);
    expect(events.filter((event) => event.type === 'LambdaFunctionFailed').map((event) => event.lambdaFunctionFailedEventDetails)).toEqual([
      { error: 'HostThrottled', cause: 'Rate exceeded' },
      { error: 'HostThrottled', cause: 'Rate exceeded' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
    expect(events.find((event) => event.type === 'TaskSucceeded' && event.taskSucceededEventDetails?.resource === 'invoke.waitForTaskToken'))
      .toMatchObject({ taskSucceededEventDetails: { resourceType: 'lambda', output: '{"approvedBy":"U123"}' } });

    // Tokens are single-use.
    const again = await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    expect(again).toBeInstanceOf(TaskTimedOut);
    expect(again.message).not.toContain(token);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('takes the Catch path for SendTaskFailure, matching the error name', async () => {
    const executionArn = await start('rejected');
    const token = await awaitApprovalToken();
    await env.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'Not this quarter' }));

    const done = await env.engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'RequestRejected', cause: 'The approver rejected the request' });
    const events = await history(executionArn);
    expect(inputOf(events, 'RequestRejected').rejection).toEqual({ Error: 'Rejected', Cause: 'Not this quarter' });
    expect(events.find((event) => event.type === 'TaskFailed')!.taskFailedEventDetails).toMatchObject({ error: 'Rejected', cause: 'Not this quarter' });
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('times the callback out on the sandbox clock: States.Timeout skips a States.TaskFailed catcher', async () => {
    const executionArn = await start('expired');
    const token = await awaitApprovalToken();

    // Heartbeats keep the task alive past HeartbeatSeconds (1 h) but cannot extend TimeoutSeconds (1 day).
    let elapsed = 0;
    while (elapsed <= DAY) {
      env.sandbox.clock.advance(3_500_000);
      elapsed += 3_500;
      if (elapsed <= DAY) await env.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    }
    const done = await env.engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'ApprovalExpired' });
    const events = await history(executionArn);
    expect(inputOf(events, 'ApprovalExpired').timeout).toEqual({ Error: 'States.Timeout', Cause: '' });
    expect(events.find((event) => event.type === 'TaskTimedOut')!.taskTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });

    const late = await rejection(env.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
    expect(late).toBeInstanceOf(TaskTimedOut);
  });

  it('fails the callback when no heartbeat arrives within HeartbeatSeconds (caught by States.Timeout)', async () => {
    const executionArn = await start('no-heartbeat');
    const token = await awaitApprovalToken();
    env.sandbox.clock.advance(3_601_000);

    const done = await env.engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'ApprovalExpired' });
    expect(inputOf(await history(executionArn), 'ApprovalExpired').timeout).toEqual({ Error: 'States.HeartbeatTimeout', Cause: '' });
    const late = await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    expect(late).toBeInstanceOf(TaskTimedOut);
  });

  it('fails the callback task with the error its function throws', async () => {
    scenario.approvalError = named('SlackUnavailable', 'chat.postMessage answered 503');
    const executionArn = await start('slack-down');

    const done = await env.engine.waitForExecution(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'ApprovalFailed' });
    expect(inputOf(await history(executionArn), 'ApprovalFailed').failure).toEqual({
      Error: 'SlackUnavailable',
      Cause: 'chat.postMessage answered 503',
    });
    expect(await control(env.sandbox, 'GET', '/executions/slack-down')).toMatchObject({ pendingTaskTokens: 0 });
  });

  it('StopExecution aborts at once and spends the pending token', async () => {
    const executionArn = await start('cancelled');
    const token = await awaitApprovalToken();

    const { stopDate } = await env.sfn.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'The requester withdrew' }));
    expect(stopDate).toBeInstanceOf(Date);
    const described = await env.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'The requester withdrew', stopDate });
    expect(described.output).toBeUndefined();

    await env.engine.waitForExecution(executionArn);
    const events = await history(executionArn);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Cancelled', cause: 'The requester withdrew' },
    });
    const late = await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));
    expect(late).toBeInstanceOf(TaskTimedOut);
    expect(await control(env.sandbox, 'GET', '/executions/cancelled')).toMatchObject({ status: 'ABORTED', pendingTaskTokens: 0 });
  });
});
