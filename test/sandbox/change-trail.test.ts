import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand, DeleteConnectionCommand, GetConnectionCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { describe, expect, it } from 'vitest';
import type { Change } from '../../infra/local/sandbox/call-log.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { control, useTestSandbox } from '../helpers/sandbox.ts';

/**
 * The change trail (GET /_sandbox/calls/trail): every successful call that changes something, in
 * order, with what it acted on and the connection ARNs its input named; reads and failed calls are
 * not in it. Tests replay it to show what pointed where when.
 */

let sandbox: Sandbox;
let client: CodeStarConnectionsClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodeStarConnectionsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  return client;
});

describe('the change trail', () => {
  it('lists the successful changes in order, with their subject and connection ARNs, and no reads or failures', async () => {
    await control(sandbox, 'DELETE', '/calls');
    const { HostArn } = await client.send(new CreateHostCommand({ Name: 'ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }));
    await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
    const { ConnectionArn } = await client.send(new CreateConnectionCommand({ ConnectionName: 'app', HostArn }));
    await client.send(new GetConnectionCommand({ ConnectionArn }));
    await client.send(new DeleteConnectionCommand({ ConnectionArn }));
    await expect(client.send(new DeleteConnectionCommand({ ConnectionArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    const { trail } = await control<{ trail: Change[] }>(sandbox, 'GET', '/calls/trail');
    expect(trail.map(({ operation, subject, connectionArns }) => ({ operation, subject, connectionArns }))).toEqual([
      { operation: 'CreateHost', subject: 'ghe', connectionArns: [] },
      { operation: 'CreateConnection', subject: HostArn, connectionArns: [] },
      { operation: 'DeleteConnection', subject: ConnectionArn, connectionArns: [ConnectionArn] },
    ]);
    expect(trail.map((change) => change.sequence)).toEqual([...trail.map((change) => change.sequence)].sort((a, b) => a - b));
  });
});
