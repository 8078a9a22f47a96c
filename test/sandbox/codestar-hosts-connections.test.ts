import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  CreateHostCommand,
  DeleteConnectionCommand,
  DeleteHostCommand,
  GetConnectionCommand,
  GetHostCommand,
  LimitExceededException,
  ListConnectionsCommand,
  ListHostsCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  ResourceUnavailableException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateHostCommand,
  paginateListConnections,
  paginateListHosts,
} from '@aws-sdk/client-codestar-connections';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { connectionsFor, emptyConnectionsState, stateFor } from '../../infra/local/sandbox/services/codestar-connections/state.ts';
import { SandboxStore } from '../../infra/local/sandbox/store.ts';
import {clientConfig, control, useTestSandbox } from '../helpers/sandbox.ts';

let sandbox: Sandbox;
let client: CodeStarConnectionsClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodeStarConnectionsClient(clientConfig(started));
  return client;
});

const GHES = 'https://ghe.example.com';
const VPC = { VpcId: 'vpc-0123abcd', SubnetIds: ['subnet-0123abcd', 'subnet-4567efab'], SecurityGroupIds: ['sg-0123abcd'] };

async function createHost(name = 'ghes-main', extra: Partial<{ VpcConfiguration: typeof VPC }> = {}) {
  const { HostArn } = await client.send(
    new CreateHostCommand({ Name: name, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: GHES, ...extra }),
  );
  return HostArn!;
}

async function availableHost(name = 'ghes-main') {
  const hostArn = await createHost(name);
  await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn });
  return hostArn;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

describe('hosts', () => {
  it('creates a GHES host PENDING with a real ARN, and GetHost returns only the modeled fields', async () => {
    const hostArn = await createHost();
    expect(hostArn).toMatch(/^arn:aws:codestar-connections:us-east-1:111111111111:host\/ghes-main-[0-9a-f]{8}$/);
    const host = await client.send(new GetHostCommand({ HostArn: hostArn }));
    const { $metadata, ...fields } = host;
    expect($metadata.httpStatusCode).toBe(200);
    expect(fields).toEqual({ Name: 'ghes-main', Status: 'PENDING', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: GHES });
  });

  it('takes a VPC host through VPC_CONFIG_INITIALIZING to PENDING as the sandbox clock passes', async () => {
    const hostArn = await createHost('vpc-host', { VpcConfiguration: VPC });
    expect((await client.send(new GetHostCommand({ HostArn: hostArn }))).Status).toBe('VPC_CONFIG_INITIALIZING');
    await control(sandbox, 'POST', '/clock/advance', { seconds: sandbox.config.vpcInitializationSeconds + 1 });
    const host = await client.send(new GetHostCommand({ HostArn: hostArn }));
    expect(host.Status).toBe('PENDING');
    expect(host.VpcConfiguration).toEqual(VPC);
  });

  it('reports a failed VPC initialization with its message in ListHosts', async () => {
    const hostArn = await createHost('vpc-host', { VpcConfiguration: VPC });
    await control(sandbox, 'POST', '/hosts/fail-vpc', { hostArn, message: 'subnets share one AZ' });
    const { Hosts } = await client.send(new ListHostsCommand({}));
    expect(Hosts).toEqual([
      expect.objectContaining({ HostArn: hostArn, Status: 'VPC_CONFIG_FAILED_INITIALIZATION', StatusMessage: 'subnets share one AZ' }),
    ]);
  });

  it('refuses a host for a cloud provider and an endpoint that is not an https URL', async () => {
    const cloud = await rejection(
      client.send(new CreateHostCommand({ Name: 'h', ProviderType: 'GitHub', ProviderEndpoint: GHES })),
    );
    expect(cloud.name).toBe('ValidationException');
    const plain = await rejection(
      client.send(new CreateHostCommand({ Name: 'h', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'ghe.example.com' })),
    );
    expect(plain.message).toContain("ProviderEndpoint 'ghe.example.com' is not a valid HTTPS URL");
  });

  it('answers ValidationException in Coral wording for every broken constraint at once', async () => {
    const error = await rejection(
      client.send(
        new CreateHostCommand({
          Name: 'h'.repeat(65),
          ProviderType: 'Gitea' as never,
          ProviderEndpoint: GHES,
          VpcConfiguration: { VpcId: 'vpc-1', SubnetIds: [], SecurityGroupIds: ['sg-0123abcd'] },
        }),
      ),
    );
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      '5 validation errors detected: ' +
        `Value '${'h'.repeat(65)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 64; ` +
        "Value 'Gitea' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set: [Bitbucket, GitHub, GitHubEnterpriseServer, GitLab, GitLabSelfManaged]; " +
        "Value 'vpc-1' at 'vpcConfiguration.vpcId' failed to satisfy constraint: Member must have length greater than or equal to 12; " +
        "Value 'vpc-1' at 'vpcConfiguration.vpcId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^vpc-\\w{8}(\\w{9})?$; " +
        "Value '[]' at 'vpcConfiguration.subnetIds' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('lists hosts a page at a time with NextToken until the last page omits it', async () => {
    for (let index = 0; index < 7; index++) await createHost(`host-${index}`);
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateListHosts({ client, pageSize: 3 }, {})) {
      pages.push(page.Hosts?.length ?? 0);
      names.push(...(page.Hosts ?? []).map((host) => host.Name!));
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(names).toEqual(['host-0', 'host-1', 'host-2', 'host-3', 'host-4', 'host-5', 'host-6']);
    const bad = await rejection(client.send(new ListHostsCommand({ NextToken: 'not-a-token' })));
    expect(bad.name).toBe('ValidationException');
  });

  it('stops at the host quota with LimitExceededException (HTTP 429)', async () => {
    await control(sandbox, 'PUT', '/config', { hostQuota: 3 });
    try {
      for (let index = 0; index < 3; index++) await createHost(`host-${index}`);
      const error = await rejection(createHost('one-too-many'));
      expect(error).toBeInstanceOf(LimitExceededException);
      expect(error.$metadata.httpStatusCode).toBe(429);
    } finally {
      await control(sandbox, 'PUT', '/config', { hostQuota: 50 });
    }
  });

  it('updates the endpoint; an AVAILABLE host must be set up again', async () => {
    const hostArn = await availableHost();
    await client.send(new UpdateHostCommand({ HostArn: hostArn, ProviderEndpoint: 'https://github.internal.example.com' }));
    const host = await client.send(new GetHostCommand({ HostArn: hostArn }));
    expect(host).toMatchObject({ ProviderEndpoint: 'https://github.internal.example.com', Status: 'PENDING' });
  });

  it('refuses to update a host while its VPC initializes, or to add a VPC to a plain host', async () => {
    const vpcHost = await createHost('vpc-host', { VpcConfiguration: VPC });
    expect((await rejection(client.send(new UpdateHostCommand({ HostArn: vpcHost, ProviderEndpoint: GHES })))).name).toBe(
      'ConflictException',
    );
    const plain = await createHost('plain');
    expect((await rejection(client.send(new UpdateHostCommand({ HostArn: plain, VpcConfiguration: VPC })))).name).toBe(
      'UnsupportedOperationException',
    );
  });

  it('deletes a host only once its connections are gone; a VPC host passes through VPC_CONFIG_DELETING', async () => {
    const hostArn = await availableHost();
    const { ConnectionArn } = await client.send(new CreateConnectionCommand({ ConnectionName: 'c1', HostArn: hostArn }));
    const refused = await rejection(client.send(new DeleteHostCommand({ HostArn: hostArn })));
    expect(refused).toBeInstanceOf(ResourceUnavailableException);
    expect(refused.message).toContain('still has 1 connection(s)');
    await client.send(new DeleteConnectionCommand({ ConnectionArn }));
    await client.send(new DeleteHostCommand({ HostArn: hostArn }));
    expect(await rejection(client.send(new GetHostCommand({ HostArn: hostArn })))).toBeInstanceOf(ResourceNotFoundException);

    const vpcHost = await createHost('vpc-host', { VpcConfiguration: VPC });
    expect((await rejection(client.send(new DeleteHostCommand({ HostArn: vpcHost })))).name).toBe('ResourceUnavailableException');
    await control(sandbox, 'POST', '/clock/advance', { seconds: sandbox.config.vpcInitializationSeconds });
    await client.send(new DeleteHostCommand({ HostArn: vpcHost }));
    expect((await client.send(new GetHostCommand({ HostArn: vpcHost }))).Status).toBe('VPC_CONFIG_DELETING');
    await control(sandbox, 'POST', '/clock/advance', { seconds: 120 });
    expect(await rejection(client.send(new GetHostCommand({ HostArn: vpcHost })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers ResourceNotFoundException (HTTP 404) for a well-formed ARN that does not exist', async () => {
    const error = await rejection(
      client.send(new GetHostCommand({ HostArn: 'arn:aws:codestar-connections:us-east-1:111111111111:host/nope-12345678' })),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('connections', () => {
  it('creates a GHES connection PENDING on an AVAILABLE host, owned by the caller account', async () => {
    const hostArn = await availableHost();
    const created = await client.send(
      new CreateConnectionCommand({ ConnectionName: 'team-a', HostArn: hostArn, Tags: [{ Key: 'managed-by', Value: 'connection-broker' }] }),
    );
    expect(created.ConnectionArn).toMatch(/^arn:aws:codestar-connections:us-east-1:111111111111:connection\/[0-9a-f-]{36}$/);
    expect(created.Tags).toEqual([{ Key: 'managed-by', Value: 'connection-broker' }]);
    const { Connection } = await client.send(new GetConnectionCommand({ ConnectionArn: created.ConnectionArn }));
    expect(Connection).toEqual({
      ConnectionName: 'team-a',
      ConnectionArn: created.ConnectionArn,
      ProviderType: 'GitHubEnterpriseServer',
      OwnerAccountId: '111111111111',
      ConnectionStatus: 'PENDING',
      HostArn: hostArn,
    });
  });

  it('refuses a connection on a host that is not AVAILABLE with ResourceUnavailableException', async () => {
    const hostArn = await createHost();
    const error = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'c', HostArn: hostArn })));
    expect(error).toBeInstanceOf(ResourceUnavailableException);
    expect(error.message).toContain('is PENDING');
  });

  it('becomes AVAILABLE only after the console handshake, and ERROR when its host breaks', async () => {
    const hostArn = await availableHost();
    const { ConnectionArn } = await client.send(new CreateConnectionCommand({ ConnectionName: 'c', HostArn: hostArn }));
    await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
    expect((await client.send(new GetConnectionCommand({ ConnectionArn }))).Connection?.ConnectionStatus).toBe('AVAILABLE');
    const broken = await control<{ connectionsInError: string[] }>(sandbox, 'POST', '/hosts/break', { hostArn });
    expect(broken.connectionsInError).toEqual([ConnectionArn]);
    expect((await client.send(new GetConnectionCommand({ ConnectionArn }))).Connection?.ConnectionStatus).toBe('ERROR');
    expect((await client.send(new GetHostCommand({ HostArn: hostArn }))).Status).toBe('ERROR');
  });

  it('creates cloud-provider connections without a host, and refuses GHES without one', async () => {
    const { ConnectionArn } = await client.send(new CreateConnectionCommand({ ConnectionName: 'gh', ProviderType: 'GitHub' }));
    expect((await client.send(new GetConnectionCommand({ ConnectionArn }))).Connection).not.toHaveProperty('HostArn');
    const noHost = await rejection(
      client.send(new CreateConnectionCommand({ ConnectionName: 'x', ProviderType: 'GitHubEnterpriseServer' })),
    );
    expect(noHost.message).toContain('must be created with the HostArn');
    const neither = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'y' })));
    expect(neither.message).toBe('Either ProviderType or HostArn must be specified.');
  });

  it('serves GitLab self-managed as it serves GHES: its own host type, connections that take it from the host, its own filter', async () => {
    const { HostArn } = await client.send(
      new CreateHostCommand({ Name: 'gitlab-main', ProviderType: 'GitLabSelfManaged', ProviderEndpoint: 'https://gitlab.example.com' }),
    );
    expect(await client.send(new GetHostCommand({ HostArn }))).toMatchObject({ ProviderType: 'GitLabSelfManaged', Status: 'PENDING' });
    const early = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'early', HostArn })));
    expect(early).toBeInstanceOf(ResourceUnavailableException);
    await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
    const ghesHost = await availableHost();

    const { ConnectionArn } = await client.send(new CreateConnectionCommand({ ConnectionName: 'gitlab', HostArn }));
    expect((await client.send(new GetConnectionCommand({ ConnectionArn }))).Connection).toMatchObject({ ProviderType: 'GitLabSelfManaged', HostArn });
    // A host serves its own provider only, and a self-managed provider needs its host.
    const crossed = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'crossed', HostArn: ghesHost, ProviderType: 'GitLabSelfManaged' })));
    expect(crossed.name).toBe('ValidationException');
    const hostless = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'hostless', ProviderType: 'GitLabSelfManaged' })));
    expect(hostless.message).toContain('must be created with the HostArn');
    const listed = await client.send(new ListConnectionsCommand({ ProviderTypeFilter: 'GitLabSelfManaged' }));
    expect(listed.Connections?.map((connection) => connection.ConnectionName)).toEqual(['gitlab']);

    // The codestar-connections model has no AzureDevOps (CodeConnections added it), so that endpoint refuses it.
    const azure = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'azure', ProviderType: 'AzureDevOps' as never })));
    expect(azure.message).toContain("Value 'AzureDevOps' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set");

    await control(sandbox, 'POST', '/hosts/break', { hostArn: HostArn });
    const { Hosts } = await client.send(new ListHostsCommand({}));
    expect(Hosts?.find((host) => host.HostArn === HostArn)).toMatchObject({ Status: 'ERROR', StatusMessage: expect.stringContaining('GitLab') });
  });

  it('keeps connection names unique in the account', async () => {
    await client.send(new CreateConnectionCommand({ ConnectionName: 'same', ProviderType: 'GitHub' }));
    const error = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'same', ProviderType: 'Bitbucket' })));
    expect(error.name).toBe('ResourceAlreadyExistsException');
  });

  it('rejects a 33-character name with AWS message text', async () => {
    const error = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'n'.repeat(33), ProviderType: 'GitHub' })));
    expect(error.message).toBe(
      `1 validation error detected: Value '${'n'.repeat(33)}' at 'connectionName' failed to satisfy constraint: Member must have length less than or equal to 32`,
    );
  });

  it('stops at the connection quota with LimitExceededException', async () => {
    await control(sandbox, 'PUT', '/config', { connectionQuota: 2 });
    try {
      await client.send(new CreateConnectionCommand({ ConnectionName: 'a', ProviderType: 'GitHub' }));
      await client.send(new CreateConnectionCommand({ ConnectionName: 'b', ProviderType: 'GitHub' }));
      const error = await rejection(client.send(new CreateConnectionCommand({ ConnectionName: 'c', ProviderType: 'GitHub' })));
      expect(error).toBeInstanceOf(LimitExceededException);
      expect(error.message).toBe('Exceeded the maximum limit for connections.');
    } finally {
      await control(sandbox, 'PUT', '/config', { connectionQuota: 250 });
    }
  });

  it('filters by provider type and host, and pages', async () => {
    const hostArn = await availableHost();
    const otherHost = await availableHost('other');
    for (let index = 0; index < 5; index++) {
      await client.send(new CreateConnectionCommand({ ConnectionName: `ghes-${index}`, HostArn: hostArn }));
    }
    await client.send(new CreateConnectionCommand({ ConnectionName: 'other-0', HostArn: otherHost }));
    await client.send(new CreateConnectionCommand({ ConnectionName: 'cloud', ProviderType: 'GitLab' }));
    const onHost: string[] = [];
    for await (const page of paginateListConnections({ client, pageSize: 2 }, { HostArnFilter: hostArn })) {
      onHost.push(...(page.Connections ?? []).map((connection) => connection.ConnectionName!));
    }
    expect(onHost).toEqual(['ghes-0', 'ghes-1', 'ghes-2', 'ghes-3', 'ghes-4']);
    const gitlab = await client.send(new ListConnectionsCommand({ ProviderTypeFilter: 'GitLab' }));
    expect(gitlab.Connections?.map((connection) => connection.ConnectionName)).toEqual(['cloud']);
    const missingHost = await rejection(
      client.send(new ListConnectionsCommand({ HostArnFilter: 'arn:aws:codestar-connections:us-east-1:111111111111:host/gone-12345678' })),
    );
    expect(missingHost).toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes a connection and its tags; a second delete is ResourceNotFoundException', async () => {
    const { ConnectionArn } = await client.send(
      new CreateConnectionCommand({ ConnectionName: 'c', ProviderType: 'GitHub', Tags: [{ Key: 'k', Value: 'v' }] }),
    );
    await client.send(new DeleteConnectionCommand({ ConnectionArn }));
    expect(await rejection(client.send(new DeleteConnectionCommand({ ConnectionArn })))).toBeInstanceOf(ResourceNotFoundException);
    expect(await rejection(client.send(new ListTagsForResourceCommand({ ResourceArn: ConnectionArn })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('keeps resources per account, hosts per Region, and connections global across Regions', async () => {
    const paris = new CodeStarConnectionsClient(clientConfig(sandbox, 'eu-west-3'));
    const mumbai = new CodeStarConnectionsClient(clientConfig(sandbox, 'ap-south-1'));
    const otherAccount = new CodeStarConnectionsClient({
      ...clientConfig(sandbox),
      credentials: { accessKeyId: '222222222222', secretAccessKey: 'test' },
    });
    try {
      const { HostArn } = await paris.send(
        new CreateHostCommand({ Name: 'ghes-paris', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: GHES }),
      );
      await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
      const { ConnectionArn: onHost } = await paris.send(
        new CreateConnectionCommand({ ConnectionName: 'paris-ghes', HostArn, Tags: [{ Key: 'team', Value: 'payments' }] }),
      );
      const { ConnectionArn: cloud } = await paris.send(new CreateConnectionCommand({ ConnectionName: 'paris-github', ProviderType: 'GitHub' }));
      expect(onHost).toMatch(/^arn:aws:codestar-connections:eu-west-3:111111111111:connection\//);

      // Connections: readable and listed from another Region, keeping the ARN of the Region they were made in.
      const { Connection } = await mumbai.send(new GetConnectionCommand({ ConnectionArn: onHost }));
      expect(Connection).toMatchObject({ ConnectionArn: onHost, ConnectionName: 'paris-ghes', HostArn, ConnectionStatus: 'PENDING' });
      const listed = (await mumbai.send(new ListConnectionsCommand({}))).Connections!.map((connection) => connection.ConnectionArn);
      expect(listed).toEqual(expect.arrayContaining([onHost, cloud]));
      expect((await client.send(new ListConnectionsCommand({}))).Connections!.map((connection) => connection.ConnectionArn)).toEqual(
        expect.arrayContaining([onHost, cloud]),
      );
      expect((await mumbai.send(new ListTagsForResourceCommand({ ResourceArn: onHost }))).Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
      // ... one name per account, whatever the Region.
      await expect(mumbai.send(new CreateConnectionCommand({ ConnectionName: 'paris-github', ProviderType: 'GitHub' }))).rejects.toMatchObject({
        name: 'ResourceAlreadyExistsException',
      });
      // The handshake, done in the console of any Region, is seen everywhere.
      await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn: onHost });
      expect((await mumbai.send(new GetConnectionCommand({ ConnectionArn: onHost }))).Connection?.ConnectionStatus).toBe('AVAILABLE');

      // Hosts stay Regional.
      expect((await mumbai.send(new ListHostsCommand({}))).Hosts).toEqual([]);
      await expect(mumbai.send(new GetHostCommand({ HostArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
      expect((await paris.send(new GetHostCommand({ HostArn }))).Status).toBe('AVAILABLE');

      // Another account sees none of them, and may reuse a name.
      expect((await otherAccount.send(new ListConnectionsCommand({}))).Connections).toEqual([]);
      await expect(otherAccount.send(new GetConnectionCommand({ ConnectionArn: cloud }))).rejects.toBeInstanceOf(ResourceNotFoundException);
      const { ConnectionArn } = await otherAccount.send(new CreateConnectionCommand({ ConnectionName: 'paris-github', ProviderType: 'GitHub' }));
      expect(ConnectionArn).toContain(':222222222222:connection/');

      // A connection is deleted from any Region, and then it is gone from every Region.
      await mumbai.send(new DeleteConnectionCommand({ ConnectionArn: cloud }));
      await expect(paris.send(new GetConnectionCommand({ ConnectionArn: cloud }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    } finally {
      paris.destroy();
      mumbai.destroy();
      otherAccount.destroy();
    }
  });
});

describe('tags', () => {
  it('adds, overwrites, lists and removes tags on hosts and connections', async () => {
    const hostArn = await createHost();
    await client.send(new TagResourceCommand({ ResourceArn: hostArn, Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }] }));
    await client.send(new TagResourceCommand({ ResourceArn: hostArn, Tags: [{ Key: 'team', Value: 'b' }] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: hostArn }))).Tags).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'dev' },
    ]);
    await client.send(new UntagResourceCommand({ ResourceArn: hostArn, TagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: hostArn }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
  });

  it('refuses more than 200 tags on one resource, and tags on unknown resources', async () => {
    const hostArn = await createHost();
    const tags = (from: number) => Array.from({ length: 150 }, (_, index) => ({ Key: `k${from + index}`, Value: 'v' }));
    await client.send(new TagResourceCommand({ ResourceArn: hostArn, Tags: tags(0) }));
    expect(await rejection(client.send(new TagResourceCommand({ ResourceArn: hostArn, Tags: tags(150) })))).toBeInstanceOf(
      LimitExceededException,
    );
    const unknown = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/00000000-0000-0000-0000-000000000000';
    expect(await rejection(client.send(new TagResourceCommand({ ResourceArn: unknown, Tags: [] })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('a state file from before connections were global', () => {
  it("moves each Region's connections and their tags to the account on first use", () => {
    const store = new SandboxStore();
    const arn = 'arn:aws:codestar-connections:eu-west-3:111111111111:connection/0b6f6ab2-1c4e-4b7a-9d38-6e8b1c7f2a10';
    store.slice('codestar-connections', ['111111111111', 'eu-west-3'], () => ({
      ...emptyConnectionsState(),
      connections: { [arn]: { seq: 7, arn, name: 'old', providerType: 'GitHub', ownerAccountId: '111111111111', status: 'AVAILABLE' } },
      tags: { [arn]: [{ Key: 'team', Value: 'a' }] },
    }));
    const regional = stateFor(store, '111111111111', 'eu-west-3');
    expect(regional).not.toHaveProperty('connections');
    expect(regional.tags).toEqual({});
    const global = connectionsFor(store, '111111111111', 'ap-south-1');
    expect(global.connections[arn]).toMatchObject({ name: 'old', status: 'AVAILABLE' });
    expect(global.tags[arn]).toEqual([{ Key: 'team', Value: 'a' }]);
  });
});
