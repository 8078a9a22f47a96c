import { describe, expect, it } from 'vitest';
import type { AslMachine } from '../../infra/local/stepfunctions/asl.ts';
import { isValidResourceName } from '../../infra/local/stepfunctions/names.ts';
import { containsText, replaceText } from '../../infra/local/stepfunctions/task-token-placeholder.ts';
import {
  LIBRARY_TIMEOUT_CEILING_SECONDS,
  LOCAL_WAIT_RESOURCE,
  integrationOf,
  planLocalRun,
  taskForLibrary,
  waitAsTask,
  withHeartbeatTimeoutMatching,
} from '../../infra/local/stepfunctions/transform.ts';
import { unmappedTaskStates, unsupportedFieldsIn } from '../../infra/local/stepfunctions/validate-definition.ts';

/** The pure definition rewrites and checks behind the engine. */

const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
const LAMBDA = 'arn:aws:lambda:us-east-1:111111111111:function:f';

describe('waitAsTask', () => {
  it('turns a Wait into a Task of the waiter that passes the effective input through', () => {
    expect(waitAsTask({ Type: 'Wait', SecondsPath: '$.poll.waitSeconds', InputPath: '$.a', OutputPath: '$.b', Next: 'Check', Comment: 'poll' })).toEqual({
      Type: 'Task',
      Resource: LOCAL_WAIT_RESOURCE,
      Parameters: { 'input.$': '$', 'seconds.$': '$.poll.waitSeconds' },
      TimeoutSeconds: LIBRARY_TIMEOUT_CEILING_SECONDS,
      InputPath: '$.a',
      OutputPath: '$.b',
      Next: 'Check',
      Comment: 'poll',
    });
  });

  it('carries each way of saying when: Seconds, Timestamp, TimestampPath', () => {
    expect(waitAsTask({ Type: 'Wait', Seconds: 0, End: true }).Parameters).toEqual({ 'input.$': '$', seconds: 0 });
    expect(waitAsTask({ Type: 'Wait', Timestamp: '2030-01-01T00:00:00Z', End: true }).Parameters).toEqual({ 'input.$': '$', timestamp: '2030-01-01T00:00:00Z' });
    expect(waitAsTask({ Type: 'Wait', TimestampPath: '$$.Execution.Input.at', End: true }).Parameters).toEqual({
      'input.$': '$',
      'timestamp.$': '$$.Execution.Input.at',
    });
  });
});

describe('taskForLibrary', () => {
  it('wraps Parameters with the timeouts and neutralizes the library’s real-time timeout', () => {
    const task = taskForLibrary({
      Type: 'Task',
      Resource: LAMBDA,
      Parameters: { 'id.$': '$.id' },
      TimeoutSeconds: 30,
      ResultPath: '$.r',
      Retry: [{ ErrorEquals: ['States.ALL'] }],
      Next: 'N',
    });
    expect(task).toEqual({
      Type: 'Task',
      Resource: LAMBDA,
      Parameters: { payload: { 'id.$': '$.id' }, timeoutSeconds: 30 },
      TimeoutSeconds: LIBRARY_TIMEOUT_CEILING_SECONDS,
      ResultPath: '$.r',
      Retry: [{ ErrorEquals: ['States.ALL'] }],
      Next: 'N',
    });
  });

  it('passes the whole effective input when there are no Parameters, and paths stay paths', () => {
    expect(taskForLibrary({ Type: 'Task', Resource: LAMBDA, TimeoutSecondsPath: '$.t', End: true }).Parameters).toEqual({
      'payload.$': '$',
      'timeoutSeconds.$': '$.t',
    });
  });

  it('keeps heartbeats for callback tasks only, and makes States.Timeout rules also match a missed heartbeat', () => {
    const callback = taskForLibrary({
      Type: 'Task',
      Resource: CALLBACK,
      HeartbeatSecondsPath: '$.hb',
      Catch: [
        { ErrorEquals: ['Rejected'], Next: 'A' },
        { ErrorEquals: ['States.Timeout'], Next: 'B' },
      ],
      End: true,
    });
    expect(callback.Parameters).toEqual({ 'payload.$': '$', 'heartbeatSeconds.$': '$.hb' });
    expect(callback.Catch).toEqual([
      { ErrorEquals: ['Rejected'], Next: 'A' },
      { ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Next: 'B' },
    ]);
    expect(taskForLibrary({ Type: 'Task', Resource: LAMBDA, HeartbeatSeconds: 10, End: true }).Parameters).toEqual({ 'payload.$': '$' });
  });

  it('does not add States.HeartbeatTimeout twice', () => {
    const rules = [{ ErrorEquals: ['States.Timeout', 'States.HeartbeatTimeout'], Next: 'X' }];
    expect(withHeartbeatTimeoutMatching(rules)).toEqual(rules);
  });
});

describe('planLocalRun', () => {
  const definition: AslMachine = {
    Comment: 'c',
    TimeoutSeconds: 3600,
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Parallel',
        Branches: [{ StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 5, End: true } } }],
        Next: 'Approve',
      },
      Approve: { Type: 'Task', Resource: CALLBACK, Retry: [{ ErrorEquals: ['X'] }], Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  };

  it('rewrites nested states, plans every Task and Wait by name, and takes over the execution timeout', () => {
    const snapshot = structuredClone(definition);
    const plan = planLocalRun(definition);
    expect(definition).toEqual(snapshot);
    expect(plan.executionTimeoutSeconds).toBe(3600);
    expect(plan.libraryDefinition.TimeoutSeconds).toBeUndefined();
    expect(plan.libraryDefinition.Comment).toBe('c');
    const branch = (plan.libraryDefinition.States.Fan!.Branches as AslMachine[])[0]!;
    expect(branch.States.Nap).toMatchObject({ Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, End: true });
    expect(plan.libraryDefinition.States.Done).toEqual({ Type: 'Succeed' });
    expect(Object.fromEntries(plan.states)).toEqual({
      Nap: { kind: 'wait' },
      Approve: { kind: 'task', resource: CALLBACK, integration: 'lambda-invoke', waitForTaskToken: true, retriers: [{ ErrorEquals: ['X'] }] },
    });
  });
});

describe('integrationOf', () => {
  it.each([
    [LAMBDA, 'lambda-function'],
    ['arn:aws:lambda:eu-west-1:123456789012:function:name:alias', 'lambda-function'],
    ['arn:aws:states:::lambda:invoke', 'lambda-invoke'],
    [CALLBACK, 'lambda-invoke'],
    ['arn:aws:states:::sqs:sendMessage.waitForTaskToken', 'service'],
    ['arn:aws:states:::aws-sdk:codestarconnections:getHost', 'service'],
  ])('%s → %s', (resource, integration) => {
    expect(integrationOf(resource)).toBe(integration);
  });
});

describe('definition checks', () => {
  it('finds JSONata and variable fields outside payloads', () => {
    expect(
      unsupportedFieldsIn({
        QueryLanguage: 'JSONPath',
        States: {
          A: { Type: 'Pass', Parameters: { Output: 'data, not a field' }, Assign: { x: 1 } },
          B: { Type: 'Task', Arguments: {}, QueryLanguage: 'JSONata' },
        },
      }),
    ).toEqual(['$.States.A.Assign', '$.States.B.Arguments', '$.States.B.QueryLanguage']);
  });

  it('lists Task states without a handler', () => {
    const machine: AslMachine = {
      StartAt: 'A',
      States: { A: { Type: 'Task', Resource: LAMBDA, Next: 'B' }, B: { Type: 'Task', Resource: CALLBACK, End: true } },
    };
    expect(unmappedTaskStates(machine, new Set(['A']))).toEqual([{ name: 'B', resource: CALLBACK }]);
  });

  it('accepts AWS resource names and refuses the characters AWS refuses', () => {
    expect(isValidResourceName('req-0123_abc.v2')).toBe(true);
    for (const bad of ['', 'x'.repeat(81), 'a b', 'a:b', 'a/b', 'a*b', 'a{b', 'a\u0007b', 'a$b']) expect(isValidResourceName(bad)).toBe(false);
  });
});

describe('the task token placeholder', () => {
  it('is replaced in every string of a payload, keys untouched', () => {
    const payload = { token: 'P', nested: ['x-P-y', { P: 'P' }], n: 1, flag: null };
    expect(replaceText(payload, 'P', 'tok')).toEqual({ token: 'tok', nested: ['x-tok-y', { P: 'tok' }], n: 1, flag: null });
    expect(containsText(payload, 'P')).toBe(true);
    expect(containsText({ a: ['b', { c: 2 }] }, 'P')).toBe(false);
  });
});
