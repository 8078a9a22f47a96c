import {
  CodeStarConnectionsClient,
  GetConnectionCommand,
  GetSyncBlockerSummaryCommand,
  GetSyncConfigurationCommand,
  ListRepositoryLinksCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-codestar-connections';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, sandboxControl, type Problem } from './local-system.ts';
import { approve, harness, inStatus, nextKey, pipelineDeclaration, policyOf, read, requestConnection, seedPipeline, seedRole, untilApproval, type RequestBody } from './pipeline-attach-helpers.ts';
import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';

/**
 * Git sync as a request's target, over HTTP through the local system: the repository linked to the
 * connection, the role let to use the connection and trusted by Git sync, the sync configuration,
 * the first sync (driven through the sandbox's sync control routes), a blocker shown as the next
 * action and resolved through the API, and a rollback that leaves nothing of it behind.
 */

type View = RequestBody & {
  nextAction: { stage: string; actor: string; message: string; actionUrl?: string } | null;
  gitSync?: { stackName: string; repositoryLinkId?: string; status?: string; blockers: { id: string; reason: string }[] };
  failure?: { code: string; message: string };
};

const GIT_SYNC = 'cloudformation.sync.codeconnections.amazonaws.com';

describe('Git sync', () => {
  const h = harness();
  let connections: CodeStarConnectionsClient;
  beforeAll(() => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => connections?.destroy());

  /** A deployment role as a platform team has it: trusted by CloudFormation only. */
  async function deploymentRole(name: string): Promise<string> {
    await sandboxControl(h.system, 'POST', '/roles', {
      roleName: name,
      path: '/service-role/',
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    return `arn:aws:iam::111111111111:role/service-role/${name}`;
  }

  async function requestGitSync(stackName: string, roleArn: string): Promise<View> {
    const answer = await api<View>(h.system, 'POST', '/v1/connection-requests', {
      token: h.alice,
      body: { providerEndpoint: 'https://ghe.example.com', gitSync: { stackName, repository: 'acme/infra', branch: 'main', configFile: `deploy/${stackName}.yaml`, roleArn } },
      idempotencyKey: nextKey(),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body;
  }

  /** Through the handshake and attach, until the sync configuration exists and Git sync starts its first sync. */
  async function untilSyncConfigured(created: View): Promise<View> {
    await approve(h, await untilApproval(h, created));
    return (await eventually(read(h, created.requestId), (request) => (request as View).gitSync?.status === 'INITIATED', 'the sync configuration')) as View;
  }

  /** The first test's request, COMPLETED with its first sync: the decommission test retires it. */
  let paymentsRequest: View | undefined;

  const trustedServices = async (roleName: string) =>
    JSON.stringify(JSON.parse(decodeURIComponent((await h.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!)));

  it('links the repository, lets the role use the connection and trusts Git sync with it, and completes on the first successful sync', async () => {
    const roleArn = await deploymentRole('payments-sync');
    const created = await requestGitSync('payments-infra', roleArn);
    const configured = await untilSyncConfigured(created);

    const { SyncConfiguration } = await connections.send(new GetSyncConfigurationCommand({ ResourceName: 'payments-infra', SyncType: 'CFN_STACK_SYNC' }));
    expect(SyncConfiguration).toMatchObject({ Branch: 'main', ConfigFile: 'deploy/payments-infra.yaml', RoleArn: roleArn, RepositoryLinkId: configured.gitSync!.repositoryLinkId });
    const { RepositoryLinks } = await connections.send(new ListRepositoryLinksCommand({}));
    expect(RepositoryLinks).toContainEqual(expect.objectContaining({ RepositoryLinkId: configured.gitSync!.repositoryLinkId, OwnerId: 'acme', RepositoryName: 'infra' }));
    expect(await trustedServices('payments-sync')).toContain(GIT_SYNC);
    const connectionId = configured.connectionArn!.split('/').at(-1)!;
    const [statement] = (await policyOf(h, 'payments-sync', `UseConnection-${connectionId}`)).Statement;
    expect(statement!.Action.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);

    // Git sync assumes the role (which now trusts it) and deploys: the first sync succeeds.
    expect((await sandboxControl<{ status: string }>(h.system, 'POST', '/sync/process', { resourceName: 'payments-infra' })).status).toBe('SUCCEEDED');
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 60 });
    const done = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(done.gitSync).toMatchObject({ stackName: 'payments-infra', status: 'SUCCEEDED', blockers: [] });
    expect(done.nextAction).toBeNull();
    expect(done.timeline.map((entry) => entry.message)).toContain('The first Git sync of stack payments-infra succeeded.');
    paymentsRequest = done;
  });

  it('attaches a pipeline and syncs a stack in one request, with CodeConnections-only options, granting both roles', async () => {
    const pipelineRole = await seedRole(h, 'billing-pipeline');
    await seedPipeline(h, pipelineDeclaration('billing', { role: pipelineRole }));
    const syncRole = await deploymentRole('billing-sync');
    const created = await requestConnection(h, { name: 'billing', fullRepositoryId: 'acme/billing', branchName: 'main' }, {
      gitSync: { stackName: 'billing-infra', repository: 'acme/infra', branch: 'main', configFile: 'deploy/billing.yaml', roleArn: syncRole, pullRequestComment: 'ENABLED', publishDeploymentStatus: 'DISABLED', triggerResourceUpdateOn: 'FILE_CHANGE' },
    });
    const configured = await untilSyncConfigured(created as View);
    // PullRequestComment exists only in CodeConnections' model (the installed SDK predates it), so
    // the sync configuration is read as a CodeConnections client would.
    const answer = await fetch(h.system.sandbox.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'CodeConnections_20231201.GetSyncConfiguration',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/codeconnections/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify({ ResourceName: 'billing-infra', SyncType: 'CFN_STACK_SYNC' }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { SyncConfiguration: unknown }).SyncConfiguration).toMatchObject({
      PullRequestComment: 'ENABLED',
      PublishDeploymentStatus: 'DISABLED',
      TriggerResourceUpdateOn: 'FILE_CHANGE',
      RoleArn: syncRole,
    });
    expect((await sandboxControl<{ status: string }>(h.system, 'POST', '/sync/process', { resourceName: 'billing-infra' })).status).toBe('SUCCEEDED');
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 60 });
    const done = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(done.gitSync).toMatchObject({ stackName: 'billing-infra', status: 'SUCCEEDED' });
    // The pipeline's source action uses the connection, and both roles may use it.
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'billing' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration!.ConnectionArn).toBe(configured.connectionArn);
    const connectionId = configured.connectionArn!.split('/').at(-1)!;
    for (const role of ['billing-pipeline', 'billing-sync']) {
      const [statement] = (await policyOf(h, role, `UseConnection-${connectionId}`)).Statement;
      expect(statement!.Action.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
    }
  });

  it('decommissions a Git sync request: refused without detach, naming its stack and link; with detach its sync configuration, link and trust go before the connection', async () => {
    const { requestId, connectionArn, gitSync } = paymentsRequest!;
    const id = connectionArn!.split('/').at(-1)!;
    const refused = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.errors).toEqual([
      { path: 'usedBy.sync-configuration.payments-infra', message: expect.stringContaining('detach: true deletes it (the stack stays)') },
      { path: 'usedBy.repository-link.acme/infra', message: expect.stringContaining('detach: true deletes it after its sync configuration') },
    ]);
    expect((await connections.send(new GetSyncConfigurationCommand({ ResourceName: 'payments-infra', SyncType: 'CFN_STACK_SYNC' }))).SyncConfiguration).toBeDefined();

    const accepted = await api<View>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin, body: { detach: true, reason: 'stack moves to another repository' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    await inStatus(h, requestId, 'DECOMMISSIONED');
    await expect(connections.send(new GetSyncConfigurationCommand({ ResourceName: 'payments-infra', SyncType: 'CFN_STACK_SYNC' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { RepositoryLinks } = await connections.send(new ListRepositoryLinksCommand({}));
    expect(RepositoryLinks?.filter((link) => link.RepositoryLinkId === gitSync!.repositoryLinkId)).toEqual([]);
    expect(await trustedServices('payments-sync')).not.toContain(GIT_SYNC);
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('shows a sync blocker as the next action, and an admin resolves it through the API', async () => {
    const roleArn = await deploymentRole('ledger-sync');
    const created = await requestGitSync('ledger-infra', roleArn);
    await untilSyncConfigured(created);
    const blocker = await sandboxControl<{ Id: string }>(h.system, 'POST', '/sync/blockers', { resourceName: 'ledger-infra', reason: 'Stack ledger-infra is in UPDATE_ROLLBACK_FAILED' });
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 60 });

    const blocked = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(blocked.gitSync!.blockers).toEqual([expect.objectContaining({ id: blocker.Id, reason: 'Stack ledger-infra is in UPDATE_ROLLBACK_FAILED' })]);
    expect(blocked.nextAction).toMatchObject({ stage: 'git-sync', actor: 'platform-admin', message: expect.stringContaining(`/v1/sync-configurations/ledger-infra/blockers/${blocker.Id}/resolve`) });

    const path = `/v1/sync-configurations/ledger-infra/blockers/${blocker.Id}/resolve`;
    // Only admins, and only with a reason.
    expect((await api<Problem>(h.system, 'POST', path, { token: h.alice, body: { reason: 'fixed' } })).status).toBe(403);
    const noReason = await api<Problem>(h.system, 'POST', path, { token: h.admin, body: {} });
    expect([noReason.status, noReason.body.errors.map((error) => error.path)]).toEqual([400, ['reason']]);
    const resolved = await api<{ request: View }>(h.system, 'POST', path, { token: h.admin, body: { reason: 'continued the stack rollback' } });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.request.gitSync!.blockers).toEqual([]);
    expect(resolved.body.request.nextAction).toBeNull();
    const { SyncBlockerSummary } = await connections.send(new GetSyncBlockerSummaryCommand({ ResourceName: 'ledger-infra', SyncType: 'CFN_STACK_SYNC' }));
    expect(SyncBlockerSummary!.LatestBlockers).toContainEqual(expect.objectContaining({ Id: blocker.Id, Status: 'RESOLVED', ResolvedReason: 'continued the stack rollback' }));
    // Resolved once: a second time there is no such open blocker.
    expect((await api<Problem>(h.system, 'POST', path, { token: h.admin, body: { reason: 'again' } })).status).toBe(404);
  });

  it('completes, without rolling back, when the first deployment is still under way after 12 minutes', async () => {
    const roleArn = await deploymentRole('reports-sync');
    const created = await requestGitSync('reports-infra', roleArn);
    await untilSyncConfigured(created);
    await sandboxControl(h.system, 'POST', '/sync/attempts', { resourceName: 'reports-infra', status: 'IN_PROGRESS' });
    // Still deploying after 11 minutes: still waiting.
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 660 });
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 30 });
    expect((await read(h, created.requestId)()).status).toBe('ATTACHING_PIPELINE');
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 60 });
    const done = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(done.gitSync).toMatchObject({ stackName: 'reports-infra', status: 'IN_PROGRESS', blockers: [] });
    expect(done.timeline.map((entry) => entry.message)).toContainEqual(expect.stringMatching(/^The first Git sync of stack reports-infra is still IN_PROGRESS after 1[23] minutes: the request completes/));
    // The sync configuration stays, and the deployment goes on to succeed.
    expect((await connections.send(new GetSyncConfigurationCommand({ ResourceName: 'reports-infra', SyncType: 'CFN_STACK_SYNC' }))).SyncConfiguration).toBeDefined();
  });

  it('rolls back a failed first sync: no sync configuration, no repository link, the role’s trust as it was, no connection', async () => {
    const roleArn = await deploymentRole('orders-sync');
    const trustBefore = await trustedServices('orders-sync');
    const created = await requestGitSync('orders-infra', roleArn);
    const configured = await untilSyncConfigured(created);
    await sandboxControl(h.system, 'POST', '/sync/attempts', { resourceName: 'orders-infra', status: 'FAILED' });
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 60 });

    const failed = (await inStatus(h, created.requestId, 'FAILED')) as View;
    expect(failed.failure?.code).toBe('GitSyncFailed');
    await expect(connections.send(new GetSyncConfigurationCommand({ ResourceName: 'orders-infra', SyncType: 'CFN_STACK_SYNC' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { RepositoryLinks } = await connections.send(new ListRepositoryLinksCommand({}));
    expect(RepositoryLinks?.filter((link) => link.RepositoryLinkId === configured.gitSync!.repositoryLinkId)).toEqual([]);
    expect(await trustedServices('orders-sync')).toBe(trustBefore);
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: configured.connectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a stack that has a sync configuration already (409), a role in another account, Azure DevOps, and a shared connection, naming each field', async () => {
    const ask = (body: Record<string, unknown>) => api<Problem>(h.system, 'POST', '/v1/connection-requests', { token: h.alice, body, idempotencyKey: nextKey() });
    const gitSync = (stackName: string, roleArn = 'arn:aws:iam::111111111111:role/service-role/payments-sync') => ({ stackName, repository: 'acme/infra', branch: 'main', configFile: 'deploy.yaml', roleArn });
    // ledger-infra is synced already (the blocker test's request).
    const taken = await ask({ providerEndpoint: 'https://ghe.example.com', gitSync: gitSync('ledger-infra') });
    expect([taken.status, taken.body.code, taken.body.errors.map((error) => error.path)]).toEqual([409, 'SyncConfigurationExists', ['gitSync.stackName']]);
    const foreign = await ask({ providerEndpoint: 'https://ghe.example.com', gitSync: gitSync('other-infra', 'arn:aws:iam::999999999999:role/service-role/x') });
    expect([foreign.status, foreign.body.errors.map((error) => error.path)]).toEqual([400, ['gitSync.roleArn']]);
    const azure = await ask({ providerType: 'AzureDevOps', connectionStrategy: 'shared', gitSync: gitSync('other-infra') });
    expect([azure.status, azure.body.errors.map((error) => error.path).sort()]).toEqual([400, ['connectionStrategy', 'gitSync']]);
  });

  it('refuses a Git sync target it could not create, naming the field', async () => {
    const answer = await api<Problem>(h.system, 'POST', '/v1/connection-requests', {
      token: h.alice,
      body: { providerEndpoint: 'https://ghe.example.com', gitSync: { stackName: '1-infra', repository: 'acme/infra', branch: 'main', configFile: '/deploy.yaml', roleArn: 'role/x' } },
      idempotencyKey: nextKey(),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error) => error.path).sort()).toEqual(['gitSync.configFile', 'gitSync.roleArn', 'gitSync.stackName']);
  });
});
