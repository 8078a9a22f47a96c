import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  CreateRepositoryLinkCommand,
  CreateSyncConfigurationCommand,
  DeleteRepositoryLinkCommand,
  DeleteSyncConfigurationCommand,
  GetRepositoryLinkCommand,
  GetRepositorySyncStatusCommand,
  GetResourceSyncStatusCommand,
  GetSyncBlockerSummaryCommand,
  GetSyncConfigurationCommand,
  ListRepositoryLinksCommand,
  ListRepositorySyncDefinitionsCommand,
  ListSyncConfigurationsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  SyncBlockerDoesNotExistException,
  SyncConfigurationStillExistsException,
  UpdateRepositoryLinkCommand,
  UpdateSyncBlockerCommand,
  UpdateSyncConfigurationCommand,
} from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

let sandbox: Sandbox;
let client: CodeStarConnectionsClient;
let connectionArn: string;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = new CodeStarConnectionsClient(clientConfig(sandbox));
});
afterAll(async () => {
  client.destroy();
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
  ({ ConnectionArn: connectionArn } = (await client.send(
    new CreateConnectionCommand({ ConnectionName: 'sync', ProviderType: 'GitHub' }),
  )) as { ConnectionArn: string });
});

const ROLE = 'arn:aws:iam::111111111111:role/stack-sync';

async function link(repositoryName = 'infra') {
  const { RepositoryLinkInfo } = await client.send(
    new CreateRepositoryLinkCommand({ ConnectionArn: connectionArn, OwnerId: 'platform', RepositoryName: repositoryName }),
  );
  return RepositoryLinkInfo!;
}

async function syncConfiguration(repositoryLinkId: string, resourceName = 'networkStack') {
  const { SyncConfiguration } = await client.send(
    new CreateSyncConfigurationCommand({
      Branch: 'main',
      ConfigFile: 'stacks/network/deployment.yaml',
      RepositoryLinkId: repositoryLinkId,
      ResourceName: resourceName,
      RoleArn: ROLE,
      SyncType: 'CFN_STACK_SYNC',
    }),
  );
  return SyncConfiguration!;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('repository links', () => {
  it('creates, reads, lists, updates and deletes a link', async () => {
    const created = await link();
    expect(created).toMatchObject({ ConnectionArn: connectionArn, OwnerId: 'platform', RepositoryName: 'infra', ProviderType: 'GitHub' });
    expect(created.RepositoryLinkArn).toBe(`arn:aws:codestar-connections:us-east-1:111111111111:repository-link/${created.RepositoryLinkId}`);
    expect((await client.send(new GetRepositoryLinkCommand({ RepositoryLinkId: created.RepositoryLinkId }))).RepositoryLinkInfo).toEqual(created);
    expect((await client.send(new ListRepositoryLinksCommand({}))).RepositoryLinks).toEqual([created]);

    const key = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const updated = await client.send(new UpdateRepositoryLinkCommand({ RepositoryLinkId: created.RepositoryLinkId, EncryptionKeyArn: key }));
    expect(updated.RepositoryLinkInfo?.EncryptionKeyArn).toBe(key);

    await client.send(new DeleteRepositoryLinkCommand({ RepositoryLinkId: created.RepositoryLinkId }));
    expect(await rejection(client.send(new GetRepositoryLinkCommand({ RepositoryLinkId: created.RepositoryLinkId })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('refuses a duplicate link, an unknown connection and a malformed id', async () => {
    await link();
    expect(await rejection(link())).toBeInstanceOf(ResourceAlreadyExistsException);
    const unknown = await rejection(
      client.send(
        new CreateRepositoryLinkCommand({
          ConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
          OwnerId: 'o',
          RepositoryName: 'r',
        }),
      ),
    );
    expect(unknown.name).toBe('InvalidInputException');
    const malformed = await rejection(client.send(new GetRepositoryLinkCommand({ RepositoryLinkId: 'abc' })));
    expect(malformed.message).toMatch(/^1 validation error detected: Value 'abc' at 'repositoryLinkId' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });

  it('keeps a link while a sync configuration uses it', async () => {
    const { RepositoryLinkId } = await link();
    await syncConfiguration(RepositoryLinkId!);
    expect(await rejection(client.send(new DeleteRepositoryLinkCommand({ RepositoryLinkId })))).toBeInstanceOf(
      SyncConfigurationStillExistsException,
    );
  });
});

describe('sync configurations, status and blockers', () => {
  it('creates a sync configuration that inherits the link, and lists its definitions', async () => {
    const { RepositoryLinkId } = await link();
    const sync = await syncConfiguration(RepositoryLinkId!);
    expect(sync).toEqual({
      Branch: 'main',
      ConfigFile: 'stacks/network/deployment.yaml',
      OwnerId: 'platform',
      ProviderType: 'GitHub',
      RepositoryLinkId,
      RepositoryName: 'infra',
      ResourceName: 'networkStack',
      RoleArn: ROLE,
      SyncType: 'CFN_STACK_SYNC',
    });
    expect(await rejection(syncConfiguration(RepositoryLinkId!))).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(
      (await client.send(new GetSyncConfigurationCommand({ SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack' }))).SyncConfiguration,
    ).toEqual(sync);
    const listed = await client.send(new ListSyncConfigurationsCommand({ RepositoryLinkId, SyncType: 'CFN_STACK_SYNC' }));
    expect(listed.SyncConfigurations).toEqual([sync]);
    const definitions = await client.send(new ListRepositorySyncDefinitionsCommand({ RepositoryLinkId, SyncType: 'CFN_STACK_SYNC' }));
    expect(definitions.RepositorySyncDefinitions).toEqual([
      { Branch: 'main', Directory: 'stacks/network', Parent: RepositoryLinkId, Target: 'networkStack' },
    ]);
  });

  it('updates and deletes a sync configuration', async () => {
    const { RepositoryLinkId } = await link();
    await syncConfiguration(RepositoryLinkId!);
    const updated = await client.send(
      new UpdateSyncConfigurationCommand({ SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack', Branch: 'release', TriggerResourceUpdateOn: 'FILE_CHANGE' }),
    );
    expect(updated.SyncConfiguration).toMatchObject({ Branch: 'release', TriggerResourceUpdateOn: 'FILE_CHANGE' });
    await client.send(new DeleteSyncConfigurationCommand({ SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack' }));
    expect(
      await rejection(client.send(new GetSyncConfigurationCommand({ SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack' }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('reports sync attempts as they move, with timestamps as dates', async () => {
    const { RepositoryLinkId } = await link();
    await syncConfiguration(RepositoryLinkId!);
    const initial = await client.send(new GetRepositorySyncStatusCommand({ Branch: 'main', RepositoryLinkId, SyncType: 'CFN_STACK_SYNC' }));
    expect(initial.LatestSync?.Status).toBe('INITIATED');
    expect(initial.LatestSync?.StartedAt).toBeInstanceOf(Date);

    await control(sandbox, 'POST', '/sync/attempts', { resourceName: 'networkStack', status: 'SUCCEEDED', sha: 'abc123' });
    const resource = await client.send(new GetResourceSyncStatusCommand({ ResourceName: 'networkStack', SyncType: 'CFN_STACK_SYNC' }));
    expect(resource.LatestSync?.Status).toBe('SUCCEEDED');
    expect(resource.LatestSuccessfulSync?.TargetRevision?.Sha).toBe('abc123');
    expect(resource.DesiredState?.Sha).toBe('abc123');

    expect(
      await rejection(client.send(new GetRepositorySyncStatusCommand({ Branch: 'other', RepositoryLinkId, SyncType: 'CFN_STACK_SYNC' }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists blockers and resolves one exactly once', async () => {
    const { RepositoryLinkId } = await link();
    await syncConfiguration(RepositoryLinkId!);
    const blocker = await control<{ Id: string }>(sandbox, 'POST', '/sync/blockers', { resourceName: 'networkStack', reason: 'stack drifted' });
    const summary = await client.send(new GetSyncBlockerSummaryCommand({ SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack' }));
    expect(summary.SyncBlockerSummary?.LatestBlockers).toEqual([
      expect.objectContaining({ Id: blocker.Id, Status: 'ACTIVE', CreatedReason: 'stack drifted', Type: 'AUTOMATED' }),
    ]);
    const resolved = await client.send(
      new UpdateSyncBlockerCommand({ Id: blocker.Id, SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack', ResolvedReason: 'fixed' }),
    );
    expect(resolved.SyncBlocker).toMatchObject({ Status: 'RESOLVED', ResolvedReason: 'fixed' });
    expect(resolved.SyncBlocker?.ResolvedAt).toBeInstanceOf(Date);
    const again = await rejection(
      client.send(new UpdateSyncBlockerCommand({ Id: blocker.Id, SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack', ResolvedReason: 'x' })),
    );
    expect(again.name).toBe('InvalidInputException');
    const missing = await rejection(
      client.send(new UpdateSyncBlockerCommand({ Id: 'nope', SyncType: 'CFN_STACK_SYNC', ResourceName: 'networkStack', ResolvedReason: 'x' })),
    );
    expect(missing).toBeInstanceOf(SyncBlockerDoesNotExistException);
  });
});
