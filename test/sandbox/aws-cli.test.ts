import { fileURLToPath } from 'node:url';
import { CodeStarConnectionsClient, CreateHostCommand } from '@aws-sdk/client-codestar-connections';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * The commands the README shows, run with the real AWS CLI and the CLI settings file we ship
 * (without it, CLI v1 tries to download `--provider-endpoint https://...` instead of sending it).
 */
const cli = awsCliRequirement();
const AWS_CONFIG_FILE = fileURLToPath(new URL('../../infra/local/aws-cli.config', import.meta.url));
const aws = (sandbox: Sandbox, args: string[]) => runAwsCli(sandbox, args, { env: { AWS_CONFIG_FILE } });

describe.skipIf(cli.skip)('CodeStar Connections and CodePipeline through the AWS CLI', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    cli.assertAvailable();
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset');
  });

  it('creates a host, shows it PENDING, and refuses a 33-character connection name in AWS words', async () => {
    const created = await aws(sandbox, [
      'codestar-connections', 'create-host', '--name', 'h1', '--provider-type', 'GitHubEnterpriseServer',
      '--provider-endpoint', 'https://ghe.example.com',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { HostArn } = created.json as { HostArn: string };
    expect(HostArn).toMatch(/^arn:aws:codestar-connections:us-east-1:111111111111:host\/h1-[0-9a-f]{8}$/);

    const host = await aws(sandbox, ['codestar-connections', 'get-host', '--host-arn', HostArn]);
    expect(host.json).toEqual({ Name: 'h1', Status: 'PENDING', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' });

    const tooLong = await aws(sandbox, ['codestar-connections', 'create-connection', '--connection-name', 'c'.repeat(33), '--host-arn', HostArn]);
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stderr).toContain(
      `An error occurred (ValidationException) when calling the CreateConnection operation: 1 validation error detected: Value '${'c'.repeat(33)}' at 'connectionName' failed to satisfy constraint: Member must have length less than or equal to 32`,
    );
  });

  it('refuses the 51st host with LimitExceededException', async () => {
    const client = new CodeStarConnectionsClient(clientConfig(sandbox));
    try {
      for (let index = 0; index < 50; index++) {
        await client.send(
          new CreateHostCommand({ Name: `host-${index}`, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: `https://ghe${index}.example.com` }),
        );
      }
    } finally {
      client.destroy();
    }
    const fiftyFirst = await aws(sandbox, [
      'codestar-connections', 'create-host', '--name', 'h51', '--provider-type', 'GitHubEnterpriseServer',
      '--provider-endpoint', 'https://ghe.example.com',
    ]);
    expect(fiftyFirst.code).not.toBe(0);
    expect(fiftyFirst.stderr).toContain('An error occurred (LimitExceededException) when calling the CreateHost operation');
    const listed = await aws(sandbox, ['codestar-connections', 'list-hosts', '--max-results', '100']);
    expect((listed.json as { Hosts: unknown[] }).Hosts).toHaveLength(50);
  });

  it('sees the same resources through the renamed codeconnections commands', async () => {
    await aws(sandbox, ['codestar-connections', 'create-connection', '--connection-name', 'cloud', '--provider-type', 'GitHub']);
    const listed = await aws(sandbox, ['codeconnections', 'list-connections']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((listed.json as { Connections: { ConnectionName: string }[] }).Connections.map((connection) => connection.ConnectionName)).toEqual(['cloud']);
  });

  it('creates and lists hosts and connections through the codeconnections namespace, with codeconnections ARNs', async () => {
    const created = await aws(sandbox, [
      'codeconnections', 'create-host', '--name', 'cli-host', '--provider-type', 'GitHubEnterpriseServer',
      '--provider-endpoint', 'https://ghe.example.com',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const { HostArn } = created.json as { HostArn: string };
    expect(HostArn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:host\/cli-host-[0-9a-f]{8}$/);
    const host = await aws(sandbox, ['codeconnections', 'get-host', '--host-arn', HostArn]);
    expect(host.json).toMatchObject({ Name: 'cli-host', Status: 'PENDING' });

    await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
    const connection = await aws(sandbox, ['codeconnections', 'create-connection', '--connection-name', 'cli-conn', '--host-arn', HostArn]);
    expect(connection.code, connection.stderr).toBe(0);
    const { ConnectionArn } = connection.json as { ConnectionArn: string };
    expect(ConnectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:connection\/[0-9a-f-]{36}$/);
    // And what a person made in the console since 2024-07 (the control API stands in for the console).
    const { connectionArn: consoleConnection } = await control<{ connectionArn: string }>(sandbox, 'POST', '/console/connections', { name: 'console-conn', hostArn: HostArn });

    const listed = await aws(sandbox, ['codeconnections', 'list-connections', '--host-arn-filter', HostArn]);
    expect(listed.code, listed.stderr).toBe(0);
    expect((listed.json as { Connections: { ConnectionArn: string; ConnectionStatus: string }[] }).Connections).toEqual([
      expect.objectContaining({ ConnectionArn, ConnectionStatus: 'PENDING' }),
      expect.objectContaining({ ConnectionArn: consoleConnection, ConnectionStatus: 'PENDING' }),
    ]);
    const hosts = await aws(sandbox, ['codeconnections', 'list-hosts']);
    expect((hosts.json as { Hosts: { HostArn: string; Status: string }[] }).Hosts).toEqual([expect.objectContaining({ HostArn, Status: 'AVAILABLE' })]);
  });

  it('reads a seeded pipeline with codepipeline get-pipeline', async () => {
    await control(sandbox, 'POST', '/pipelines', { name: 'app-pipeline' });
    const pipeline = await aws(sandbox, ['codepipeline', 'get-pipeline', '--name', 'app-pipeline']);
    expect(pipeline.code, pipeline.stderr).toBe(0);
    const { pipeline: declaration, metadata } = pipeline.json as {
      pipeline: { name: string; version: number; stages: { name: string }[] };
      metadata: { pipelineArn: string };
    };
    expect(declaration.name).toBe('app-pipeline');
    expect(declaration.version).toBe(1);
    expect(declaration.stages.length).toBeGreaterThanOrEqual(2);
    expect(metadata.pipelineArn).toBe('arn:aws:codepipeline:us-east-1:111111111111:app-pipeline');
    const missing = await aws(sandbox, ['codepipeline', 'get-pipeline', '--name', 'nope']);
    expect(missing.stderr).toContain('PipelineNotFoundException');
  });
});
