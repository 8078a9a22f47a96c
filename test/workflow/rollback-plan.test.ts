import { describe, expect, it } from 'vitest';
import type { ConnectionRequestRecord } from '../../functions/requests/model.ts';
import { outcomeOf, planRollback } from '../../functions/workflow/rollback-plan.ts';

const base: ConnectionRequestRecord = {
  requestId: 'r1',
  status: 'WAITING_FOR_APPROVAL',
  requester: { id: 'alice' },
  providerEndpoint: 'https://ghe.example.com',
  connectionName: 'ghe-payments-abc123',
  hostName: 'ghe.example.com-1234abcd',
  tags: {},
  region: 'us-east-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  timeline: [],
  revision: 3,
};

describe('rollback plan', () => {
  it('undoes pipeline, then connection, then host, and deletes the host only if this request created it', () => {
    const record = {
      ...base,
      hostArn: 'arn:host',
      hostCreatedByRequest: true,
      connectionArn: 'arn:connection',
      pipeline: { name: 'p', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP' as const, detectChanges: true },
      attachment: { stageName: 'Source', actionName: 'App', previousAction: {}, pipelineVersion: 2 },
    };
    expect(planRollback(record)).toEqual([
      { kind: 'restore-pipeline', pipelineName: 'p' },
      { kind: 'delete-connection', connectionArn: 'arn:connection' },
      { kind: 'release-host', hostArn: 'arn:host', deleteIfUnused: true },
    ]);
    expect(planRollback({ ...record, hostCreatedByRequest: false, attachment: undefined, connectionArn: undefined })).toEqual([
      { kind: 'release-host', hostArn: 'arn:host', deleteIfUnused: false },
    ]);
    expect(planRollback(base)).toEqual([]);
  });

  it('ends rejected, cancelled, timed-out and failed requests with the right status and reason', () => {
    expect(outcomeOf({ Error: 'Rejected', Cause: 'Rejected by bob' })).toEqual({ status: 'REJECTED', failure: { code: 'Rejected', message: 'Rejected by bob' } });
    expect(outcomeOf({ Error: 'Cancelled', Cause: 'Cancelled by alice' }).status).toBe('CANCELLED');
    expect(outcomeOf({ Error: 'States.Timeout' })).toMatchObject({ status: 'TIMED_OUT', failure: { code: 'ApprovalTimedOut' } });
    expect(outcomeOf({ Error: 'HostSetupTimedOut', Cause: '{"errorType":"HostSetupTimedOut","errorMessage":"Nobody set up the host"}' })).toEqual({
      status: 'TIMED_OUT',
      failure: { code: 'HostSetupTimedOut', message: 'Nobody set up the host' },
    });
    expect(outcomeOf({ Error: 'VpcInitializationFailed', Cause: 'subnets' })).toEqual({ status: 'FAILED', failure: { code: 'VpcInitializationFailed', message: 'subnets' } });
    expect(outcomeOf(undefined).status).toBe('FAILED');
  });
});
