import {
  CodeStarConnectionsClient,
  CreateHostCommand,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GetHostCommand,
  ListConnectionsCommand,
  ListHostsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-codestar-connections';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, rawJsonCall, useTestSandbox } from '../helpers/sandbox.ts';

/**
 * Hosts and connections made the way the console has made them since 2024-07-01: through the
 * codeconnections endpoint (so `arn:aws:codeconnections:` ARNs) and without our tags. The product's
 * own CodeStar Connections client must see them like any other resource.
 */
let sandbox: Sandbox;
let client: CodeStarConnectionsClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodeStarConnectionsClient(clientConfig(started));
  return client;
});

const GHES = 'https://ghe.example.com';
const VPC = { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] };

interface ConsoleHost {
  hostArn: string;
  status: string;
}
interface ConsoleConnection {
  connectionArn: string;
  status: string;
  hostArn?: string;
}

const consoleHost = (body: Record<string, unknown>) => control<ConsoleHost>(sandbox, 'POST', '/console/hosts', body);
const consoleConnection = (body: Record<string, unknown>) => control<ConsoleConnection>(sandbox, 'POST', '/console/connections', body);

async function refusal(path: string, body: Record<string, unknown>): Promise<{ status: number; error: { code: string; message: string; details: { path: string }[] } }> {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.ok).toBe(false);
  return { status: response.status, ...((await response.json()) as { error: { code: string; message: string; details: { path: string }[] } }) };
}

describe('console-made hosts', () => {
  it('are PENDING under a codeconnections ARN with no tags, and the setup completes them', async () => {
    const created = await consoleHost({ name: 'console-ghes', providerEndpoint: GHES });
    expect(created).toMatchObject({ status: 'PENDING', providerType: 'GitHubEnterpriseServer' });
    expect(created.hostArn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:host\/console-ghes-[0-9a-f]{8}$/);

    const { Hosts } = await client.send(new ListHostsCommand({}));
    expect(Hosts).toEqual([{ Name: 'console-ghes', HostArn: created.hostArn, Status: 'PENDING', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: GHES }]);
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: created.hostArn }))).Tags).toEqual([]);
    const viaCodeConnections = await rawJsonCall(sandbox, 'CodeConnections_20231201.GetHost', JSON.stringify({ HostArn: created.hostArn }));
    expect(viaCodeConnections).toMatchObject({ status: 200, json: { Name: 'console-ghes', Status: 'PENDING' } });

    await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn: created.hostArn });
    expect((await client.send(new ListHostsCommand({}))).Hosts?.[0]?.Status).toBe('AVAILABLE');
  });

  it('cannot be named in a HostArn through the codestar-connections endpoint, whose model allows only its own prefix', async () => {
    // codestar-connections' HostArn pattern is `^arn:aws(-[\w]+)*:codestar-connections:...`; codeconnections' takes both.
    const { hostArn } = await consoleHost({ name: 'console-ghes', providerEndpoint: GHES });
    const refused = await client.send(new GetHostCommand({ HostArn: hostArn })).catch((error: Error) => error);
    expect(refused).toMatchObject({ name: 'ValidationException', message: expect.stringContaining(`Value '${hostArn}' at 'hostArn' failed to satisfy constraint`) });
    const filtered = await client.send(new ListConnectionsCommand({ HostArnFilter: hostArn })).catch((error: Error) => error);
    expect(filtered).toMatchObject({ name: 'ValidationException' });
  });

  it('with a VPC initialize first, then wait for the setup', async () => {
    const created = await consoleHost({ name: 'vpc-ghes', providerEndpoint: GHES, vpcConfiguration: VPC });
    expect(created.status).toBe('VPC_CONFIG_INITIALIZING');
    await control(sandbox, 'POST', '/clock/advance', { seconds: sandbox.config.vpcInitializationSeconds + 1 });
    const [host] = (await client.send(new ListHostsCommand({}))).Hosts ?? [];
    expect(host).toMatchObject({ HostArn: created.hostArn, Status: 'PENDING', VpcConfiguration: { VpcId: VPC.vpcId, SubnetIds: VPC.subnetIds, SecurityGroupIds: VPC.securityGroupIds } });
  });

  it('are made in the account and Region the body names', async () => {
    const created = await consoleHost({ name: 'elsewhere', providerEndpoint: GHES, account: '222222222222', region: 'eu-west-1' });
    expect(created.hostArn).toMatch(/^arn:aws:codeconnections:eu-west-1:222222222222:host\//);
    expect((await client.send(new ListHostsCommand({}))).Hosts).toEqual([]);
  });

  it("are refused as the console would refuse them, in AWS's words", async () => {
    const notHttps = await refusal('/console/hosts', { name: 'h', providerEndpoint: 'http://ghe.example.com' });
    expect(notHttps).toMatchObject({ status: 400, error: { code: 'ValidationException' } });
    const cloud = await refusal('/console/hosts', { name: 'h', providerEndpoint: GHES, providerType: 'GitHub' });
    expect(cloud.error.code).toBe('ValidationException');
    const badSubnet = await refusal('/console/hosts', { name: 'h', providerEndpoint: GHES, vpcConfiguration: { ...VPC, subnetIds: ['nope'] } });
    expect(badSubnet.error.message).toContain("at 'vpcConfiguration.subnetIds.1.member' failed to satisfy constraint");
    const missing = await refusal('/console/hosts', { providerEndpoint: GHES });
    expect(missing).toMatchObject({ status: 400, error: { details: [{ path: 'name' }] } });
  });
});

describe('console-made connections', () => {
  it('go on a PENDING host as the console makes both, and complete once the host is set up', async () => {
    const { hostArn } = await consoleHost({ name: 'console-ghes', providerEndpoint: GHES });
    const created = await consoleConnection({ name: 'console-conn', hostArn });
    expect(created).toMatchObject({ status: 'PENDING', hostArn });
    expect(created.connectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:connection\/[0-9a-f-]{36}$/);

    const { Connection } = await client.send(new GetConnectionCommand({ ConnectionArn: created.connectionArn }));
    expect(Connection).toMatchObject({ ConnectionName: 'console-conn', ConnectionStatus: 'PENDING', ProviderType: 'GitHubEnterpriseServer', HostArn: hostArn, OwnerAccountId: '111111111111' });
    expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: created.connectionArn }))).Tags).toEqual([]);
    expect((await client.send(new ListConnectionsCommand({}))).Connections?.map((listed) => listed.ConnectionArn)).toEqual([created.connectionArn]);

    // The handshake needs the host set up first, as in the console.
    const early = await refusal('/connections/complete-handshake', { connectionArn: created.connectionArn });
    expect(early).toMatchObject({ status: 409, error: { code: 'HostNotAvailable' } });
    await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn });
    await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn: created.connectionArn });
    expect((await client.send(new GetConnectionCommand({ ConnectionArn: created.connectionArn }))).Connection?.ConnectionStatus).toBe('AVAILABLE');
  });

  it('can be found and deleted under the other ARN prefix', async () => {
    const { hostArn } = await consoleHost({ name: 'console-ghes', providerEndpoint: GHES });
    const { connectionArn } = await consoleConnection({ name: 'console-conn', hostArn });
    const legacy = connectionArn.replace(':codeconnections:', ':codestar-connections:');
    expect((await client.send(new GetConnectionCommand({ ConnectionArn: legacy }))).Connection?.ConnectionArn).toBe(connectionArn);
    await client.send(new DeleteConnectionCommand({ ConnectionArn: legacy }));
    expect((await client.send(new ListConnectionsCommand({}))).Connections).toEqual([]);
  });

  it('go on a host made through the codestar-connections API too, and to cloud providers without a host', async () => {
    const { HostArn } = await client.send(new CreateHostCommand({ Name: 'api-made', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: GHES }));
    const onApiHost = await consoleConnection({ name: 'on-api-host', hostArn: HostArn });
    expect(onApiHost.hostArn).toBe(HostArn);
    expect(onApiHost.connectionArn).toMatch(/^arn:aws:codeconnections:/);
    const cloud = await consoleConnection({ name: 'github-cloud', providerType: 'GitHub' });
    expect(cloud.connectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:connection\//);
    expect((await client.send(new GetConnectionCommand({ ConnectionArn: cloud.connectionArn }))).Connection).toMatchObject({ ProviderType: 'GitHub', ConnectionStatus: 'PENDING' });
  });

  it('are refused on a host that is not ready, a taken or too long name, and without a host or cloud provider', async () => {
    const { hostArn } = await consoleHost({ name: 'vpc-ghes', providerEndpoint: GHES, vpcConfiguration: VPC });
    expect(await refusal('/console/connections', { name: 'c', hostArn })).toMatchObject({ status: 409, error: { code: 'HostNotReady' } });
    const unknown = hostArn.replace(/host\/.*$/, 'host/gone-00000000');
    expect((await refusal('/console/connections', { name: 'c', hostArn: unknown })).status).toBe(404);

    const ready = await consoleHost({ name: 'ghes', providerEndpoint: GHES });
    await consoleConnection({ name: 'taken', hostArn: ready.hostArn });
    expect((await refusal('/console/connections', { name: 'taken', hostArn: ready.hostArn })).error.code).toBe('ResourceAlreadyExistsException');
    const tooLong = await refusal('/console/connections', { name: 'c'.repeat(33), hostArn: ready.hostArn });
    expect(tooLong.error.message).toBe(
      `1 validation error detected: Value '${'c'.repeat(33)}' at 'connectionName' failed to satisfy constraint: Member must have length less than or equal to 32`,
    );
    expect((await refusal('/console/connections', { name: 'c' })).error.details).toEqual([expect.objectContaining({ path: 'hostArn' })]);
    expect((await refusal('/console/connections', { name: 'c', providerType: 'GitHubEnterpriseServer' })).status).toBe(400);
  });
});
