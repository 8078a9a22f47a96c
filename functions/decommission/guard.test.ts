import { describe, expect, it } from 'vitest';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { connectionUsers, decideDecommission, describeUser, type ConnectionUsage } from './guard.ts';

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/0b1c2d3e-aaaa-bbbb-cccc-000000000001';

function record(overrides: Partial<ConnectionRequestRecord> = {}): ConnectionRequestRecord {
  return {
    requestId: 'r-1',
    status: 'COMPLETED',
    requester: { id: 'alice' },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: 'ghe-payments',
    hostName: 'ghe',
    tags: {},
    region: 'us-east-1',
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
    connectionArn: CONNECTION,
    pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main' } as ConnectionRequestRecord['pipeline'],
    attachment: { stageName: 'Source', actionName: 'App', previousAction: { name: 'App' }, actionChanged: true, pipelineVersion: 2 },
    timeline: [],
    revision: 1,
    ...overrides,
  };
}

const usage = (parts: Partial<ConnectionUsage> = {}): ConnectionUsage => ({ pipelineActions: [], repositoryLinks: [], syncConfigurations: [], codeBuildProjects: [], resourceShares: [], ...parts });
const ourPipeline = { pipelineName: 'payments', stageName: 'Source', actionName: 'App' };

describe('the deletion guard', () => {
  it('lets an unused connection go, detaching nothing', () => {
    expect(decideDecommission(record(), usage(), { detach: false })).toEqual({ allowed: true, usedBy: [], detachPipelines: [] });
  });

  it('refuses while the pipeline it attached uses it, unless asked to detach', () => {
    const refused = decideDecommission(record(), usage({ pipelineActions: [ourPipeline] }), { detach: false });
    expect(refused).toMatchObject({ allowed: false, blocking: [{ kind: 'pipeline', name: 'payments', where: 'Source/App', restorable: true }] });
    expect(decideDecommission(record(), usage({ pipelineActions: [ourPipeline] }), { detach: true })).toEqual({
      allowed: true,
      usedBy: [{ kind: 'pipeline', name: 'payments', where: 'Source/App', restorable: true }],
      detachPipelines: ['payments'],
    });
  });

  it('never detaches what it cannot put back: another pipeline, another action, or an action that used the connection before the broker came', () => {
    const other = { pipelineName: 'billing', stageName: 'Source', actionName: 'App' };
    const otherAction = { pipelineName: 'payments', stageName: 'Source', actionName: 'Docs' };
    const decision = decideDecommission(record(), usage({ pipelineActions: [ourPipeline, other, otherAction] }), { detach: true });
    expect(decision.allowed).toBe(false);
    expect(decision.allowed === false && decision.blocking.map((user) => `${user.name} ${user.where}`)).toEqual(['billing Source/App', 'payments Source/Docs']);
    const unchanged = record({ attachment: { ...record().attachment!, actionChanged: false } });
    expect(decideDecommission(unchanged, usage({ pipelineActions: [ourPipeline] }), { detach: true }).allowed).toBe(false);
    const noRecord = record({ attachment: undefined });
    expect(decideDecommission(noRecord, usage({ pipelineActions: [ourPipeline] }), { detach: true }).allowed).toBe(false);
  });

  it('always refuses for Git sync repository links and resource shares, whatever detach says', () => {
    const linked = usage({ repositoryLinks: [{ repositoryLinkId: 'link-1', repository: 'platform/payments' }], resourceShares: [{ name: 'broker-share', arn: 'arn:aws:ram:us-east-1:111111111111:resource-share/x' }] });
    const decision = decideDecommission(record(), linked, { detach: true });
    expect(decision).toMatchObject({ allowed: false, blocking: [{ kind: 'repository-link', name: 'platform/payments' }, { kind: 'resource-share', name: 'broker-share' }] });
  });

  it('always refuses for a Git sync configuration the request did not make on its repository link, naming the stack before the link', () => {
    const synced = usage({
      repositoryLinks: [{ repositoryLinkId: 'link-1', repository: 'acme/infra' }],
      syncConfigurations: [{ stackName: 'ledger-infra', repositoryLinkId: 'link-1', repository: 'acme/infra', branch: 'main' }],
    });
    const decision = decideDecommission(record(), synced, { detach: true });
    expect(decision).toEqual({
      allowed: false,
      usedBy: [
        { kind: 'sync-configuration', name: 'ledger-infra', restorable: false },
        { kind: 'repository-link', name: 'acme/infra', restorable: false },
      ],
      blocking: [
        { kind: 'sync-configuration', name: 'ledger-infra', restorable: false },
        { kind: 'repository-link', name: 'acme/infra', restorable: false },
      ],
    });
    expect(describeUser({ kind: 'sync-configuration', name: 'ledger-infra' })).toBe(
      'The Git sync configuration of stack ledger-infra syncs through it; delete the sync configuration of stack ledger-infra (DeleteSyncConfiguration; the stack stays), ' +
        'or decommission after moving it to another connection (UpdateRepositoryLink or UpdateSyncConfiguration).',
    );
  });

  it('lets detach: true undo the request’s own Git sync (its sync configuration, and the link it made when only that syncs through it), not another stack on the same link', () => {
    const ownGitSync = record({
      gitSync: { stackName: 'ledger-infra', repository: 'acme/infra', branch: 'main', configFile: 'deploy/ledger.yaml', roleArn: 'arn:aws:iam::111111111111:role/sync' },
      gitSyncState: { repositoryLinkId: 'link-1', linkCreatedByRequest: true, syncConfigurationCreated: true },
    } as Partial<ConnectionRequestRecord>);
    const own = usage({
      repositoryLinks: [{ repositoryLinkId: 'link-1', repository: 'acme/infra' }],
      syncConfigurations: [{ stackName: 'ledger-infra', repositoryLinkId: 'link-1', repository: 'acme/infra', branch: 'main' }],
    });
    expect(decideDecommission(ownGitSync, own, { detach: false })).toMatchObject({ allowed: false, blocking: [{ kind: 'sync-configuration' }, { kind: 'repository-link' }] });
    expect(decideDecommission(ownGitSync, own, { detach: true })).toMatchObject({ allowed: true, detachPipelines: [] });
    expect(describeUser({ kind: 'sync-configuration', name: 'ledger-infra', restorable: true })).toBe(
      "This request's Git sync configuration of stack ledger-infra syncs through it; detach: true deletes it (the stack stays).",
    );

    // Someone else's stack syncs through the same link: the link stays blocking, and so does their stack.
    const shared = usage({ ...own, syncConfigurations: [...own.syncConfigurations, { stackName: 'orders-infra', repositoryLinkId: 'link-1' }] });
    expect(decideDecommission(ownGitSync, shared, { detach: true })).toMatchObject({
      allowed: false,
      blocking: [
        { kind: 'sync-configuration', name: 'orders-infra', restorable: false },
        { kind: 'repository-link', name: 'acme/infra', restorable: false },
      ],
    });
    // A link the request reused (made by someone else) is not its to delete.
    const reused = record({ ...ownGitSync, gitSyncState: { repositoryLinkId: 'link-1', linkCreatedByRequest: false, syncConfigurationCreated: true } });
    expect(decideDecommission(reused, own, { detach: true })).toMatchObject({ allowed: false, blocking: [{ kind: 'repository-link', restorable: false }] });
  });

  it('always refuses for a CodeBuild project whose source uses it, even with detach and beside a pipeline detach could restore', () => {
    const project = { name: 'web-build', arn: 'arn:aws:codebuild:us-east-1:111111111111:project/web-build' };
    const decision = decideDecommission(record(), usage({ pipelineActions: [ourPipeline], codeBuildProjects: [project] }), { detach: true });
    expect(decision).toEqual({
      allowed: false,
      usedBy: [
        { kind: 'pipeline', name: 'payments', where: 'Source/App', restorable: true },
        { kind: 'codebuild-project', name: 'web-build', arn: project.arn },
      ],
      blocking: [{ kind: 'codebuild-project', name: 'web-build', arn: project.arn }],
    });
    expect(describeUser({ kind: 'codebuild-project', name: 'web-build', arn: project.arn })).toBe(
      'CodeBuild project web-build uses it as its source; point the project at another connection first.',
    );
  });

  it('says what each user is and what to do about it', () => {
    const users = connectionUsers(record(), usage({ pipelineActions: [ourPipeline, { pipelineName: 'billing', stageName: 'Source', actionName: 'App' }], repositoryLinks: [{ repositoryLinkId: 'link-1' }] }));
    expect(users.map(describeUser)).toEqual([
      'Pipeline payments uses it in Source/App; detach: true restores the source action it had before this request.',
      'Pipeline billing uses it in Source/App; the broker did not attach it there, so move that action to another connection first.',
      'Repository link link-1 (Git sync) uses it; delete or move the link first.',
    ]);
  });
});
