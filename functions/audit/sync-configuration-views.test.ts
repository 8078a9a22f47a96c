import {
  AccessDeniedException,
  CodeStarConnectionsClient,
  GetResourceSyncStatusCommand,
  GetSyncBlockerSummaryCommand,
  ListRepositoryLinksCommand,
  ListSyncConfigurationsCommand,
  ResourceNotFoundException,
  ThrottlingException,
  type ResourceSyncStatus,
} from '@aws-sdk/client-codestar-connections';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { gitSyncConsoleUrl } from '../request/console-links.ts';
import { readGitSync } from './collect/git-sync.ts';
import type { RepositoryLinkFacts, SyncConfigurationFacts } from './model.ts';
import { syncConfigurationViews } from './sync-configuration-views.ts';
import { ACCOUNT, connectionArn, hoursBefore, record } from './test-fixtures.ts';

const linkArn = (id: string) => `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:repository-link/${id}`;
const roleArn = (stack: string) => `arn:aws:iam::${ACCOUNT}:role/service-role/${stack}-sync`;

describe('the sync configuration views (pure)', () => {
  const links: RepositoryLinkFacts[] = [
    { id: 'link-1', arn: linkArn('link-1'), connectionArn: connectionArn('c1'), ownerId: 'acme', repositoryName: 'infra' },
    { id: 'link-2', arn: linkArn('link-2'), connectionArn: connectionArn('c2', 'codeconnections'), ownerId: 'acme', repositoryName: 'docs' },
  ];
  const sync = (stackName: string, repositoryLinkId: string, overrides: Partial<SyncConfigurationFacts> = {}): SyncConfigurationFacts => ({
    stackName,
    repositoryLinkId,
    repository: repositoryLinkId === 'link-1' ? 'acme/infra' : 'acme/docs',
    branch: 'main',
    configFile: `deploy/${stackName}.yaml`,
    roleArn: roleArn(stackName),
    openBlockers: [],
    ...overrides,
  });
  const syncs = [
    sync('payments-infra', 'link-1', {
      latestSync: { status: 'FAILED', lastEvent: 'Sync failed' },
      openBlockers: [{ id: 'b-1', type: 'AUTOMATED', reason: 'Stack is in UPDATE_ROLLBACK_FAILED', createdAt: hoursBefore(2) }],
    }),
    sync('docs-site', 'link-2', { latestSync: { status: 'SUCCEEDED' } }),
    // Its link went away while it was read.
    sync('orphan', 'link-9', { configFile: undefined }),
  ];
  const alices = record('r-alice', {
    requester: { id: 'alice' },
    connectionArn: connectionArn('c1', 'codeconnections'),
    gitSync: { stackName: 'payments-infra', repository: 'acme/infra', branch: 'main', configFile: 'deploy/payments-infra.yaml', roleArn: roleArn('payments-infra') },
    gitSyncState: { repositoryLinkId: 'link-1', linkCreatedByRequest: true, syncConfigurationCreated: true },
  });
  // Bob asked for a stack of the same name on another connection: not this one.
  const bobs = record('r-bob', {
    requester: { id: 'bob' },
    connectionArn: connectionArn('c7'),
    gitSync: { stackName: 'docs-site', repository: 'acme/docs', branch: 'main', configFile: 'deploy/docs-site.yaml', roleArn: roleArn('docs-site') },
  });

  it('shows an admin every sync configuration, by stack name, with its status, open blockers, request and links', () => {
    const views = syncConfigurationViews({ repositoryLinks: links, syncConfigurations: syncs }, [alices, bobs], { isAdmin: true });
    expect(views.map((view) => view.stackName)).toEqual(['docs-site', 'orphan', 'payments-infra']);
    expect(views[2]).toEqual({
      stackName: 'payments-infra',
      repository: 'acme/infra',
      repositoryLinkId: 'link-1',
      connectionArn: connectionArn('c1'),
      branch: 'main',
      configFile: 'deploy/payments-infra.yaml',
      roleArn: roleArn('payments-infra'),
      status: 'FAILED',
      openBlockers: [{ id: 'b-1', type: 'AUTOMATED', reason: 'Stack is in UPDATE_ROLLBACK_FAILED', createdAt: hoursBefore(2) }],
      requestId: 'r-alice',
      links: {
        resolve: '/v1/sync-configurations/payments-infra/blockers/{blockerId}/resolve',
        console: gitSyncConsoleUrl('us-east-1', 'payments-infra'),
        request: '/v1/connection-requests/r-alice',
      },
    });
    expect(views[0]).not.toHaveProperty('requestId');
    expect(views[0]).toMatchObject({ status: 'SUCCEEDED', connectionArn: connectionArn('c2', 'codeconnections'), openBlockers: [] });
    // No link, no request: no connection, no Region for the console, no status before a first attempt.
    expect(views[1]).toEqual({
      stackName: 'orphan',
      repository: 'acme/docs',
      repositoryLinkId: 'link-9',
      branch: 'main',
      roleArn: roleArn('orphan'),
      openBlockers: [],
      links: { resolve: '/v1/sync-configurations/orphan/blockers/{blockerId}/resolve' },
    });
  });

  it('shows a requester only those of their own requests', () => {
    const facts = { repositoryLinks: links, syncConfigurations: syncs };
    expect(syncConfigurationViews(facts, [alices], { isAdmin: false }).map((view) => view.stackName)).toEqual(['payments-infra']);
    expect(syncConfigurationViews(facts, [bobs], { isAdmin: false })).toEqual([]);
    expect(syncConfigurationViews(facts, [], { isAdmin: false })).toEqual([]);
  });

  it('leaves out a blocker’s creation time AWS did not give', () => {
    const [view] = syncConfigurationViews({ repositoryLinks: links, syncConfigurations: [sync('s', 'link-1', { openBlockers: [{ id: 'b', type: 'USER', reason: 'hold', createdAt: '' }] })] }, [], { isAdmin: true });
    expect(view!.openBlockers).toEqual([{ id: 'b', type: 'USER', reason: 'hold' }]);
  });
});

describe('reading Git sync from AWS', () => {
  // An instance, not the class: the unit tests share one module graph.
  const client = new CodeStarConnectionsClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  afterAll(() => mock.restore());

  const awsLink = (id: string) => ({
    RepositoryLinkId: id,
    RepositoryLinkArn: linkArn(id),
    ConnectionArn: connectionArn('c1'),
    OwnerId: 'acme',
    RepositoryName: id === 'link-1' ? 'infra' : 'docs',
    ProviderType: 'GitHubEnterpriseServer' as const,
  });
  const awsSync = (linkId: string, stackName: string) => ({
    Branch: 'main',
    ConfigFile: `deploy/${stackName}.yaml`,
    OwnerId: 'acme',
    ProviderType: 'GitHubEnterpriseServer' as const,
    RepositoryLinkId: linkId,
    RepositoryName: 'infra',
    ResourceName: stackName,
    RoleArn: roleArn(stackName),
    SyncType: 'CFN_STACK_SYNC' as const,
  });
  const revision = { Branch: 'main', Directory: 'deploy', OwnerId: 'acme', ProviderType: 'GitHubEnterpriseServer' as const, RepositoryName: 'infra', Sha: 'abc' };
  const attempt = (status: ResourceSyncStatus, events: string[]) => ({
    Status: status,
    StartedAt: new Date('2026-03-10T10:00:00Z'),
    Events: events.map((event) => ({ Event: event, Time: new Date('2026-03-10T10:00:00Z'), Type: status })),
    InitialRevision: revision,
    TargetRevision: revision,
    Target: 'x',
  });

  beforeEach(() => {
    mock.reset();
    mock
      .on(ListRepositoryLinksCommand, { NextToken: undefined })
      .resolves({ RepositoryLinks: [awsLink('link-1')], NextToken: 'page-2' })
      .on(ListRepositoryLinksCommand, { NextToken: 'page-2' })
      .resolves({ RepositoryLinks: [awsLink('link-2'), awsLink('deleted')] });
    mock
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-1' })
      .resolves({ SyncConfigurations: [awsSync('link-1', 'payments-infra'), awsSync('link-1', 'new-stack'), awsSync('link-1', 'just-deleted')] })
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-2' })
      .resolves({ SyncConfigurations: [] })
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'deleted' })
      .rejects(new ResourceNotFoundException({ message: 'Repository link deleted does not exist', $metadata: {} }));
    mock
      .on(GetResourceSyncStatusCommand, { ResourceName: 'payments-infra' })
      .resolves({ DesiredState: revision, LatestSync: attempt('FAILED', ['Sync initiated', 'Stack update failed']), LatestSuccessfulSync: attempt('SUCCEEDED', []) })
      .on(GetResourceSyncStatusCommand, { ResourceName: 'new-stack' })
      .rejects(new ResourceNotFoundException({ message: 'No sync status exists for new-stack', $metadata: {} }))
      .on(GetResourceSyncStatusCommand, { ResourceName: 'just-deleted' })
      .rejects(new ResourceNotFoundException({ message: 'No sync configuration exists for just-deleted', $metadata: {} }));
    mock
      .on(GetSyncBlockerSummaryCommand, { ResourceName: 'payments-infra' })
      .resolves({
        SyncBlockerSummary: {
          ResourceName: 'payments-infra',
          LatestBlockers: [
            { Id: 'b-1', Type: 'AUTOMATED', Status: 'ACTIVE', CreatedReason: 'Stack is in UPDATE_ROLLBACK_FAILED', CreatedAt: new Date('2026-03-10T11:00:00Z') },
            { Id: 'b-0', Type: 'AUTOMATED', Status: 'RESOLVED', CreatedReason: 'old', CreatedAt: new Date('2026-03-01T11:00:00Z'), ResolvedReason: 'fixed', ResolvedAt: new Date('2026-03-02T11:00:00Z') },
          ],
        },
      })
      .on(GetSyncBlockerSummaryCommand, { ResourceName: 'new-stack' })
      .resolves({ SyncBlockerSummary: { ResourceName: 'new-stack', LatestBlockers: [] } })
      .on(GetSyncBlockerSummaryCommand, { ResourceName: 'just-deleted' })
      .rejects(new ResourceNotFoundException({ message: 'No sync configuration exists for just-deleted', $metadata: {} }));
  });

  it('reads every link page, the CFN_STACK_SYNC configurations on each, and their latest sync and ACTIVE blockers; what went away meanwhile drops out', async () => {
    const read = await readGitSync(client);
    expect(read.repositoryLinks.map((link) => link.id)).toEqual(['link-1', 'link-2']);
    expect(read.syncConfigurations).toEqual([
      {
        stackName: 'new-stack',
        repositoryLinkId: 'link-1',
        repository: 'acme/infra',
        branch: 'main',
        configFile: 'deploy/new-stack.yaml',
        roleArn: roleArn('new-stack'),
        openBlockers: [],
      },
      {
        stackName: 'payments-infra',
        repositoryLinkId: 'link-1',
        repository: 'acme/infra',
        branch: 'main',
        configFile: 'deploy/payments-infra.yaml',
        roleArn: roleArn('payments-infra'),
        latestSync: { status: 'FAILED', startedAt: '2026-03-10T10:00:00.000Z', lastEvent: 'Stack update failed' },
        succeededBefore: true,
        openBlockers: [{ id: 'b-1', type: 'AUTOMATED', reason: 'Stack is in UPDATE_ROLLBACK_FAILED', createdAt: '2026-03-10T11:00:00.000Z' }],
      },
    ]);
    expect(read.unreadable).toEqual([]);
    expect(mock.commandCalls(ListSyncConfigurationsCommand).every((call) => call.args[0].input.SyncType === 'CFN_STACK_SYNC')).toBe(true);
  });

  it('for the auditor, records a refused read and goes on; for the API, throws it', async () => {
    const denied = (action: string) => new AccessDeniedException({ message: `User: x is not authorized to perform: ${action}`, $metadata: {} });
    mock.on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-2' }).rejects(denied('codestar-connections:ListSyncConfigurations'));
    mock.on(GetSyncBlockerSummaryCommand, { ResourceName: 'new-stack' }).rejects(denied('codestar-connections:GetSyncBlockerSummary'));
    await expect(readGitSync(client)).rejects.toThrow(AccessDeniedException);

    const read = await readGitSync(client, { recordDenied: true });
    expect(read.repositoryLinks.find((link) => link.id === 'link-2')).toMatchObject({ syncConfigurationsUnread: true });
    expect(read.syncConfigurations.find((sync) => sync.stackName === 'new-stack')).toMatchObject({ unread: true, openBlockers: [] });
    expect(read.unreadable).toEqual([
      expect.objectContaining({ resource: linkArn('link-2'), resourceKind: 'repository-link', action: 'codestar-connections:ListSyncConfigurations', policyResource: '*' }),
      expect.objectContaining({ resource: 'new-stack', resourceKind: 'sync-configuration', action: 'codestar-connections:GetSyncBlockerSummary', policyResource: '*' }),
    ]);
  });

  it('sends every call through the given wrapper (the auditor’s patient retries)', async () => {
    let calls = 0;
    mock.on(ListRepositoryLinksCommand, { NextToken: undefined }).rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })).resolves({ RepositoryLinks: [] });
    const read = await readGitSync(client, {
      call: async (send) => {
        calls++;
        try {
          return await send();
        } catch {
          return send();
        }
      },
    });
    expect(read).toEqual({ repositoryLinks: [], syncConfigurations: [], unreadable: [] });
    expect(calls).toBe(1);
    expect(mock.commandCalls(ListRepositoryLinksCommand)).toHaveLength(2);
  });
});
