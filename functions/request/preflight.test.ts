import { CodePipelineClient, GetPipelineCommand, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../shell/http-errors.ts';
import { GITLAB_VERSION_NOT_CHECKED, preflight, type PreflightInput } from './preflight.ts';

const connections = mockClient(CodeStarConnectionsClient);
const pipelines = mockClient(CodePipelineClient);

const input: PreflightInput = {
  region: 'us-east-1',
  providerEndpoint: 'https://ghe.example.com',
  allowedEndpoints: ['ghe.example.com'],
  connectionName: 'ghe-payments',
  quotas: { hosts: 50, connections: 250 },
};

/** `meta: 'unreachable'` stands for a GHES server the backend cannot reach. */
function dependencies(meta: unknown = { installed_version: '3.12.4' }) {
  return {
    aws: { connections: new CodeStarConnectionsClient({}), pipelines: new CodePipelineClient({}) },
    fetchGhesMeta: async () => (meta === 'unreachable' ? undefined : meta),
    normalise: (url: string) => url.replace(/\/$/, ''),
  };
}

async function refusal(run: Promise<unknown>): Promise<ApiError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('pre-flight passed');
}

beforeEach(() => {
  connections.reset();
  pipelines.reset();
  connections.on(ListHostsCommand).resolves({ Hosts: [] });
  connections.on(ListConnectionsCommand).resolves({ Connections: [] });
});

describe('pre-flight', () => {
  it('passes and notes the GHES version', async () => {
    expect(await preflight(input, dependencies())).toEqual(['GHES version 3.12.4 is supported.']);
  });

  it('refuses Regions without GHES connections, before calling AWS', async () => {
    const error = await refusal(preflight({ ...input, region: 'ap-east-1' }, dependencies()));
    expect([error.status, error.code]).toEqual([422, 'UnsupportedRegion']);
    expect(connections.calls()).toHaveLength(0);
  });

  it('refuses an endpoint off the allow-list with 403', async () => {
    const error = await refusal(preflight({ ...input, allowedEndpoints: ['other.example.com'] }, dependencies()));
    expect(error.status).toBe(403);
  });

  it('refuses a taken connection name, naming the field', async () => {
    connections.on(ListConnectionsCommand).resolves({ Connections: [{ ConnectionName: 'ghe-payments' }] });
    const error = await refusal(preflight(input, dependencies()));
    expect([error.status, error.code, error.details[0]?.path]).toEqual([409, 'ConnectionNameTaken', 'connectionName']);
  });

  it('reads every page of connections and refuses at the quota', async () => {
    connections
      .on(ListConnectionsCommand, { NextToken: undefined })
      .resolves({ Connections: [{ ConnectionName: 'a' }], NextToken: 'page-2' })
      .on(ListConnectionsCommand, { NextToken: 'page-2' })
      .resolves({ Connections: [{ ConnectionName: 'b' }] });
    const error = await refusal(preflight({ ...input, quotas: { hosts: 50, connections: 2 } }, dependencies()));
    expect(error.code).toBe('ConnectionQuotaReached');
    expect(connections.commandCalls(ListConnectionsCommand)).toHaveLength(2);
  });

  it('refuses a new host at the host quota, but not when the endpoint already has one', async () => {
    const hosts = Array.from({ length: 2 }, (_, index) => ({ ProviderEndpoint: `https://h${index}.example.com` }));
    connections.on(ListHostsCommand).resolves({ Hosts: hosts });
    expect((await refusal(preflight({ ...input, quotas: { hosts: 2, connections: 250 } }, dependencies()))).code).toBe('HostQuotaReached');
    connections.on(ListHostsCommand).resolves({ Hosts: [...hosts.slice(1), { ProviderEndpoint: 'https://ghe.example.com/' }] });
    await expect(preflight({ ...input, quotas: { hosts: 2, connections: 250 } }, dependencies())).resolves.toBeDefined();
  });

  it('refuses a missing pipeline and an ambiguous source action', async () => {
    pipelines.on(GetPipelineCommand).rejects(new PipelineNotFoundException({ message: 'none', $metadata: {} }));
    const missing = await refusal(preflight({ ...input, pipeline: { name: 'nope' } }, dependencies()));
    expect([missing.code, missing.details[0]?.path]).toEqual(['PipelineNotFound', 'pipeline.name']);

    const source = (name: string) => ({ name, actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider: 'S3', version: '1' } });
    pipelines.on(GetPipelineCommand).resolves({ pipeline: { name: 'two', roleArn: 'r', stages: [{ name: 'Source', actions: [source('A'), source('B')] }] } });
    const ambiguous = await refusal(preflight({ ...input, pipeline: { name: 'two' } }, dependencies()));
    expect([ambiguous.code, ambiguous.details[0]?.path]).toEqual(['SourceActionNotFound', 'pipeline.sourceActionName']);
  });

  it('refuses a trigger on a V1 pipeline (it would silently become V2), and accepts it on V2', async () => {
    const source = { name: 'A', actionTypeId: { category: 'Source' as const, owner: 'AWS' as const, provider: 'S3', version: '1' } };
    const trigger = { push: [{ branches: { includes: ['main'] } }] };
    pipelines.on(GetPipelineCommand).resolves({ pipeline: { name: 'old', roleArn: 'r', pipelineType: 'V1', stages: [{ name: 'Source', actions: [source] }] } });
    const v1 = await refusal(preflight({ ...input, pipeline: { name: 'old', trigger } }, dependencies()));
    expect([v1.status, v1.code, v1.details[0]?.path]).toEqual([422, 'TriggerNotPossible', 'pipeline.trigger']);
    pipelines.on(GetPipelineCommand).resolves({ pipeline: { name: 'new', roleArn: 'r', pipelineType: 'V2', stages: [{ name: 'Source', actions: [source] }] } });
    await expect(preflight({ ...input, pipeline: { name: 'new', trigger } }, dependencies())).resolves.toBeDefined();
  });

  it('skips the version check for GitLab self-managed, saying why, without calling the server', async () => {
    let fetched = 0;
    const gitLab = { ...input, providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged' as const, allowedEndpoints: ['gitlab.example.com'] };
    const notes = await preflight(gitLab, { ...dependencies(), fetchGhesMeta: async () => (fetched++, { installed_version: '2.22.0' }) });
    expect(notes).toEqual([GITLAB_VERSION_NOT_CHECKED]);
    expect(notes[0]).toMatch(/GitLab self-managed shows its version only with an access token/);
    expect(fetched).toBe(0);
  });

  it('names GitLab when it refuses a Region for a GitLab request', async () => {
    const error = await refusal(preflight({ ...input, providerType: 'GitLabSelfManaged', region: 'ap-east-1' }, dependencies()));
    expect([error.code, error.message]).toEqual(['UnsupportedRegion', 'GitLab self-managed connections are not available in Asia Pacific (Hong Kong) (ap-east-1).']);
  });

  it('counts a host of the other provider at the endpoint as no host: it would not be reused', async () => {
    const others = [{ ProviderType: 'GitHubEnterpriseServer' as const, ProviderEndpoint: 'https://h.example.com' }];
    connections.on(ListHostsCommand).resolves({ Hosts: [...others, { ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }] });
    const full = { ...input, quotas: { hosts: 2, connections: 250 } };
    await expect(preflight(full, dependencies())).resolves.toBeDefined();
    expect((await refusal(preflight({ ...full, providerType: 'GitLabSelfManaged' }, dependencies()))).code).toBe('HostQuotaReached');
  });

  it('refuses GHES 2.22.0, and only notes a server it cannot reach', async () => {
    const old = await refusal(preflight(input, dependencies({ installed_version: '2.22.0' })));
    expect(old.code).toBe('UnsupportedGhesVersion');
    expect(old.message).toContain('2.22.1');
    expect(await preflight(input, dependencies('unreachable'))).toEqual([
      'Could not reach https://ghe.example.com/api/v3/meta from the backend; the GHES version was not checked.',
    ]);
  });
});
