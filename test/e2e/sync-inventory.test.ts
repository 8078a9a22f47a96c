import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  CreateRepositoryLinkCommand,
  CreateSyncConfigurationCommand,
  DeleteSyncConfigurationCommand,
} from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, FindingType } from '../../functions/audit/model.ts';
import type { AuditReport } from '../../functions/audit/report.ts';
import type { SyncConfigurationView } from '../../functions/audit/sync-configuration-views.ts';
import { api, eventually, sandboxControl, type Problem } from './local-system.ts';
import { ACCOUNT, approve, harness, inStatus, nextKey, untilApproval, type RequestBody } from './pipeline-attach-helpers.ts';

/**
 * Git sync in the inventory, the auditor and the decommission guard, over HTTP through the local
 * system (packaged bundles, IAM enforced). The Git sync is made straight in the sandbox, as someone
 * would with the console or the CLI (a connection, a repository link, a sync configuration whose
 * role trusts Git sync, a blocker Git sync raised), not by a request's workflow: GET
 * /v1/sync-configurations lists it with its blocker, an audit reports the blocked stack, a failing
 * one and a bare link, and DELETE /v1/connections/{id} refuses a connection a sync configuration
 * uses, naming it.
 */

const GIT_SYNC = 'cloudformation.sync.codeconnections.amazonaws.com';

describe('Git sync in the inventory, the audit and the decommission guard', () => {
  const h = harness();
  let connections: CodeStarConnectionsClient;
  beforeAll(() => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => connections?.destroy());

  /** A GitHub connection, its handshake done as in the console. */
  async function availableConnection(name: string): Promise<string> {
    const { ConnectionArn } = await connections.send(new CreateConnectionCommand({ ConnectionName: name, ProviderType: 'GitHub' }));
    await sandboxControl(h.system, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
    return ConnectionArn!;
  }

  /** A deployment role Git sync may assume (its trust policy names Git sync), or one it may not. */
  async function syncRole(name: string, trusting = GIT_SYNC): Promise<string> {
    await sandboxControl(h.system, 'POST', '/roles', {
      roleName: name,
      path: '/service-role/',
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: trusting }, Action: 'sts:AssumeRole' }] },
    });
    return `arn:aws:iam::${ACCOUNT}:role/service-role/${name}`;
  }

  async function link(connectionArn: string, repository: string): Promise<string> {
    const [owner, name] = repository.split('/');
    const { RepositoryLinkInfo } = await connections.send(new CreateRepositoryLinkCommand({ ConnectionArn: connectionArn, OwnerId: owner, RepositoryName: name }));
    return RepositoryLinkInfo!.RepositoryLinkId!;
  }

  async function syncStack(stackName: string, repositoryLinkId: string, roleArn: string): Promise<void> {
    await connections.send(
      new CreateSyncConfigurationCommand({ Branch: 'main', ConfigFile: `deploy/${stackName}.yaml`, RepositoryLinkId: repositoryLinkId, ResourceName: stackName, RoleArn: roleArn, SyncType: 'CFN_STACK_SYNC' }),
    );
  }

  const listed = async (token: string) => {
    const answer = await api<{ syncConfigurations: SyncConfigurationView[] }>(h.system, 'GET', '/v1/sync-configurations', { token });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body.syncConfigurations;
  };

  async function audit(): Promise<AuditReport> {
    const started = await api<AuditReport>(h.system, 'POST', '/v1/audits', { token: h.admin });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await eventually(
      async () => (await api<AuditReport>(h.system, 'GET', `/v1/audits/${started.body.auditId}`, { token: h.admin })).body,
      (report) => report.status !== 'RUNNING',
      'the audit to finish',
      60_000,
    );
    expect(done.status, done.failure).toBe('COMPLETED');
    return done;
  }
  const about = (report: AuditReport, type: FindingType, resource: string): Finding | undefined => report.findings.find((finding) => finding.type === type && finding.resource === resource);

  let syncedConnection: string;
  let ledgerLink: string;
  let bareLinkArn: string;
  let blockerId: string;

  it('lists the sync configurations with their latest sync and open blockers: all of them for an admin, none of another’s for a requester', async () => {
    syncedConnection = await availableConnection('ledger-git-sync');
    ledgerLink = await link(syncedConnection, 'acme/ledger');
    await syncStack('ledger-infra', ledgerLink, await syncRole('ledger-sync'));
    // Git sync assumes the role and deploys, then stops on a blocker.
    expect((await sandboxControl<{ status: string }>(h.system, 'POST', '/sync/process', { resourceName: 'ledger-infra' })).status).toBe('SUCCEEDED');
    const blocker = await sandboxControl<{ Id: string }>(h.system, 'POST', '/sync/blockers', { resourceName: 'ledger-infra', reason: 'Stack ledger-infra is in UPDATE_ROLLBACK_FAILED' });
    blockerId = blocker.Id;

    const [ledger, ...others] = await listed(h.admin);
    expect(others).toEqual([]);
    expect(ledger).toEqual({
      stackName: 'ledger-infra',
      repository: 'acme/ledger',
      repositoryLinkId: ledgerLink,
      connectionArn: syncedConnection,
      branch: 'main',
      configFile: 'deploy/ledger-infra.yaml',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/ledger-sync`,
      status: 'SUCCEEDED',
      openBlockers: [{ id: blockerId, type: 'AUTOMATED', reason: 'Stack ledger-infra is in UPDATE_ROLLBACK_FAILED', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }],
      links: { resolve: '/v1/sync-configurations/ledger-infra/blockers/{blockerId}/resolve', console: expect.stringContaining('/cloudformation/home?region=us-east-1') },
    });
    // No request of alice's made it: for her it does not exist.
    expect(await listed(h.alice)).toEqual([]);
  });

  it('audits Git sync: a blocked stack, a failing one, one whose stack was deleted and a bare link are reported, and a connection only Git sync uses is not unused', async () => {
    // A stack whose role Git sync may not assume: its sync fails.
    await syncStack('orders-infra', ledgerLink, await syncRole('orders-sync', 'cloudformation.amazonaws.com'));
    expect((await sandboxControl<{ status: string }>(h.system, 'POST', '/sync/process', { resourceName: 'orders-infra' })).status).toBe('FAILED');
    // A repository linked, and nothing synced from it.
    const bareConnection = await availableConnection('docs-git-sync');
    const bare = await link(bareConnection, 'acme/docs');
    bareLinkArn = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:repository-link/${bare}`;

    // A stack Git sync made, then deleted in the CloudFormation console: its sync configuration stays.
    await syncStack('reports-infra', ledgerLink, await syncRole('reports-sync'));
    expect((await sandboxControl<{ status: string }>(h.system, 'POST', '/sync/process', { resourceName: 'reports-infra' })).status).toBe('SUCCEEDED');
    await sandboxControl(h.system, 'DELETE', '/cloudformation/stacks/reports-infra');

    const report = await audit();
    const blocked = about(report, 'SYNC_BLOCKED', 'ledger-infra');
    expect(blocked).toMatchObject({ severity: 'high', resourceKind: 'sync-configuration', link: expect.stringContaining('/cloudformation/') });
    expect(blocked!.message).toContain('Stack ledger-infra is in UPDATE_ROLLBACK_FAILED');
    expect(blocked!.fix).toContain(`POST /v1/sync-configurations/ledger-infra/blockers/${blockerId}/resolve`);
    const failing = about(report, 'SYNC_FAILING', 'orders-infra');
    expect(failing).toMatchObject({ severity: 'medium' });
    expect(failing!.message).toContain('never synced successfully');
    const stackGone = about(report, 'SYNC_STACK_GONE', 'reports-infra');
    expect(stackGone).toMatchObject({ severity: 'medium', resourceKind: 'sync-configuration' });
    expect(stackGone!.fix).toContain('--resource-name reports-infra');
    // The blocked stack exists, and the failing one never synced: neither is called gone.
    for (const stack of ['ledger-infra', 'orders-infra']) expect(about(report, 'SYNC_STACK_GONE', stack)).toBeUndefined();
    const bareLink = about(report, 'REPOSITORY_LINK_WITHOUT_SYNC', bareLinkArn);
    expect(bareLink).toMatchObject({ severity: 'low', resourceKind: 'repository-link' });
    expect(bareLink!.fix).toContain(`--repository-link-id ${bare}`);
    expect(about(report, 'REPOSITORY_LINK_WITHOUT_SYNC', `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:repository-link/${ledgerLink}`)).toBeUndefined();
    // No pipeline uses these connections, yet Git sync does: neither is unused.
    for (const arn of [syncedConnection, bareConnection]) expect(about(report, 'CONNECTION_UNUSED', arn)).toBeUndefined();
    expect(ofTypes(report)).toEqual(expect.arrayContaining(['SYNC_BLOCKED', 'SYNC_FAILING', 'SYNC_STACK_GONE', 'REPOSITORY_LINK_WITHOUT_SYNC']));
    expect(ofTypes(report)).not.toContain('RESOURCE_UNREADABLE');
  });

  it('refuses to decommission a connection a request made while a sync configuration uses it, naming the stack and the link', async () => {
    const created = await api<RequestBody>(h.system, 'POST', '/v1/connection-requests', { token: h.alice, body: { providerEndpoint: 'https://ghe.example.com' }, idempotencyKey: nextKey() });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    await approve(h, await untilApproval(h, created.body));
    const completed = await inStatus(h, created.body.requestId, 'COMPLETED');
    // Someone syncs a stack through the broker's connection, outside the broker.
    const guardedLink = await link(completed.connectionArn!, 'acme/payments');
    await syncStack('payments-infra', guardedLink, await syncRole('payments-sync'));
    const id = completed.connectionArn!.split('/').at(-1)!;

    const refused = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin, body: { detach: true } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('ConnectionInUse');
    expect(refused.body.errors).toEqual([
      { path: 'usedBy.sync-configuration.payments-infra', message: expect.stringContaining('delete the sync configuration of stack payments-infra') },
      { path: 'usedBy.repository-link.acme/payments', message: expect.stringContaining('delete or move the link first') },
    ]);
    expect((await api<RequestBody>(h.system, 'GET', `/v1/connection-requests/${created.body.requestId}`, { token: h.alice })).body.status).toBe('COMPLETED');

    // Its sync configuration gone, the link alone still holds the connection.
    await connections.send(new DeleteSyncConfigurationCommand({ ResourceName: 'payments-infra', SyncType: 'CFN_STACK_SYNC' }));
    const again = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin });
    expect([again.status, again.body.errors.map((error) => error.path)]).toEqual([409, ['usedBy.repository-link.acme/payments']]);
  });
});

const ofTypes = (report: AuditReport) => [...new Set(report.findings.map((finding) => finding.type))];
