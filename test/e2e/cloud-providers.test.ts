import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, GetConnectionCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Problem } from './local-system.ts';
import { approve, harness, inStatus, nextKey, pipelineDeclaration, policyOf, requestConnection, seedPipeline, seedRole, untilApproval, type RequestBody } from './pipeline-attach-helpers.ts';

/**
 * Cloud providers end to end over HTTP: no host (nothing to set up, no host in the account), the
 * connection made for the provider itself, the handshake asked of that provider's people, and the
 * same approval, attach and grants as a self-managed request. Azure DevOps exists only in the
 * CodeConnections API, so its connection carries an `arn:aws:codeconnections:` ARN.
 */

type View = RequestBody & {
  providerType: string;
  providerEndpoint: string;
  nextAction: { stage: string; actor: string; message: string; actionUrl?: string } | null;
};

describe('cloud providers', () => {
  const h = harness();
  let connections: CodeStarConnectionsClient;
  beforeAll(() => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => connections?.destroy());

  const hostCount = async () => (await connections.send(new ListHostsCommand({}))).Hosts?.length ?? 0;

  it('takes a GitHub request from creation to an attached pipeline with no host', async () => {
    const hostsBefore = await hostCount();
    const role = await seedRole(h, 'github-app-pipeline');
    await seedPipeline(h, pipelineDeclaration('github-app', { role }));

    const created = (await requestConnection(h, { name: 'github-app', fullRepositoryId: 'acme/payments', branchName: 'main' }, { providerEndpoint: undefined, providerType: 'GitHub' })) as View;
    expect(created).toMatchObject({ providerType: 'GitHub', providerEndpoint: 'https://github.com' });

    // Straight to the handshake: no host wait, no host at all.
    const waiting = (await untilApproval(h, created)) as View;
    expect(waiting.hostArn).toBeUndefined();
    expect(waiting.timeline.map((entry) => entry.message)).toContain('No host: GitHub is a cloud provider, so the connection is created directly.');
    expect(waiting.timeline.some((entry) => entry.step === 'host-setup')).toBe(false);
    expect(waiting.nextAction).toMatchObject({ stage: 'handshake-and-approval', actor: 'approver', message: expect.stringContaining('A GitHub organization owner must') });
    const { Connection } = await connections.send(new GetConnectionCommand({ ConnectionArn: waiting.connectionArn }));
    expect(Connection).toMatchObject({ ProviderType: 'GitHub', ConnectionStatus: 'PENDING' });
    expect(Connection!.HostArn).toBeUndefined();
    expect(waiting.connectionArn).toMatch(/^arn:aws:codestar-connections:/);

    await approve(h, waiting);
    const done = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(done.hostArn).toBeUndefined();
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'github-app' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration).toMatchObject({ ConnectionArn: done.connectionArn, FullRepositoryId: 'acme/payments', BranchName: 'main' });
    expect(done.pipelineAttachment).toMatchObject({ missingPermissions: [], firstRun: { status: 'SUCCEEDED' } });
    expect(await hostCount()).toBe(hostsBefore);
  });

  it('completes an Azure DevOps request with an arn:aws:codeconnections: connection and the grants for both prefixes', async () => {
    const role = await seedRole(h, 'azure-app-pipeline');
    await seedPipeline(h, pipelineDeclaration('azure-app', { role }));
    const created = (await requestConnection(h, { name: 'azure-app', fullRepositoryId: 'acme/platform/payments', branchName: 'main' }, { providerEndpoint: undefined, providerType: 'AzureDevOps' })) as View;

    const waiting = (await untilApproval(h, created)) as View;
    expect(waiting.connectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:\d{12}:connection\//);
    expect(waiting.nextAction!.message).toContain('An Azure DevOps organization administrator must');
    await approve(h, waiting);
    const done = (await inStatus(h, created.requestId, 'COMPLETED')) as View;
    expect(done.connectionArn).toBe(waiting.connectionArn);

    const connectionId = done.connectionArn!.split('/').at(-1)!;
    const [statement] = (await policyOf(h, 'azure-app-pipeline', `UseConnection-${connectionId}`)).Statement;
    expect(statement!.Action.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
    expect(statement!.Resource.sort()).toEqual([done.connectionArn!, done.connectionArn!.replace(':codeconnections:', ':codestar-connections:')].sort());
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'azure-app' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration).toMatchObject({ ConnectionArn: done.connectionArn, FullRepositoryId: 'acme/platform/payments' });
  });

  it('refuses a host’s fields on a cloud provider with a 400 naming each', async () => {
    const answer = await api<Problem>(h.system, 'POST', '/v1/connection-requests', {
      token: h.alice,
      body: {
        providerType: 'Bitbucket',
        providerEndpoint: 'https://bitbucket.example.com',
        vpcConfiguration: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] },
      },
      idempotencyKey: nextKey(),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((error) => error.path)).toEqual(['providerEndpoint', 'vpcConfiguration']);
  });
});
