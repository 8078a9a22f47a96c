import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import { resourceFields, withoutExecutionData } from '../../infra/local/stepfunctions/history.ts';
import { ClockDeadline, sleepUntil } from '../../infra/local/stepfunctions/sandbox-time.ts';
import type { TimeoutErrorFactory } from '../../infra/local/stepfunctions/task-limits.ts';
import { TaskTokenRegistry } from '../../infra/local/stepfunctions/task-tokens.ts';
import { waitDueMs } from '../../infra/local/stepfunctions/wait-due.ts';

/** Sandbox-clock deadlines, Wait due times and the task token registry, without an execution around them. */

const timeoutError: TimeoutErrorFactory = (kind) => Object.assign(new Error(''), { name: kind === 'heartbeat' ? 'States.HeartbeatTimeout' : 'States.Timeout' });
const owner = { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:e', stateName: 'Approve' };
const code = (call: () => void) => {
  try {
    call();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('ClockDeadline and sleepUntil', () => {
  it('fire when the clock is moved past the due time', async () => {
    const clock = new SandboxClock();
    let fired = 0;
    const deadline = new ClockDeadline(clock, clock.nowMs() + 60_000, () => fired++);
    clock.advance(59_000);
    expect(fired).toBe(0);
    deadline.reset(clock.nowMs() + 10_000);
    clock.advance(5_000);
    expect(fired).toBe(0);
    clock.advance(5_000);
    expect(fired).toBe(1);
    clock.advance(60_000);
    expect(fired).toBe(1);
  });

  it('fire as real time passes', async () => {
    const clock = new SandboxClock();
    const started = Date.now();
    await sleepUntil(clock, clock.nowMs() + 40, new AbortController().signal, () => new Error('aborted'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('give up when aborted', async () => {
    const clock = new SandboxClock();
    const controller = new AbortController();
    const sleeping = sleepUntil(clock, clock.nowMs() + 3_600_000, controller.signal, () => new Error('aborted'));
    controller.abort();
    await expect(sleeping).rejects.toThrow('aborted');
  });
});

describe('waitDueMs', () => {
  it('adds seconds to the time the state was entered, or takes the timestamp as is', () => {
    expect(waitDueMs({ input: null, seconds: 30 }, 1_000)).toBe(31_000);
    expect(waitDueMs({ input: null, timestamp: '2030-01-02T03:04:05.5Z' }, 0)).toBe(Date.UTC(2030, 0, 2, 3, 4, 5, 500));
    expect(waitDueMs({ input: null, timestamp: '2030-01-02T03:04:05+02:00' }, 0)).toBe(Date.UTC(2030, 0, 2, 1, 4, 5));
  });

  it('raises States.Runtime for values AWS refuses', () => {
    for (const envelope of [{ input: null, seconds: -1 }, { input: null, seconds: '5' }, { input: null, timestamp: '2030-01-02 03:04:05' }, { input: null }]) {
      expect(() => waitDueMs(envelope as never, 0)).toThrow(expect.objectContaining({ name: 'States.Runtime', isCatchable: false }));
    }
  });
});

describe('TaskTokenRegistry', () => {
  it('issues long random tokens that are spent after one answer', async () => {
    const registry = new TaskTokenRegistry(new SandboxClock());
    const { token, outcome } = registry.open(owner, {}, timeoutError, new AbortController().signal);
    const other = registry.open(owner, {}, timeoutError, new AbortController().signal);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(other.token).not.toBe(token);
    expect(registry.pendingCount(owner.executionArn)).toBe(2);
    registry.succeed(token, { ok: true });
    await expect(outcome).resolves.toEqual({ ok: true });
    expect(code(() => registry.succeed(token, {}))).toBe('TaskTimedOut');
    expect(code(() => registry.fail(token, 'X', undefined))).toBe('TaskTimedOut');
    expect(code(() => registry.heartbeat('not a token'))).toBe('InvalidToken');
    expect(code(() => registry.heartbeat('B'.repeat(64)))).toBe('TaskDoesNotExist');
    expect(registry.pendingCount(owner.executionArn)).toBe(1);
  });

  it('fails with the given error name, or States.TaskFailed without one', async () => {
    const registry = new TaskTokenRegistry(new SandboxClock());
    const named = registry.open(owner, {}, timeoutError, new AbortController().signal);
    registry.fail(named.token, 'Rejected', 'No');
    await expect(named.outcome).rejects.toMatchObject({ name: 'Rejected', message: 'No' });
    const anonymous = registry.open(owner, {}, timeoutError, new AbortController().signal);
    registry.fail(anonymous.token, undefined, undefined);
    await expect(anonymous.outcome).rejects.toMatchObject({ name: 'States.TaskFailed', message: '' });
  });

  it('reports the deadline that came first when the clock jumps past both', async () => {
    const clock = new SandboxClock();
    const registry = new TaskTokenRegistry(clock);
    const heartbeatFirst = registry.open(owner, { timeoutSeconds: 7200, heartbeatSeconds: 600 }, timeoutError, new AbortController().signal);
    const timeoutFirst = registry.open(owner, { timeoutSeconds: 300, heartbeatSeconds: 600 }, timeoutError, new AbortController().signal);
    clock.advance(86_400_000);
    await expect(heartbeatFirst.outcome).rejects.toMatchObject({ name: 'States.HeartbeatTimeout' });
    await expect(timeoutFirst.outcome).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(code(() => registry.succeed(heartbeatFirst.token, {}))).toBe('TaskTimedOut');
  });

  it('keeps a task alive with heartbeats, up to its TimeoutSeconds', async () => {
    const clock = new SandboxClock();
    const registry = new TaskTokenRegistry(clock);
    const { token, outcome } = registry.open(owner, { timeoutSeconds: 1000, heartbeatSeconds: 300 }, timeoutError, new AbortController().signal);
    for (let beat = 0; beat < 3; beat++) {
      clock.advance(299_000);
      registry.heartbeat(token);
    }
    expect(registry.pendingCount(owner.executionArn)).toBe(1);
    clock.advance(104_000);
    await expect(outcome).rejects.toMatchObject({ name: 'States.Timeout' });
  });

  it('closes the tasks of an execution that ends', async () => {
    const registry = new TaskTokenRegistry(new SandboxClock());
    const execution = new AbortController();
    const { token, outcome } = registry.open(owner, {}, timeoutError, execution.signal);
    execution.abort();
    await expect(outcome).rejects.toMatchObject({ name: 'States.ExecutionClosed' });
    expect(code(() => registry.succeed(token, {}))).toBe('TaskTimedOut');
  });
});

describe('history helpers', () => {
  it('splits integration resources as AWS reports them', () => {
    expect(resourceFields('arn:aws:states:::lambda:invoke.waitForTaskToken')).toEqual({ resourceType: 'lambda', resource: 'invoke.waitForTaskToken' });
    expect(resourceFields('arn:aws:states:::aws-sdk:codestarconnections:getHost')).toEqual({ resourceType: 'aws-sdk:codestarconnections', resource: 'getHost' });
  });

  it('drops execution data from event details on request', () => {
    const event = {
      id: 1,
      previousEventId: 0,
      timestamp: 1,
      type: 'TaskSucceeded',
      taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: '{}', outputDetails: { truncated: false } },
    };
    expect(withoutExecutionData(event)).toEqual({ ...event, taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke' } });
  });
});
