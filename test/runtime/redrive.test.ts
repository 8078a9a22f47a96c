import { describe, expect, it } from 'vitest';
import type { ConnectionRequestRecord } from '../../functions/request/model.ts';
import { outcomeOf, workflowFailureOf } from '../../functions/workflow/rollback-plan.ts';
import { redrivePlan } from '../../infra/local/runtime/redrive.ts';

const SETTINGS = { hostSetupTimeoutSeconds: 7 * 86_400, approvalTimeoutSeconds: 72 * 3600 };
const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const EXECUTION = 'arn:aws:states:us-east-1:111111111111:execution:connection-broker-local-provisioning:';

function record(overrides: Partial<ConnectionRequestRecord>): ConnectionRequestRecord {
  return {
    requestId: 'r-1',
    status: 'ACCEPTED',
    requester: { id: 'alice' },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: 'c-1',
    hostName: 'ghe-host',
    tags: {},
    region: 'us-east-1',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    timeline: [],
    revision: 3,
    executionArn: `${EXECUTION}r-1`,
    ...overrides,
  };
}

const since = (hoursAgo: number) => ({ what: 'x', who: 'y', since: new Date(NOW - hoursAgo * 3600_000).toISOString() });

describe('re-driving a request after a restart', () => {
  it('runs the provisioning path again under the recorded execution name, with the full deadlines when nobody waits yet', () => {
    const plan = redrivePlan(record({ status: 'CREATING_CONNECTION', pipeline: { name: 'p' } as ConnectionRequestRecord['pipeline'] }), SETTINGS, NOW);
    expect(plan.name).toBe('r-1');
    expect(plan.input).toEqual({ requestId: 'r-1', settings: { ...SETTINGS, attachPipeline: true } });
  });

  it('gives a human wait only what is left of its deadline, counted from when it began, never less than a second', () => {
    const host = redrivePlan(record({ status: 'WAITING_FOR_HOST_SETUP', waitingFor: since(24) }), SETTINGS, NOW);
    expect(host.input.settings).toMatchObject({ hostSetupTimeoutSeconds: 6 * 86_400, approvalTimeoutSeconds: SETTINGS.approvalTimeoutSeconds });
    const approval = redrivePlan(record({ status: 'WAITING_FOR_APPROVAL', waitingFor: since(70) }), SETTINGS, NOW);
    expect(approval.input.settings).toMatchObject({ hostSetupTimeoutSeconds: SETTINGS.hostSetupTimeoutSeconds, approvalTimeoutSeconds: 2 * 3600, attachPipeline: false });
    const overdue = redrivePlan(record({ status: 'WAITING_FOR_APPROVAL', waitingFor: since(100) }), SETTINGS, NOW);
    expect(overdue.input.settings).toMatchObject({ approvalTimeoutSeconds: 1 });
  });

  it('only rolls back a request being rolled back: a cancel under its own execution, a failure with the outcome it recorded', () => {
    const cancel = redrivePlan(
      record({ status: 'ROLLING_BACK', executionArn: `${EXECUTION}cancel-r-1`, cancellation: { by: 'alice', at: '2026-12-03T11:00:00.000Z' } as ConnectionRequestRecord['cancellation'] }),
      SETTINGS,
      NOW,
    );
    expect(cancel.name).toBe('cancel-r-1');
    expect(cancel.input).toEqual({ requestId: 'r-1', cancel: { Error: 'Cancelled', Cause: 'Cancelled by alice' } });

    const timedOut = redrivePlan(record({ status: 'ROLLING_BACK', failure: { code: 'ApprovalTimedOut', message: 'Nobody approved.' } }), SETTINGS, NOW);
    expect(outcomeOf((timedOut.input as { cancel: { Error: string; Cause: string } }).cancel).status).toBe('TIMED_OUT');
  });

  it('starts a request whose first start was never recorded under its request id', () => {
    expect(redrivePlan(record({ executionArn: undefined }), SETTINGS, NOW).name).toBe('r-1');
  });

  it('maps every recorded outcome back to the failure that makes the same outcome', () => {
    for (const failure of [
      { Error: 'Rejected', Cause: 'Rejected by bob' },
      { Error: 'Cancelled', Cause: 'Cancelled by alice' },
      { Error: 'States.Timeout', Cause: 'x' },
      { Error: 'HostSetupTimedOut', Cause: 'Nobody set up the host.' },
      { Error: 'AccessDeniedException', Cause: 'denied' },
    ]) {
      const first = outcomeOf(failure);
      expect(outcomeOf(workflowFailureOf(first.failure))).toEqual(first);
    }
    expect(outcomeOf(workflowFailureOf(undefined)).status).toBe('FAILED');
  });
});
