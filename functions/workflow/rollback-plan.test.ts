import { describe, expect, it } from 'vitest';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { outcomeOf, planRollback, workflowFailureOf } from './rollback-plan.ts';

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

  it('records the code and the reason whatever the workflow handed over', () => {
    expect(outcomeOf(undefined)).toEqual({ status: 'FAILED', failure: { code: 'Unknown', message: 'Unknown' } });
    expect(outcomeOf({ Error: 'Cancelled', Cause: 'Cancelled by alice' })).toEqual({ status: 'CANCELLED', failure: { code: 'Cancelled', message: 'Cancelled by alice' } });
    // No cause: the code stands in for the reason.
    expect(outcomeOf({ Error: 'AccessDeniedException', Cause: '' }).failure).toEqual({ code: 'AccessDeniedException', message: 'AccessDeniedException' });
    // A JSON cause without a Lambda errorMessage is kept as it is.
    const cause = '{"errorType":"States.TaskFailed","trace":[]}';
    expect(outcomeOf({ Error: 'States.TaskFailed', Cause: cause }).failure).toEqual({ code: 'States.TaskFailed', message: cause });
    expect(outcomeOf({ Error: 'States.TaskFailed', Cause: '{"errorMessage":42}' }).failure!.message).toBe('{"errorMessage":42}');
  });

  it('ends a rollback taken up anew from the record as the first one would have', () => {
    const failures = [
      { Error: 'Rejected', Cause: 'Rejected by bob' },
      { Error: 'Cancelled', Cause: 'Cancelled by alice' },
      { Error: 'States.Timeout' },
      { Error: 'HostSetupTimedOut', Cause: 'Nobody set up the host' },
      { Error: 'VpcInitializationFailed', Cause: 'subnets' },
      undefined,
    ];
    for (const failure of failures) {
      const first = outcomeOf(failure);
      expect(outcomeOf(workflowFailureOf(first.failure)), JSON.stringify(failure)).toEqual(first);
    }
    expect(workflowFailureOf(undefined)).toEqual({ Error: 'Unknown', Cause: 'Unknown' });
    expect(workflowFailureOf({ code: 'ApprovalTimedOut', message: 'late' })).toEqual({ Error: 'States.Timeout', Cause: 'late' });
    expect(workflowFailureOf({ code: 'HostInError', message: 'broken' })).toEqual({ Error: 'HostInError', Cause: 'broken' });
  });
});

describe('rollback plan: pipeline attach', () => {
  const attached = {
    ...base,
    connectionArn: 'arn:connection',
    pipeline: { name: 'p', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP' as const, detectChanges: true },
    attachment: { stageName: 'Source', actionName: 'App', previousAction: {}, pipelineVersion: 2 },
    grants: [
      { roleArn: 'arn:aws:iam::111111111111:role/pipeline', roleName: 'pipeline', policyName: 'UseConnection-x', purpose: 'pipeline role' },
      { roleArn: 'arn:aws:iam::111111111111:role/build', roleName: 'build', policyName: 'UseConnection-x', purpose: 'CodeBuild project b' },
    ],
  };

  it('restores the pipeline, then removes the policies it added, before deleting the connection', () => {
    expect(planRollback(attached).map((step) => step.kind)).toEqual(['restore-pipeline', 'remove-grant', 'remove-grant', 'delete-connection']);
  });

  it('leaves a source action that already used the connection alone, unless it changed the trigger', () => {
    const unchanged = { ...attached, attachment: { ...attached.attachment, actionChanged: false } };
    expect(planRollback(unchanged).map((step) => step.kind)).toEqual(['remove-grant', 'remove-grant', 'delete-connection']);
    const triggerOnly = { ...unchanged, attachment: { ...unchanged.attachment, trigger: { previous: null, attached: {}, changed: true } } };
    expect(planRollback(triggerOnly)[0]).toEqual({ kind: 'restore-pipeline', pipelineName: 'p' });
  });
});

describe('rollback plan: a shared connection', () => {
  const hubConnection = 'arn:aws:codeconnections:us-east-1:111111111111:connection/hub';
  const shared: ConnectionRequestRecord = {
    ...base,
    accountId: '222222222222',
    connectionStrategy: 'shared',
    connectionArn: hubConnection,
    share: { connectionArn: hubConnection, shareArn: 'arn:aws:ram:us-east-1:111111111111:resource-share/s1', associatedByRequest: true },
    pipeline: { name: 'p', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP' as const, detectChanges: true },
    attachment: { stageName: 'Source', actionName: 'App', previousAction: {}, pipelineVersion: 2 },
  };

  it("restores the pipeline and removes only the account's association: never the hub's connection or share", () => {
    expect(planRollback(shared)).toEqual([
      { kind: 'restore-pipeline', pipelineName: 'p' },
      { kind: 'leave-share', shareArn: 'arn:aws:ram:us-east-1:111111111111:resource-share/s1', accountId: '222222222222' },
    ]);
  });

  it('leaves the share also when another request made the association (who else uses it decides), and has nothing to leave before a share was found', () => {
    expect(planRollback({ ...shared, share: { ...shared.share!, associatedByRequest: false } })).toEqual(planRollback(shared));
    expect(planRollback({ ...shared, attachment: undefined, share: { connectionArn: hubConnection } })).toEqual([]);
  });
});

describe('rollback plan: a replacement', () => {
  const replacing = {
    ...base,
    hostArn: 'arn:host',
    hostCreatedByRequest: false,
    connectionArn: 'arn:new-connection',
    replaces: { requestId: 'old', connectionArn: 'arn:old-connection', pipelines: ['alpha', 'beta'] },
    grants: [{ roleArn: 'arn:aws:iam::111111111111:role/alpha', roleName: 'alpha', policyName: 'UseConnection-new', purpose: 'pipeline role' }],
  };

  it('points the pipelines it moved back at the old connection first, then removes its grants and deletes only the new connection', () => {
    expect(planRollback({ ...replacing, repointed: [{ pipelineName: 'alpha', actions: ['Source/App'] }] })).toEqual([
      { kind: 'repoint-back', pipelineName: 'alpha', from: 'arn:new-connection', to: 'arn:old-connection' },
      { kind: 'remove-grant', grant: replacing.grants[0] },
      { kind: 'delete-connection', connectionArn: 'arn:new-connection' },
      { kind: 'release-host', hostArn: 'arn:host', deleteIfUnused: false },
    ]);
  });

  it('moves back nothing it did not move yet', () => {
    expect(planRollback(replacing).some((step) => step.kind === 'repoint-back')).toBe(false);
  });
});
