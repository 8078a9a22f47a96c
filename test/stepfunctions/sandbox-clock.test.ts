import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import { LocalStepFunctions, type TaskHandler } from '../../infra/local/stepfunctions/engine.ts';
import type { HistoryEvent } from '../../infra/local/stepfunctions/history.ts';
import { ACCOUNT, REGION, eventually } from './helpers.ts';

/** Time in the engine follows the sandbox clock: Wait states, task and execution timeouts. */

function engineWith(definition: Record<string, unknown>, taskHandlers: Record<string, TaskHandler> = {}) {
  const clock = new SandboxClock();
  const engine = new LocalStepFunctions({ clock, accountId: ACCOUNT, region: REGION });
  const stateMachineArn = engine.register({ name: 'machine', definition, taskHandlers });
  const start = async (input: unknown = {}) => (await engine.startExecution({ stateMachineArn, input: JSON.stringify(input) })).arn;
  return { clock, engine, start };
}

const LAMBDA = 'arn:aws:lambda:us-east-1:111111111111:function:f';
const types = (events: readonly HistoryEvent[]) => events.map((event) => event.type);

describe('Wait states', () => {
  it('end when the sandbox clock reaches their time, keeping InputPath/OutputPath semantics', async () => {
    const { clock, engine, start } = engineWith({
      StartAt: 'Nap',
      States: { Nap: { Type: 'Wait', Seconds: 7200, InputPath: '$.inner', OutputPath: '$.keep', End: true } },
    });
    const arn = await start({ inner: { keep: 'me', drop: 1 }, outer: true });
    clock.advance(7_199_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.execution(arn).status).toBe('RUNNING');
    clock.advance(1_000);
    const done = await engine.waitForExecution(arn);
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '"me"' });
    expect(types(engine.execution(arn).historyEvents())).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'ExecutionSucceeded',
    ]);
    expect(done.stopDate! - done.startDate).toBeGreaterThanOrEqual(7200);
  });

  it('also end as real time passes (Timestamp / TimestampPath), and at once for a time in the past', async () => {
    const { clock, engine, start } = engineWith({
      StartAt: 'Soon',
      States: {
        Soon: { Type: 'Wait', TimestampPath: '$.at', Next: 'Past' },
        Past: { Type: 'Wait', Timestamp: '2001-01-01T00:00:00Z', End: true },
      },
    });
    const arn = await start({ at: new Date(clock.nowMs() + 150).toISOString() });
    const done = await engine.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(engine.transitions(arn)).toBe(2);
  });

  it('fail the execution with States.Runtime for a SecondsPath that is not a non-negative integer', async () => {
    const { engine, start } = engineWith({ StartAt: 'Bad', States: { Bad: { Type: 'Wait', SecondsPath: '$.s', End: true } } });
    const done = await engine.waitForExecution(await start({ s: 1.5 }));
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toContain('1.5');
  });

  it('run inside Parallel branches and Map iterations, counted as transitions', async () => {
    const calls: unknown[] = [];
    const { clock, engine, start } = engineWith(
      {
        StartAt: 'Fan',
        States: {
          Fan: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'BranchWait', States: { BranchWait: { Type: 'Wait', Seconds: 60, End: true } } },
              { StartAt: 'BranchTask', States: { BranchTask: { Type: 'Task', Resource: LAMBDA, End: true } } },
            ],
            Next: 'Each',
          },
          Each: {
            Type: 'Map',
            // A Parallel state outputs its branches' outputs in order.
            ItemsPath: '$[1].items',
            ItemProcessor: { StartAt: 'ItemTask', States: { ItemTask: { Type: 'Task', Resource: LAMBDA, End: true } } },
            End: true,
          },
        },
      },
      {
        BranchTask: async () => ({ items: [1, 2, 3] }),
        ItemTask: async (item) => {
          calls.push(item);
          return (item as number) * 10;
        },
      },
    );
    const arn = await start();
    await eventually(() => engine.transitions(arn) === 3, 'both branches start');
    clock.advance(60_000);
    const done = await engine.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual([10, 20, 30]);
    // Fan, BranchWait, BranchTask, Each, ItemTask ×3
    expect(engine.transitions(arn)).toBe(7);
    expect(types(engine.execution(arn).historyEvents())).toEqual(
      expect.arrayContaining(['ParallelStateStarted', 'ParallelStateSucceeded', 'MapStateStarted', 'MapIterationStarted', 'MapIterationSucceeded']),
    );
  });
});

describe('timeouts', () => {
  it('times a plain Task out on the sandbox clock, which a Catch on States.Timeout handles', async () => {
    const { clock, engine, start } = engineWith(
      {
        StartAt: 'Slow',
        States: {
          Slow: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 900, Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.caught', Next: 'Recovered' }], End: true },
          Recovered: { Type: 'Pass', End: true },
        },
      },
      { Slow: () => new Promise(() => undefined) },
    );
    const arn = await start();
    await eventually(() => engine.transitions(arn) === 1, 'the task starts');
    clock.advance(900_000);
    const done = await engine.waitForExecution(arn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!).caught).toEqual({ Error: 'States.Timeout', Cause: '' });
    expect(types(engine.execution(arn).historyEvents())).toContain('LambdaFunctionTimedOut');
  });

  it('reads a callback task’s TimeoutSecondsPath from its input', async () => {
    let token = '';
    const { clock, engine, start } = engineWith(
      {
        StartAt: 'Approve',
        States: {
          Approve: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'approve', Payload: { 'token.$': '$$.Task.Token' } },
            TimeoutSecondsPath: '$.settings.approvalTimeoutSeconds',
            End: true,
          },
        },
      },
      {
        Approve: async (input) => {
          token = (input as { token: string }).token;
        },
      },
    );
    const arn = await start({ settings: { approvalTimeoutSeconds: 120 } });
    await eventually(() => token !== '', 'the approval is requested');
    clock.advance(119_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(engine.pendingTaskTokens(arn)).toBe(1);
    clock.advance(1_000);
    expect(await engine.waitForExecution(arn)).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(() => engine.sendTaskSuccess(token, '{}')).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
  });

  it('times the execution out (TIMED_OUT) when its TimeoutSeconds passes on the sandbox clock', async () => {
    const { clock, engine, start } = engineWith({
      TimeoutSeconds: 3600,
      StartAt: 'Forever',
      States: { Forever: { Type: 'Wait', Seconds: 99999999, End: true } },
    });
    const arn = await start();
    clock.advance(3_600_000);
    const done = await engine.waitForExecution(arn);
    expect(done).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(engine.execution(arn).historyEvents().at(-1)).toMatchObject({
      type: 'ExecutionTimedOut',
      executionTimedOutEventDetails: { error: 'States.Timeout' },
    });
  });

  it('refuses $$.Task.Token outside a callback task', async () => {
    const { engine, start } = engineWith(
      { StartAt: 'Plain', States: { Plain: { Type: 'Task', Resource: LAMBDA, Parameters: { 'token.$': '$$.Task.Token' }, End: true } } },
      { Plain: async () => ({}) },
    );
    const done = await engine.waitForExecution(await start());
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});
