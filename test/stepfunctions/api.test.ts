import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidOutput,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
  paginateGetExecutionHistory,
  paginateListExecutions,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientConfig, control } from '../helpers/sandbox.ts';
import { ACCOUNT, REGION, eventually, rejection, startEngineSandbox, type EngineSandbox } from './helpers.ts';

/** The Step Functions API as the SDK sees it: shapes, errors and paging, over two small state machines. */

/** Parks every execution at a callback task until the test answers it. */
const GATE = {
  StartAt: 'Greet',
  States: {
    Greet: { Type: 'Pass', Result: { greeting: 'hello' }, ResultPath: '$.greet', Next: 'Gate' },
    Gate: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: {
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/gate',
        MessageBody: { 'token.$': '$$.Task.Token', 'execution.$': '$$.Execution.Name' },
      },
      ResultPath: '$.answer',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

const BROKEN = {
  StartAt: 'Explode',
  States: { Explode: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:111111111111:function:explode', End: true } },
};

let env: EngineSandbox;
let gateArn: string;
let brokenArn: string;
/** Task tokens by execution name, as the queue consumer would receive them. */
const tokens = new Map<string, string>();

beforeAll(async () => {
  env = await startEngineSandbox([
    {
      name: 'gate',
      definition: GATE,
      taskHandlers: {
        Gate: async (input) => {
          const { token, execution } = (input as { MessageBody: { token: string; execution: string } }).MessageBody;
          tokens.set(execution, token);
        },
      },
    },
    {
      name: 'broken',
      definition: BROKEN,
      taskHandlers: {
        Explode: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'hostArn')");
        },
      },
    },
  ]);
  gateArn = env.arns.gate!;
  brokenArn = env.arns.broken!;
});
afterAll(async () => {
  await env.close();
});

async function startGate(name: string, input = '{"n":1}'): Promise<string> {
  const { executionArn } = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name, input }));
  await eventually(() => tokens.has(name), `${name} reaches its gate`);
  return executionArn!;
}

async function open(name: string, output = '{"ok":true}'): Promise<void> {
  await env.sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get(name)!, output }));
}

describe('StartExecution and DescribeExecution', () => {
  it('starts an execution and describes it while running and once done', async () => {
    const started = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'first', input: '{"n": 1}', traceHeader: 'Root=1-abc' }));
    expect(started.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:gate:first`);
    expect(started.startDate).toBeInstanceOf(Date);
    expect(Math.abs(started.startDate!.getTime() - env.sandbox.clock.nowMs())).toBeLessThan(5_000);
    await eventually(() => tokens.has('first'), 'the gate');

    const running = await env.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(running).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: gateArn,
      name: 'first',
      status: 'RUNNING',
      input: '{"n": 1}',
      inputDetails: { included: true },
      traceHeader: 'Root=1-abc',
    });
    expect(running.stopDate).toBeUndefined();
    expect(running.output).toBeUndefined();

    await open('first');
    await env.engine.waitForExecution(started.executionArn!);
    const done = await env.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ n: 1, greet: { greeting: 'hello' }, answer: { ok: true } });
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());
  });

  it('names an execution with a UUID and gives it {} as input when the caller does not', async () => {
    const { executionArn } = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: brokenArn }));
    const described = await env.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(described.input).toBe('{}');
  });

  it('reports a failed execution with the error name and message the task threw', async () => {
    const { executionArn } = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: brokenArn, name: 'boom' }));
    await env.engine.waitForExecution(executionArn!);
    const described = await env.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'TypeError', cause: "Cannot read properties of undefined (reading 'hostArn')" });
    expect(env.engine.transitions(executionArn!)).toBe(1);
  });

  it('returns the running execution when the same name and input are started again, as Standard workflows do', async () => {
    const first = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'twice', input: '{"n":2}' }));
    const again = await env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'twice', input: '{"n":2}' }));
    expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });

    const otherInput = await rejection(env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'twice', input: '{"n":3}' })));
    expect(otherInput).toBeInstanceOf(ExecutionAlreadyExists);
    expect(otherInput.message).toBe(`Execution Already Exists: '${first.executionArn}'`);

    await eventually(() => tokens.has('twice'), 'the gate');
    await open('twice');
    await env.engine.waitForExecution(first.executionArn!);
    const afterClose = await rejection(env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'twice', input: '{"n":2}' })));
    expect(afterClose).toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('answers AWS errors for bad state machines, names and inputs', async () => {
    const unknownMachine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nope`;
    const cases: Array<[Promise<unknown>, new (...args: never[]) => Error, string]> = [
      [env.sfn.send(new StartExecutionCommand({ stateMachineArn: unknownMachine })), StateMachineDoesNotExist, `State Machine Does Not Exist: '${unknownMachine}'`],
      [env.sfn.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' })), InvalidArn, "Invalid Arn: 'not-an-arn'"],
      [env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'has space' })), InvalidName, "Invalid Name: 'has space'"],
      [env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'a/b' })), InvalidName, "Invalid Name: 'a/b'"],
      [env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, input: '{not json' })), InvalidExecutionInput, 'Invalid State Machine Execution Input'],
      [env.sfn.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:gate:ghost` })), ExecutionDoesNotExist, 'Execution Does Not Exist'],
      [env.sfn.send(new DescribeExecutionCommand({ executionArn: gateArn })), InvalidArn, 'Invalid Arn'],
    ];
    for (const [call, errorClass, message] of cases) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(errorClass);
      expect(error.message).toContain(message);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('validates inputs against the model in AWS words', async () => {
    const error = await rejection(env.sfn.send(new StartExecutionCommand({ stateMachineArn: gateArn, name: 'x'.repeat(81) })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      `1 validation error detected: Value '${'x'.repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
    );
  });
});

describe('task tokens', () => {
  it('rejects output that is not JSON and leaves the task waiting', async () => {
    const executionArn = await startGate('bad-output');
    const error = await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: tokens.get('bad-output')!, output: 'not json' })));
    expect(error).toBeInstanceOf(InvalidOutput);
    expect(error.message).not.toContain(tokens.get('bad-output')!);
    expect(env.engine.pendingTaskTokens(executionArn)).toBe(1);
    await open('bad-output');
    expect((await env.engine.waitForExecution(executionArn)).status).toBe('SUCCEEDED');
  });

  it('tells a malformed token (InvalidToken) from an unknown one (TaskDoesNotExist)', async () => {
    expect(await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })))).toBeInstanceOf(InvalidToken);
    const wellFormed = 'A'.repeat(64);
    expect(await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: wellFormed, output: '{}' })))).toBeInstanceOf(TaskDoesNotExist);
  });

  it('never echoes a token in a validation message', async () => {
    const longToken = 'T'.repeat(2049);
    const error = await rejection(env.sfn.send(new SendTaskSuccessCommand({ taskToken: longToken, output: '{}' })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
  });
});

describe('GetExecutionHistory', () => {
  let executionArn: string;
  let all: HistoryEvent[];

  beforeAll(async () => {
    executionArn = await startGate('history');
    await open('history');
    await env.engine.waitForExecution(executionArn);
    all = (await env.sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
  });

  it('reports AWS event types with ids, previous ids, sandbox timestamps and details', () => {
    expect(all.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    all.forEach((event, index) => expect(event).toMatchObject({ id: index + 1, previousEventId: index }));
    expect(all[0]!.timestamp).toBeInstanceOf(Date);
    expect(all[0]!.executionStartedEventDetails).toMatchObject({ input: '{"n":1}', roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/StepFunctions-gate-role` });
    const scheduled = all.find((event) => event.type === 'TaskScheduled')!.taskScheduledEventDetails!;
    expect(scheduled).toMatchObject({ resourceType: 'sqs', resource: 'sendMessage.waitForTaskToken', region: REGION });
    // The token is redacted from the scheduled parameters.
    expect(JSON.parse(scheduled.parameters!)).toEqual({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/gate',
      MessageBody: { token: '[task token]', execution: 'history' },
    });
    expect(JSON.stringify(all)).not.toContain(tokens.get('history')!);
  });

  it('pages with maxResults and nextToken, in either order', async () => {
    const pages: HistoryEvent[][] = [];
    for await (const page of paginateGetExecutionHistory({ client: env.sfn, pageSize: 3 }, { executionArn })) pages.push(page.events!);
    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 2]);
    expect(pages.flat().map((event) => event.id)).toEqual(all.map((event) => event.id));

    const reversed = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }));
    expect(reversed.events!.map((event) => event.type)).toEqual(['ExecutionSucceeded', 'SucceedStateExited']);
    const next = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2, nextToken: reversed.nextToken }));
    expect(next.events!.map((event) => event.id)).toEqual([9, 8]);

    const forwardToken = (await env.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2 }))).nextToken;
    const mixed = await rejection(env.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: forwardToken })));
    expect(mixed).toBeInstanceOf(InvalidToken);
  });

  it('leaves inputs and outputs out when includeExecutionData is false', async () => {
    const { events } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    expect(events![0]!.executionStartedEventDetails).toEqual({ roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/StepFunctions-gate-role` });
    expect(events![1]!.stateEnteredEventDetails).toEqual({ name: 'Greet' });
  });
});

describe('ListExecutions and StopExecution', () => {
  it('lists a state machine’s executions newest first, filtered by status and paged', async () => {
    await startGate('list-a');
    await startGate('list-b');
    await startGate('list-c');
    const running = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: gateArn, statusFilter: 'RUNNING' }));
    const names = running.executions!.map((execution) => execution.name);
    expect(names.slice(0, 3)).toEqual(['list-c', 'list-b', 'list-a']);
    expect(running.executions![0]).toMatchObject({ stateMachineArn: gateArn, status: 'RUNNING' });

    const paged: string[] = [];
    for await (const page of paginateListExecutions({ client: env.sfn, pageSize: 2 }, { stateMachineArn: gateArn })) {
      expect(page.executions!.length).toBeLessThanOrEqual(2);
      paged.push(...page.executions!.map((execution) => execution.name!));
    }
    expect(paged).toEqual(env.engine.listExecutions(gateArn).map((execution) => execution.name));

    const succeeded = await env.sfn.send(new ListExecutionsCommand({ stateMachineArn: gateArn, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions!.every((execution) => execution.status === 'SUCCEEDED' && execution.stopDate instanceof Date)).toBe(true);

    const unknown = await rejection(env.sfn.send(new ListExecutionsCommand({ stateMachineArn: `${gateArn}-nope` })));
    expect(unknown).toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('stops a running execution once; stopping a closed one changes nothing', async () => {
    const executionArn = await startGate('stop-me');
    const first = await env.sfn.send(new StopExecutionCommand({ executionArn }));
    const second = await env.sfn.send(new StopExecutionCommand({ executionArn, error: 'Later' }));
    expect(second.stopDate).toEqual(first.stopDate);
    const described = await env.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('ABORTED');
    expect(described.error).toBeUndefined();
  });
});

describe('state machines, control routes and faults', () => {
  it('describes and lists the registered state machines', async () => {
    const described = await env.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: gateArn }));
    expect(described).toMatchObject({ stateMachineArn: gateArn, name: 'gate', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition!)).toEqual(GATE);
    const { stateMachines } = await env.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((machine) => machine.name)).toEqual(['broken', 'gate']);
    const elsewhere = new SFNClient(clientConfig(env.sandbox, 'eu-west-1'));
    expect((await elsewhere.send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
    elsewhere.destroy();
  });

  it('lists executions with transitions and pending callbacks on the control API, never tokens', async () => {
    const executionArn = await startGate('control-view');
    const { executions } = await control<{ executions: Array<Record<string, unknown>> }>(env.sandbox, 'GET', '/executions');
    expect(executions[0]).toMatchObject({ executionArn, name: 'control-view', status: 'RUNNING', transitions: 2, pendingTaskTokens: 1 });
    const byArn = await control(env.sandbox, 'GET', `/executions/${encodeURIComponent(executionArn)}`);
    expect(byArn).toMatchObject({ name: 'control-view', input: '{"n":1}', pendingTaskTokens: 1 });
    expect(JSON.stringify({ executions, byArn })).not.toContain(tokens.get('control-view')!);
    await expect(control(env.sandbox, 'GET', '/executions/no-such-execution')).rejects.toThrow(/404/);
    const state = await control<{ stepFunctions: { executions: unknown[] } }>(env.sandbox, 'GET', '/state');
    expect(state.stepFunctions.executions).toContainEqual({ arn: executionArn, status: 'RUNNING', transitions: 2 });
  });

  it('applies fault rules to the states service like any other', async () => {
    await control(env.sandbox, 'PUT', '/faults', { service: 'states', operation: 'ListStateMachines', errorRate: 1 });
    try {
      const error = await rejection(env.sfn.send(new ListStateMachinesCommand({})));
      expect(error.name).toBe('InternalFailure');
      expect(error.$metadata?.httpStatusCode).toBe(500);
    } finally {
      await control(env.sandbox, 'DELETE', '/faults');
    }
  });
});
