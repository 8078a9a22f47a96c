import { describe, expect, it } from 'vitest';
import { gitSyncConsoleUrl } from '../../request/console-links.ts';
import type { ConnectionRequestRecord } from '../../request/model.ts';
import type { FindingType, Inventory, RepositoryLinkFacts, SyncConfigurationFacts } from '../model.ts';
import { ACCOUNT, connection, connectionArn, context, hoursBefore, inventory, pipeline, record } from '../test-fixtures.ts';
import { evaluate, findingKey } from './index.ts';
import { regionOf, repositoryLinksWithoutSync, requestForStack, resolvePath, syncsBlocked, syncsFailing, syncStacksGone } from './git-sync.ts';

const findings = (input: Inventory, type: FindingType) => evaluate(input, context).filter((finding) => finding.type === type);

const linkArn = (id: string, region = 'us-east-1') => `arn:aws:codestar-connections:${region}:${ACCOUNT}:repository-link/${id}`;

function link(id: string, overrides: Partial<RepositoryLinkFacts> = {}): RepositoryLinkFacts {
  return { id, arn: linkArn(id), connectionArn: connectionArn('c1'), ownerId: 'acme', repositoryName: 'infra', providerType: 'GitHubEnterpriseServer', ...overrides };
}

function sync(stackName: string, overrides: Partial<SyncConfigurationFacts> = {}): SyncConfigurationFacts {
  return {
    stackName,
    repositoryLinkId: 'link-1',
    repository: 'acme/infra',
    branch: 'main',
    configFile: `deploy/${stackName}.yaml`,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/${stackName}-sync`,
    latestSync: { status: 'SUCCEEDED', startedAt: hoursBefore(2) },
    succeededBefore: true,
    openBlockers: [],
    ...overrides,
  };
}

const gitSyncRequest = (id: string, stackName: string, overrides: Partial<ConnectionRequestRecord> = {}) =>
  record(id, {
    connectionArn: connectionArn('c1'),
    gitSync: { stackName, repository: 'acme/infra', branch: 'main', configFile: `deploy/${stackName}.yaml`, roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/${stackName}-sync` },
    gitSyncState: { repositoryLinkId: 'link-1', linkCreatedByRequest: true, syncConfigurationCreated: true, status: 'SUCCEEDED' },
    ...overrides,
  });

describe('SYNC_BLOCKED', () => {
  it('reports a stack with ACTIVE blockers as high, aged from the oldest, with every resolve path, its request and the CloudFormation console', () => {
    const input = inventory({
      repositoryLinks: [link('link-1', { arn: linkArn('link-1', 'eu-west-1') })],
      syncConfigurations: [
        sync('ledger-infra', {
          latestSync: { status: 'FAILED', startedAt: hoursBefore(6) },
          openBlockers: [
            { id: 'b-2', type: 'AUTOMATED', reason: 'Stack is in UPDATE_ROLLBACK_FAILED', createdAt: hoursBefore(3) },
            { id: 'b-1', type: 'AUTOMATED', reason: 'Deployment file is not valid', createdAt: hoursBefore(5) },
          ],
        }),
        sync('calm-infra'),
      ],
      requests: [gitSyncRequest('r1', 'ledger-infra')],
    });
    const [finding, ...others] = findings(input, 'SYNC_BLOCKED');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'high',
      resource: 'ledger-infra',
      resourceKind: 'sync-configuration',
      owner: 'r1-owner@example.com',
      requestId: 'r1',
      since: hoursBefore(5),
      ageHours: 5,
      link: gitSyncConsoleUrl('eu-west-1', 'ledger-infra'),
    });
    expect(finding!.message).toBe(
      'Git sync of stack ledger-infra (acme/infra@main) is blocked and syncs nothing until every blocker is resolved: ' +
        'b-2 (AUTOMATED: Stack is in UPDATE_ROLLBACK_FAILED); b-1 (AUTOMATED: Deployment file is not valid).',
    );
    expect(finding!.fix).toContain('POST /v1/sync-configurations/ledger-infra/blockers/b-2/resolve, POST /v1/sync-configurations/ledger-infra/blockers/b-1/resolve');
    expect(finding!.fix).toContain('{"reason": "what was fixed"}');
    // Blocked, it is not also reported as failing: the blocker comes first.
    expect(findings(input, 'SYNC_FAILING')).toEqual([]);
  });

  it('names no owner for a sync configuration no request of ours made, and links the console in the link’s Region', () => {
    const input = inventory({
      repositoryLinks: [link('link-1')],
      syncConfigurations: [sync('hand-made', { openBlockers: [{ id: 'b', type: 'USER', reason: '', createdAt: '' }] })],
      // Same stack name, but another connection and link: not this one.
      requests: [gitSyncRequest('r9', 'hand-made', { connectionArn: connectionArn('other'), gitSyncState: { repositoryLinkId: 'link-9' } })],
    });
    const [finding] = syncsBlocked(input, context);
    expect(finding).not.toHaveProperty('owner');
    expect(finding).not.toHaveProperty('requestId');
    expect(finding).not.toHaveProperty('since');
    expect(finding!.message).toContain('until the blocker is resolved: b (USER).');
    expect(finding!.link).toBe(gitSyncConsoleUrl('us-east-1', 'hand-made'));
  });

  it('escapes the stack and blocker in the resolve path', () => {
    expect(resolvePath('a b', 'x/y')).toBe('/v1/sync-configurations/a%20b/blockers/x%2Fy/resolve');
  });
});

describe('SYNC_FAILING', () => {
  it('reports a stack whose latest sync FAILED as medium, with the last event, and says so when it never synced', () => {
    const input = inventory({
      repositoryLinks: [link('link-1')],
      syncConfigurations: [
        sync('never-synced', { latestSync: { status: 'FAILED', startedAt: hoursBefore(4), lastEvent: 'Role cannot be assumed by Git sync' }, succeededBefore: false }),
        sync('broke-later', { latestSync: { status: 'FAILED' }, succeededBefore: true }),
        sync('in-progress', { latestSync: { status: 'IN_PROGRESS' } }),
        sync('not-yet', { latestSync: undefined, succeededBefore: undefined }),
      ],
      requests: [gitSyncRequest('r1', 'never-synced')],
    });
    const failing = syncsFailing(input, context);
    expect(failing.map((finding) => finding.resource)).toEqual(['never-synced', 'broke-later']);
    expect(failing[0]).toMatchObject({ type: 'SYNC_FAILING', severity: 'medium', owner: 'r1-owner@example.com', requestId: 'r1', since: hoursBefore(4), ageHours: 4 });
    expect(failing[0]!.message).toBe('The latest Git sync of stack never-synced (acme/infra@main) FAILED: Role cannot be assumed by Git sync; it has never synced successfully.');
    expect(failing[0]!.fix).toContain('cloudformation.sync.codeconnections.amazonaws.com');
    expect(failing[0]!.fix).toContain('deploy/never-synced.yaml');
    expect(failing[1]!.message).toBe('The latest Git sync of stack broke-later (acme/infra@main) FAILED.');
    expect(failing[1]).not.toHaveProperty('since');
  });
});

describe('REPOSITORY_LINK_WITHOUT_SYNC', () => {
  it('reports a link no sync configuration uses as low, with the request that made it', () => {
    const input = inventory({
      repositoryLinks: [link('link-1'), link('bare', { repositoryName: 'docs' }), link('ours', { repositoryName: 'old' })],
      syncConfigurations: [sync('payments-infra')],
      requests: [record('r2', { status: 'CANCELLED', gitSyncState: { repositoryLinkId: 'ours', linkCreatedByRequest: true } })],
    });
    const bare = findings(input, 'REPOSITORY_LINK_WITHOUT_SYNC');
    expect(bare.map((finding) => finding.resource)).toEqual([linkArn('bare'), linkArn('ours')]);
    expect(bare[0]).toMatchObject({ severity: 'low', resourceKind: 'repository-link' });
    expect(bare[0]).not.toHaveProperty('owner');
    expect(bare[0]!.message).toBe(`Repository link bare links acme/docs to connection ${connectionArn('c1')}, but no sync configuration uses it.`);
    expect(bare[0]!.fix).toContain('aws codeconnections delete-repository-link --repository-link-id bare');
    expect(bare[0]!.fix).toContain('add a sync configuration on it');
    expect(bare[1]).toMatchObject({ owner: 'r2-owner@example.com', requestId: 'r2' });
  });

  it('leaves alone a link a request under way uses, one without an ARN is named by its id, and one whose sync configurations may not be read', () => {
    const input = inventory({
      repositoryLinks: [link('setting-up'), link('unread', { syncConfigurationsUnread: true }), link('no-arn', { arn: undefined })],
      requests: [record('r3', { status: 'ATTACHING_PIPELINE', gitSyncState: { repositoryLinkId: 'setting-up', linkCreatedByRequest: false } })],
    });
    expect(repositoryLinksWithoutSync(input).map((finding) => finding.resource)).toEqual(['no-arn']);
  });
});

describe('connections used only by Git sync', () => {
  it('are not CONNECTION_UNUSED: a repository link is a use, under either ARN prefix', () => {
    const input = inventory({
      connections: [connection('c1'), connection('c2'), connection('spare')],
      pipelines: [pipeline('payments', connectionArn('c2'))],
      repositoryLinks: [link('link-1', { connectionArn: connectionArn('c1', 'codeconnections') })],
      syncConfigurations: [sync('payments-infra')],
    });
    expect(findings(input, 'CONNECTION_UNUSED').map((finding) => finding.resource)).toEqual([connectionArn('spare')]);
  });
});

describe('which request a sync configuration is', () => {
  it('prefers the request that names its repository link, then one still in use, then the newest; never one on another connection', () => {
    const target = sync('s');
    const onLink = gitSyncRequest('on-link', 's', { status: 'FAILED', createdAt: hoursBefore(50) });
    const sameConnection = gitSyncRequest('same-connection', 's', { gitSyncState: { repositoryLinkId: 'link-2' }, createdAt: hoursBefore(10) });
    const elsewhere = gitSyncRequest('elsewhere', 's', { connectionArn: connectionArn('c9'), gitSyncState: undefined, createdAt: hoursBefore(1) });
    expect(requestForStack(target, connectionArn('c1'), [sameConnection, elsewhere, onLink])?.requestId).toBe('on-link');
    expect(requestForStack(target, connectionArn('c1', 'codeconnections'), [sameConnection, elsewhere])?.requestId).toBe('same-connection');
    const older = gitSyncRequest('older', 's', { createdAt: hoursBefore(20) });
    const rolledBack = gitSyncRequest('rolled-back', 's', { status: 'CANCELLED', createdAt: hoursBefore(2) });
    expect(requestForStack(target, connectionArn('c1'), [rolledBack, older, onLink])?.requestId).toBe('older');
    expect(requestForStack(target, connectionArn('c1'), [elsewhere])).toBeUndefined();
  });

  it('finds a link’s Region in its ARN, else its connection’s', () => {
    expect(regionOf(link('l', { arn: linkArn('l', 'ap-southeast-2') }))).toBe('ap-southeast-2');
    expect(regionOf(link('l', { arn: undefined, connectionArn: connectionArn('c1').replace('us-east-1', 'eu-central-1') }))).toBe('eu-central-1');
    expect(regionOf(undefined)).toBeUndefined();
  });
});

describe('finding keys', () => {
  it('key a sync configuration by its stack and a link by its ARN', () => {
    const input = inventory({
      repositoryLinks: [link('link-1'), link('bare')],
      syncConfigurations: [sync('payments-infra', { openBlockers: [{ id: 'b', type: 'AUTOMATED', reason: 'r', createdAt: hoursBefore(1) }] })],
    });
    expect(evaluate(input, context).filter((finding) => finding.type !== 'CONNECTION_UNUSED').map(findingKey)).toEqual([
      'SYNC_BLOCKED|payments-infra|',
      `REPOSITORY_LINK_WITHOUT_SYNC|${linkArn('bare')}|`,
    ]);
  });
});

describe('Git sync reads the auditor may not make', () => {
  it('are RESOURCE_UNREADABLE, saying what was not checked and to grant the action on *', () => {
    const input = inventory({
      repositoryLinks: [link('link-1', { syncConfigurationsUnread: true })],
      syncConfigurations: [sync('s', { unread: true })],
      unreadable: [
        { resource: linkArn('link-1'), resourceKind: 'repository-link', action: 'codestar-connections:ListSyncConfigurations', policyResource: '*', error: 'AccessDeniedException', lastKnown: false },
        { resource: 's', resourceKind: 'sync-configuration', action: 'codestar-connections:GetSyncBlockerSummary', policyResource: '*', error: 'AccessDeniedException', lastKnown: false },
      ],
    });
    const [onLink, onStack] = findings(input, 'RESOURCE_UNREADABLE');
    expect(onLink).toMatchObject({ resourceKind: 'repository-link', severity: 'medium' });
    expect(onLink!.message).toContain('the sync configurations on it are unknown');
    expect(onLink!.fix).toMatch(/^Grant codestar-connections:ListSyncConfigurations on \* to the auditor's IAM role/);
    expect(onStack!.message).toContain('on the Git sync configuration of stack s (AccessDeniedException); its blockers are unknown');
    expect(findings(input, 'REPOSITORY_LINK_WITHOUT_SYNC')).toEqual([]);
  });
});

describe('SYNC_STACK_GONE', () => {
  it('reports a stack CloudFormation no longer has, once Git sync had made it, with its request and how to clean up or recreate it', () => {
    const input = inventory({
      repositoryLinks: [link('link-1')],
      syncConfigurations: [sync('ledger-infra', { stackGone: true }), sync('calm-infra')],
      requests: [gitSyncRequest('r1', 'ledger-infra')],
    });
    const [finding, ...others] = findings(input, 'SYNC_STACK_GONE');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ severity: 'medium', resource: 'ledger-infra', resourceKind: 'sync-configuration', owner: 'r1-owner@example.com', requestId: 'r1' });
    expect(finding!.message).toBe(
      'The Git sync configuration of stack ledger-infra (acme/infra@main) synced before, but CloudFormation has no stack ledger-infra any more: it was deleted outside Git sync.',
    );
    expect(finding!.fix).toContain('delete-sync-configuration --sync-type CFN_STACK_SYNC --resource-name ledger-infra');
    expect(finding!.fix).toContain('push a commit to main');
  });

  it('says nothing of a stack whose existence was not established', () => {
    expect(syncStacksGone(inventory({ syncConfigurations: [sync('new-infra', { succeededBefore: false, latestSync: { status: 'IN_PROGRESS' } }), sync('ledger-infra')] }))).toEqual([]);
  });
});
