import { describe, expect, it } from 'vitest';
import { progressFromHistory, workflowExecutionOf, type HistoryEventLike } from './workflow-progress.ts';

const at = (second: number) => new Date(Date.UTC(2026, 11, 4, 10, 0, second));
const entered = (name: string, second: number, type = 'TaskStateEntered'): HistoryEventLike => ({ type, timestamp: at(second), stateEnteredEventDetails: { name } });
const exited = (name: string, second: number, type = 'TaskStateExited'): HistoryEventLike => ({ type, timestamp: at(second), stateExitedEventDetails: { name } });

describe('progressFromHistory', () => {
  it('lists the states entered in order and names the one still open as current', () => {
    const progress = progressFromHistory([
      { type: 'ExecutionStarted', timestamp: at(0) },
      entered('IsCancel', 0, 'ChoiceStateEntered'),
      exited('IsCancel', 0, 'ChoiceStateExited'),
      entered('AcquireHost', 1),
      exited('AcquireHost', 2),
      entered('AwaitHostSetup', 2),
    ]);
    expect(progress.steps.map((step) => step.state)).toEqual(['IsCancel', 'AcquireHost', 'AwaitHostSetup']);
    expect(progress.steps[1]).toEqual({ state: 'AcquireHost', enteredAt: at(1).toISOString(), exitedAt: at(2).toISOString() });
    expect(progress.current).toBe('AwaitHostSetup');
    expect(progress.executionStatus).toBe('RUNNING');
  });

  it('keeps each visit of a state entered twice, and has no current state once the execution ended', () => {
    const progress = progressFromHistory([
      { type: 'ExecutionStarted', timestamp: at(0) },
      entered('AwaitHandshake', 1),
      exited('AwaitHandshake', 2),
      entered('AwaitHandshake', 3),
      exited('AwaitHandshake', 4),
      entered('RollBack', 5),
      exited('RollBack', 6),
      { type: 'ExecutionFailed', timestamp: at(6) },
    ]);
    expect(progress.steps.map((step) => [step.state, step.exitedAt])).toEqual([
      ['AwaitHandshake', at(2).toISOString()],
      ['AwaitHandshake', at(4).toISOString()],
      ['RollBack', at(6).toISOString()],
    ]);
    expect(progress.current).toBeUndefined();
    expect(progress.executionStatus).toBe('FAILED');
  });

  it('says nothing ran for an empty history', () => {
    expect(progressFromHistory([])).toEqual({ steps: [], executionStatus: undefined });
  });
});

describe('workflowExecutionOf', () => {
  it('shows the decommission execution during and after a decommission, the provisioning one otherwise', () => {
    const decommission = { executionArn: 'arn:decommission' } as never;
    expect(workflowExecutionOf({ status: 'DECOMMISSIONING', executionArn: 'arn:provisioning', decommission })).toEqual({ workflow: 'decommission', executionArn: 'arn:decommission' });
    expect(workflowExecutionOf({ status: 'DECOMMISSIONED', executionArn: 'arn:provisioning', decommission })).toEqual({ workflow: 'decommission', executionArn: 'arn:decommission' });
    expect(workflowExecutionOf({ status: 'WAITING_FOR_APPROVAL', executionArn: 'arn:provisioning' })).toEqual({ workflow: 'provisioning', executionArn: 'arn:provisioning' });
  });
});
