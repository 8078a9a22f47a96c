import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodeStarConnectionsClient,
  CreateHostCommand,
  GetConnectionCommand,
  ListHostsCommand,
  ThrottlingException,
} from '@aws-sdk/client-codestar-connections';
import { describe, expect, it } from 'vitest';
import { SmithyModel } from '../../infra/local/sandbox/model/smithy-model.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import {clientConfig, control, rawJsonCall, startTestSandbox, useTestSandbox } from '../helpers/sandbox.ts';

let sandbox: Sandbox;
let client: CodeStarConnectionsClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodeStarConnectionsClient(clientConfig(started));
  return client;
});

const JS_PREFIX = 'CodeStar_connections_20191201';
const BOTOCORE_PREFIX = 'com.amazonaws.codestar.connections.CodeStar_connections_20191201';

describe('awsJson wire format', () => {
  it('serves every one of the 27 modeled operations under both target spellings', async () => {
    const model = SmithyModel.load(new URL('../../infra/local/sandbox/models/codestar-connections.smithy.json', import.meta.url));
    const operations = model.operationNames();
    expect(operations).toHaveLength(27);
    for (const operation of operations) {
      for (const prefix of [JS_PREFIX, BOTOCORE_PREFIX]) {
        const { status, json } = await rawJsonCall(sandbox, `${prefix}.${operation}`, '{}');
        // An empty input either succeeds (List*) or names its missing required members; never "unknown operation".
        expect(json.__type, `${prefix}.${operation}`).not.toBe('UnknownOperationException');
        if (status !== 200) expect(json.message, operation).toMatch(/Member must not be null/);
      }
    }
  });

  it('answers errors with a bare __type, the modeled Message member, the status and request id headers', async () => {
    const { status, json, headers } = await rawJsonCall(
      sandbox,
      `${JS_PREFIX}.GetHost`,
      JSON.stringify({ HostArn: 'arn:aws:codestar-connections:us-east-1:111111111111:host/x-12345678' }),
    );
    expect(status).toBe(404);
    expect(json).toEqual({ __type: 'ResourceNotFoundException', Message: expect.stringContaining('does not exist') });
    expect(headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('content-type')).toBe('application/x-amz-json-1.0');
  });

  it('rejects unknown operations, unparseable JSON and wrongly typed members', async () => {
    const unknown = await rawJsonCall(sandbox, `${JS_PREFIX}.LaunchRocket`, '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.json.__type).toBe('UnknownOperationException');
    const noService = await rawJsonCall(sandbox, 'Nope_20200101.Get', '{}');
    expect(noService.json.__type).toBe('UnknownOperationException');
    const broken = await rawJsonCall(sandbox, `${JS_PREFIX}.ListHosts`, '{"MaxResults":');
    expect(broken.json.__type).toBe('SerializationException');
    const wrongType = await rawJsonCall(sandbox, `${JS_PREFIX}.ListHosts`, '{"MaxResults":"ten"}');
    expect(wrongType.json.__type).toBe('SerializationException');
    const outOfRange = await rawJsonCall(sandbox, `${JS_PREFIX}.ListHosts`, '{"MaxResults":101}');
    expect(outOfRange.json.message).toBe(
      "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
  });

  it('mints codeconnections ARNs through the renamed service, readable through the old API', async () => {
    const created = await rawJsonCall(
      sandbox,
      'CodeConnections_20231201.CreateConnection',
      JSON.stringify({ ConnectionName: 'renamed', ProviderType: 'AzureDevOps' }),
    );
    expect(created.status).toBe(200);
    const arn = created.json.ConnectionArn as string;
    expect(arn).toMatch(/^arn:aws:codeconnections:us-east-1:111111111111:connection\//);
    const { Connection } = await client.send(new GetConnectionCommand({ ConnectionArn: arn }));
    expect(Connection).toMatchObject({ ConnectionName: 'renamed', ProviderType: 'AzureDevOps' });
  });
});

describe('fault injection', () => {
  it('throttles every call when asked, and the SDK retries a throttled call before giving up', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListHosts', throttleRate: 1 });
    const retrying = new CodeStarConnectionsClient({ ...clientConfig(sandbox), maxAttempts: 3, retryStrategy: undefined });
    try {
      await control(sandbox, 'DELETE', '/calls');
      await expect(retrying.send(new ListHostsCommand({}))).rejects.toBeInstanceOf(ThrottlingException);
      const { calls } = await control<{ calls: { operation: string; throttled: number }[] }>(sandbox, 'GET', '/calls');
      expect(calls.find((call) => call.operation === 'ListHosts')?.throttled).toBe(3);
      // Other operations are unaffected.
      await client.send(new CreateHostCommand({ Name: 'h', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://g.example.com' }));
    } finally {
      retrying.destroy();
    }
  });

  it('answers a share of calls with 5xx, reproducibly for a given seed', async () => {
    const outcomes = async () => {
      await control(sandbox, 'PUT', '/faults', { service: 'codestar-connections', errorRate: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let index = 0; index < 20; index++) {
        statuses.push((await rawJsonCall(sandbox, `${JS_PREFIX}.ListHosts`, '{}')).status);
      }
      return statuses;
    };
    const first = await outcomes();
    expect(first.filter((status) => status === 503).length).toBeGreaterThan(3);
    expect(first.filter((status) => status === 200).length).toBeGreaterThan(3);
    expect(await outcomes()).toEqual(first);
  });

  it('limits calls per second and adds latency', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListHosts', tps: 5 });
    const statuses = await Promise.all(Array.from({ length: 12 }, () => rawJsonCall(sandbox, `${JS_PREFIX}.ListHosts`, '{}')));
    expect(statuses.filter(({ status }) => status === 200)).toHaveLength(5);
    expect(statuses.filter(({ json }) => json.__type === 'ThrottlingException')).toHaveLength(7);

    await control(sandbox, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListHosts', latencyMs: 150 });
    const started = performance.now();
    await rawJsonCall(sandbox, `${JS_PREFIX}.ListHosts`, '{}');
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('control API', () => {
  it('lists its routes, and names the field it rejects', async () => {
    const { routes } = await control<{ routes: { path: string }[] }>(sandbox, 'GET', '/');
    expect(routes.map((route) => route.path)).toEqual(
      expect.arrayContaining(['/_sandbox/hosts/complete-setup', '/_sandbox/connections/complete-handshake', '/_sandbox/faults', '/_sandbox/clock/advance']),
    );
    const response = await fetch(`${sandbox.url}/_sandbox/hosts/complete-setup`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'InvalidParameter',
        message: 'hostArn is required and must be a non-empty string',
        details: [{ path: 'hostArn', message: 'hostArn is required and must be a non-empty string' }],
      },
    });
    const badRate = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ service: 'x', throttleRate: 2 }) });
    expect(((await badRate.json()) as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('throttleRate');
    expect((await fetch(`${sandbox.url}/_sandbox/nothing-here`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/_sandbox/reset`)).status).toBe(405);
    expect((await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST', body: '[' })).status).toBe(400);
  });

  it('moves the sandbox clock forward only', async () => {
    const before = await control<{ epochSeconds: number }>(sandbox, 'GET', '/clock');
    const after = await control<{ epochSeconds: number }>(sandbox, 'POST', '/clock/advance', { seconds: 86_400 });
    expect(after.epochSeconds - before.epochSeconds).toBeGreaterThanOrEqual(86_400);
    expect(after.epochSeconds - before.epochSeconds).toBeLessThan(86_410);
    const backwards = await fetch(`${sandbox.url}/_sandbox/clock/advance`, { method: 'POST', body: JSON.stringify({ seconds: -1 }) });
    expect(backwards.status).toBe(400);
  });

  it('shows an inventory of everything held', async () => {
    await client.send(new CreateHostCommand({ Name: 'inv', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://g.example.com' }));
    const state = await control<{ codestarConnections: Record<string, { hosts: { name: string }[] }> }>(sandbox, 'GET', '/state');
    expect(state.codestarConnections['111111111111/us-east-1']?.hosts.map((host) => host.name)).toEqual(['inv']);
  });
});

describe('persistence', () => {
  it('keeps resources across a restart when given a state file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
    const statePath = join(directory, 'state.json');
    try {
      const first = await startTestSandbox({ statePath });
      const firstClient = new CodeStarConnectionsClient(clientConfig(first));
      const { HostArn } = await firstClient.send(
        new CreateHostCommand({ Name: 'kept', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://g.example.com' }),
      );
      firstClient.destroy();
      await first.close();

      const second = await startTestSandbox({ statePath });
      const secondClient = new CodeStarConnectionsClient(clientConfig(second));
      const { Hosts } = await secondClient.send(new ListHostsCommand({}));
      expect(Hosts?.map((host) => host.HostArn)).toEqual([HostArn]);
      secondClient.destroy();
      await second.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
