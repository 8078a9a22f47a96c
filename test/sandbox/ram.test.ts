import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  DeleteConnectionCommand,
  GetConnectionCommand,
  ListConnectionsCommand,
} from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  GetResourceShareAssociationsCommand,
  GetResourceSharesCommand,
  ListPrincipalsCommand,
  ListResourcesCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requirementsFor } from '../../infra/local/sandbox/authorization/catalogue.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { clientConfig, control, startTestSandbox, TRUST_POLICY } from '../helpers/sandbox.ts';

/**
 * AWS RAM shares a codeconnections connection of the hub account (111111111111) with a spoke
 * (222222222222): through @aws-sdk/client-ram (restJson1), the receiver reads the connection and
 * runs a pipeline with it while the association lasts, and loses both when it ends.
 */

const HUB = '111111111111';
const SPOKE = '222222222222';

let sandbox: Sandbox;
const as = (accountId: string) => ({ ...clientConfig(sandbox), credentials: { accessKeyId: accountId, secretAccessKey: 'x' } });
let hubRam: RAMClient;
let spokeRam: RAMClient;
let hubConnections: CodeStarConnectionsClient;
let spokeConnections: CodeStarConnectionsClient;
let spokePipelines: CodePipelineClient;
let spokeIam: IAMClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  hubRam = new RAMClient(as(HUB));
  spokeRam = new RAMClient(as(SPOKE));
  hubConnections = new CodeStarConnectionsClient(as(HUB));
  spokeConnections = new CodeStarConnectionsClient(as(SPOKE));
  spokePipelines = new CodePipelineClient(as(SPOKE));
  spokeIam = new IAMClient(as(SPOKE));
});
afterAll(async () => {
  for (const client of [hubRam, spokeRam, hubConnections, spokeConnections, spokePipelines, spokeIam]) client.destroy();
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
  await control(sandbox, 'PUT', '/config', { ramAssociationSeconds: 0 });
});

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** An AVAILABLE connection made in the console (a codeconnections ARN) of the account. */
async function consoleConnection(accountId = HUB, name = 'github-org'): Promise<string> {
  const { connectionArn } = await control<{ connectionArn: string }>(sandbox, 'POST', `/console/connections?account=${accountId}`, { name, providerType: 'GitHub' });
  await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn });
  return connectionArn;
}

async function shareWithSpoke(connectionArn: string): Promise<string> {
  const { resourceShare } = await hubRam.send(new CreateResourceShareCommand({ name: 'github-org', resourceArns: [connectionArn], principals: [SPOKE] }));
  return resourceShare!.resourceShareArn!;
}

/** A pipeline in the spoke whose role may use the hub's connection (its own account's grant). */
async function spokePipeline(connectionArn: string): Promise<void> {
  const { Role } = await spokeIam.send(new CreateRoleCommand({ RoleName: 'pipeline-role', AssumeRolePolicyDocument: TRUST_POLICY }));
  const grant = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: connectionArn }] };
  await spokeIam.send(new PutRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'use-shared-connection', PolicyDocument: JSON.stringify(grant) }));
  await spokePipelines.send(
    new CreatePipelineCommand({
      pipeline: {
        name: 'app',
        roleArn: Role!.Arn!,
        artifactStore: { type: 'S3', location: 'artifact-bucket' },
        stages: [
          {
            name: 'Source',
            actions: [
              {
                name: 'Source',
                actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
                configuration: { ConnectionArn: connectionArn, FullRepositoryId: 'org/app', BranchName: 'main' },
                outputArtifacts: [{ name: 'Src' }],
              },
            ],
          },
          {
            name: 'Deploy',
            actions: [
              {
                name: 'Approve',
                actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' },
              },
            ],
          },
        ],
      },
    }),
  );
}

/** Starts a run: the source action's status and message, and the run's status. */
async function spokeRun(): Promise<{ status: string; execution: string; sourceMessage?: string }> {
  const { pipelineExecutionId } = await spokePipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
  const { pipelineExecution } = await spokePipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'app', pipelineExecutionId }));
  const { stageStates } = await spokePipelines.send(new GetPipelineStateCommand({ name: 'app' }));
  const source = stageStates![0]!.actionStates![0]!.latestExecution!;
  return { status: source.status!, execution: pipelineExecution!.status!, sourceMessage: source.errorDetails?.message };
}

describe('sharing a connection', () => {
  it('lets the receiver read and use the connection while the association lasts', async () => {
    const connectionArn = await consoleConnection();
    expect(connectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:connection\//);
    const before = await rejection(spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn })));
    expect(before.name).toBe('ResourceNotFoundException');

    const { resourceShare } = await hubRam.send(new CreateResourceShareCommand({ name: 'github-org', resourceArns: [connectionArn], principals: [SPOKE] }));
    expect(resourceShare).toMatchObject({ name: 'github-org', owningAccountId: HUB, status: 'ACTIVE', featureSet: 'STANDARD', allowExternalPrincipals: true });
    expect(resourceShare!.resourceShareArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share\/[0-9a-f-]{36}$/);
    expect(resourceShare!.creationTime).toBeInstanceOf(Date);

    const { Connection } = await spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }));
    expect(Connection).toMatchObject({ ConnectionArn: connectionArn, OwnerAccountId: HUB, ConnectionStatus: 'AVAILABLE' });
    // ListConnections stays the caller's own connections.
    expect((await spokeConnections.send(new ListConnectionsCommand({}))).Connections).toEqual([]);

    await spokePipeline(connectionArn);
    expect(await spokeRun()).toMatchObject({ status: 'Succeeded' });

    await hubRam.send(new DisassociateResourceShareCommand({ resourceShareArn: resourceShare!.resourceShareArn, principals: [SPOKE] }));
    const after = await rejection(spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn })));
    expect(after.name).toBe('ResourceNotFoundException');
    const run = await spokeRun();
    expect(run).toMatchObject({ status: 'Failed', execution: 'Failed' });
    expect(run.sourceMessage).toContain('The connection does not exist');
  });

  it('ends every association when the share is deleted', async () => {
    const connectionArn = await consoleConnection();
    const shareArn = await shareWithSpoke(connectionArn);
    await spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }));

    const deleted = await hubRam.send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }));
    expect(deleted.returnValue).toBe(true);
    expect((await rejection(spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn })))).name).toBe('ResourceNotFoundException');
    const { resourceShares } = await hubRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    expect(resourceShares!.map(({ status }) => status)).toEqual(['DELETED']);
    const { resourceShareAssociations } = await hubRam.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL' }));
    expect(resourceShareAssociations!.map(({ status }) => status)).toEqual(['DISASSOCIATED']);
    const again = await rejection(hubRam.send(new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [SPOKE] })));
    expect(again.name).toBe('InvalidStateTransitionException');
  });

  it('keeps the connection the owner’s: the receiver cannot delete it', async () => {
    const connectionArn = await consoleConnection();
    await shareWithSpoke(connectionArn);
    const refused = await rejection(spokeConnections.send(new DeleteConnectionCommand({ ConnectionArn: connectionArn })));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toContain('is not authorized to perform: codestar-connections:DeleteConnection');
    const { Connection } = await hubConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }));
    expect(Connection!.ConnectionStatus).toBe('AVAILABLE');
  });

  it('moves associations from ASSOCIATING to ASSOCIATED after the configured delay', async () => {
    await control(sandbox, 'PUT', '/config', { ramAssociationSeconds: 30 });
    const connectionArn = await consoleConnection();
    const shareArn = await shareWithSpoke(connectionArn);
    const principals = () => hubRam.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [shareArn] }));
    expect((await principals()).resourceShareAssociations![0]!.status).toBe('ASSOCIATING');
    expect((await rejection(spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn })))).name).toBe('ResourceNotFoundException');

    await control(sandbox, 'POST', '/clock/advance', { seconds: 30 });
    expect((await principals()).resourceShareAssociations![0]!.status).toBe('ASSOCIATED');
    await spokeConnections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }));
  });
});

describe('what can be shared', () => {
  it('refuses a codestar-connections ARN', async () => {
    const { ConnectionArn } = await hubConnections.send(new CreateConnectionCommand({ ConnectionName: 'old-prefix', ProviderType: 'GitHub' }));
    expect(ConnectionArn).toMatch(/^arn:aws:codestar-connections:/);
    const error = await rejection(hubRam.send(new CreateResourceShareCommand({ name: 'old', resourceArns: [ConnectionArn!], principals: [SPOKE] })));
    expect(error.name).toBe('InvalidParameterException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect((await hubRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toEqual([]);
  });

  it('refuses a connection another account owns, and ARNs that are not ARNs', async () => {
    const spokeOwned = await consoleConnection(SPOKE, 'spoke-conn');
    const notOwned = await rejection(hubRam.send(new CreateResourceShareCommand({ name: 'theirs', resourceArns: [spokeOwned] })));
    expect(notOwned.name).toBe('UnknownResourceException');
    const malformed = await rejection(hubRam.send(new CreateResourceShareCommand({ name: 'bad', resourceArns: ['not-an-arn'] })));
    expect(malformed.name).toBe('MalformedArnException');
    const principal = await rejection(hubRam.send(new CreateResourceShareCommand({ name: 'bad', principals: ['o-abc'] })));
    expect(principal.name).toBe('InvalidParameterException');
    expect(principal.message).toBe('Principal ID o-abc is malformed. Verify the ID and try again.');
  });

  it('shares a global resource only from us-east-1', async () => {
    const connectionArn = await consoleConnection();
    const westRam = new RAMClient({ ...as(HUB), region: 'us-west-2' });
    const error = await rejection(westRam.send(new CreateResourceShareCommand({ name: 'west', resourceArns: [connectionArn] })));
    westRam.destroy();
    expect(error.name).toBe('InvalidParameterException');
  });

  it('answers a retry with the same clientToken alike, and a reuse with other parameters with a mismatch', async () => {
    const connectionArn = await consoleConnection();
    const input = { name: 'github-org', resourceArns: [connectionArn], principals: [SPOKE], clientToken: 'token-1' };
    const first = await hubRam.send(new CreateResourceShareCommand(input));
    const retry = await hubRam.send(new CreateResourceShareCommand(input));
    expect(retry.resourceShare!.resourceShareArn).toBe(first.resourceShare!.resourceShareArn);
    expect(retry.clientToken).toBe('token-1');
    const mismatch = await rejection(hubRam.send(new CreateResourceShareCommand({ ...input, name: 'other' })));
    expect(mismatch.name).toBe('IdempotentParameterMismatchException');
    expect((await hubRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toHaveLength(1);
  });
});

describe('reading shares', () => {
  it('answers GetResourceShares, GetResourceShareAssociations, ListResources and ListPrincipals for owner and receiver', async () => {
    const connectionArn = await consoleConnection();
    const shareArn = await shareWithSpoke(connectionArn);

    const owned = await hubRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    expect(owned.resourceShares).toEqual([expect.objectContaining({ resourceShareArn: shareArn, status: 'ACTIVE', owningAccountId: HUB })]);
    const received = await spokeRam.send(new GetResourceSharesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }));
    expect(received.resourceShares).toEqual([expect.objectContaining({ resourceShareArn: shareArn, owningAccountId: HUB })]);
    expect((await spokeRam.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toEqual([]);

    const resources = await hubRam.send(new GetResourceShareAssociationsCommand({ associationType: 'RESOURCE', resourceArn: connectionArn }));
    expect(resources.resourceShareAssociations).toEqual([
      expect.objectContaining({ resourceShareArn: shareArn, resourceShareName: 'github-org', associatedEntity: connectionArn, associationType: 'RESOURCE', status: 'ASSOCIATED', external: false }),
    ]);
    const principals = await hubRam.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', principal: SPOKE }));
    expect(principals.resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: SPOKE, associationType: 'PRINCIPAL', status: 'ASSOCIATED' })]);

    const shared = await spokeRam.send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }));
    expect(shared.resources).toEqual([
      expect.objectContaining({ arn: connectionArn, type: 'codeconnections:Connection', resourceShareArn: shareArn, status: 'AVAILABLE', resourceRegionScope: 'GLOBAL' }),
    ]);
    expect((await hubRam.send(new ListResourcesCommand({ resourceOwner: 'SELF' }))).resources).toHaveLength(1);
    expect((await rejection(hubRam.send(new ListResourcesCommand({ resourceOwner: 'SELF', resourceType: 'ec2:Subnet' })))).name).toBe('InvalidResourceTypeException');

    expect((await hubRam.send(new ListPrincipalsCommand({ resourceOwner: 'SELF' }))).principals).toEqual([expect.objectContaining({ id: SPOKE, resourceShareArn: shareArn })]);
    expect((await spokeRam.send(new ListPrincipalsCommand({ resourceOwner: 'OTHER-ACCOUNTS' }))).principals).toEqual([expect.objectContaining({ id: HUB })]);
  });

  it('answers a malformed or unknown resource share ARN as RAM does', async () => {
    const malformed = await rejection(hubRam.send(new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: ['nope'] })));
    expect(malformed.name).toBe('MalformedArnException');
    expect(malformed.message).toBe('The specified resource share ARN is not valid. Verify the ARN and try again.');
    const unknown = await rejection(
      hubRam.send(new AssociateResourceShareCommand({ resourceShareArn: `arn:aws:ram:us-east-1:${HUB}:resource-share/00000000-0000-4000-8000-000000000000`, principals: [SPOKE] })),
    );
    expect(unknown.name).toBe('UnknownResourceException');
    expect(unknown.$metadata.httpStatusCode).toBe(400);
  });
});

describe('IAM actions for RAM', () => {
  const facts = { resourceTags: () => undefined, roleArn: () => undefined, hostHasVpc: () => undefined };
  const call = (operation: string, input: Record<string, unknown>) => requirementsFor({ endpoint: 'ram', operation, accountId: HUB, region: 'us-east-1', input, facts });

  it('authorises share changes on the share and the rest on *', () => {
    const share = `arn:aws:ram:us-east-1:${HUB}:resource-share/abc`;
    expect(call('AssociateResourceShare', { resourceShareArn: share, principals: [SPOKE] })).toEqual([
      { action: 'ram:AssociateResourceShare', resource: share, context: { 'ram:Principal': [SPOKE] } },
    ]);
    expect(call('DeleteResourceShare', { resourceShareArn: share }).map(({ resource }) => resource)).toEqual([share]);
    expect(call('GetResourceShares', { resourceOwner: 'SELF' })).toEqual([{ action: 'ram:GetResourceShares', resource: '*', context: {} }]);
    const create = call('CreateResourceShare', { name: 'x', resourceArns: ['arn:aws:codeconnections:us-east-1:111111111111:connection/c'], tags: [{ key: 'team', value: 'a' }] });
    expect(create.map(({ action }) => action)).toEqual(['ram:CreateResourceShare', 'ram:TagResource']);
    expect(create[0]!.context).toMatchObject({ 'aws:RequestTag/team': 'a', 'ram:RequestedResourceType': 'codeconnections:Connection' });
  });
});

describe('aws ram (CLI v1)', () => {
  const cli = awsCliRequirement();
  it.skipIf(cli.skip)('creates a share, lists its associations and deletes it', async () => {
    cli.assertAvailable();
    const connectionArn = await consoleConnection();
    const aws = (...args: string[]) => runAwsCli(sandbox, ['ram', ...args], { accessKeyId: HUB });
    const created = await aws('create-resource-share', '--name', 'cli-share', '--resource-arns', connectionArn, '--principals', SPOKE);
    expect(created.code).toBe(0);
    const shareArn = (created.json as { resourceShare: { resourceShareArn: string } }).resourceShare.resourceShareArn;
    const associations = await aws('get-resource-share-associations', '--association-type', 'PRINCIPAL', '--resource-share-arns', shareArn);
    expect(associations.json).toMatchObject({ resourceShareAssociations: [{ associatedEntity: SPOKE, status: 'ASSOCIATED' }] });
    const deleted = await aws('delete-resource-share', '--resource-share-arn', shareArn);
    expect(deleted.json).toMatchObject({ returnValue: true });
  });
});
