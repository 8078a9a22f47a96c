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

  it('keeps resources per account and Region', async () => {
    await client.send(new CreateConnectionCommand({ ConnectionName: 'east', ProviderType: 'GitHub' }));
    const west = new CodeStarConnectionsClient(clientConfig(sandbox, 'eu-west-1'));
    const otherAccount = new CodeStarConnectionsClient({
      ...clientConfig(sandbox),
      credentials: { accessKeyId: '222222222222', secretAccessKey: 'test' },
    });
    try {
      expect((await west.send(new ListConnectionsCommand({}))).Connections).toEqual([]);
      const { ConnectionArn } = await otherAccount.send(new CreateConnectionCommand({ ConnectionName: 'east', ProviderType: 'GitHub' }));
      expect(ConnectionArn).toContain(':222222222222:connection/');
    } finally {
      west.destroy();
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
