import { BatchGetProjectsCommand, CodeBuildClient, ListProjectsCommand, type Project } from '@aws-sdk/client-codebuild';
import { CodePipelineClient, ListPipelinesCommand } from '@aws-sdk/client-codepipeline';
import { AccessDeniedException, CodeStarConnectionsClient, ListRepositoryLinksCommand, ListSyncConfigurationsCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { collectConnectionUsage } from './connection-users.ts';
import { usageOrProblem } from './usage-or-problem.ts';
import { CodePipelineServiceException } from '@aws-sdk/client-codepipeline';

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/0b1c2d3e-aaaa-bbbb-cccc-000000000001';
const SAME_CONNECTION_OTHER_PREFIX = CONNECTION.replace(':codestar-connections:', ':codeconnections:');
const OTHER_CONNECTION = CONNECTION.replace(/0001$/, '0002');

// Instances, not the classes: the unit tests share one module graph, and other files use these clients.
const codeBuild = new CodeBuildClient({ region: 'us-east-1' });
const pipelines = new CodePipelineClient({ region: 'us-east-1' });
const connections = new CodeStarConnectionsClient({ region: 'us-east-1' });
const codeBuildMock = mockClient(codeBuild);
const pipelinesMock = mockClient(pipelines);
const connectionsMock = mockClient(connections);

beforeEach(() => {
  for (const mock of [codeBuildMock, pipelinesMock, connectionsMock]) mock.reset();
  pipelinesMock.on(ListPipelinesCommand).resolves({ pipelines: [] });
  connectionsMock.on(ListRepositoryLinksCommand).resolves({ RepositoryLinks: [] });
});
afterAll(() => {
  for (const mock of [codeBuildMock, pipelinesMock, connectionsMock]) mock.restore();
});

const arnOf = (name: string) => `arn:aws:codebuild:us-east-1:111111111111:project/${name}`;
const ghe = (auth?: { type: 'CODECONNECTIONS' | 'OAUTH'; resource?: string }, sourceIdentifier?: string) => ({
  type: 'GITHUB_ENTERPRISE' as const,
  location: 'https://ghe.example.com/platform/app.git',
  ...(auth ? { auth } : {}),
  ...(sourceIdentifier ? { sourceIdentifier } : {}),
});

describe('the CodeBuild projects whose sources use the connection', () => {
  it('reads every page of ListProjects, then BatchGetProjects 100 names at a time, and finds primary and secondary sources under either ARN prefix', async () => {
    const names = Array.from({ length: 150 }, (_, index) => `project-${index}`);
    const special: Record<string, Project> = {
      'project-3': { name: 'project-3', arn: arnOf('project-3'), source: ghe({ type: 'CODECONNECTIONS', resource: SAME_CONNECTION_OTHER_PREFIX }) },
      'project-120': {
        name: 'project-120',
        arn: arnOf('project-120'),
        source: { type: 'CODEPIPELINE' },
        secondarySources: [ghe({ type: 'CODECONNECTIONS', resource: OTHER_CONNECTION }, 'other'), ghe({ type: 'CODECONNECTIONS', resource: CONNECTION }, 'docs')],
      },
      // Not this connection: another one, an OAuth token, or CodeConnections without a resource (the account's default credential).
      'project-4': { name: 'project-4', arn: arnOf('project-4'), source: ghe({ type: 'CODECONNECTIONS', resource: OTHER_CONNECTION }) },
      'project-5': { name: 'project-5', arn: arnOf('project-5'), source: ghe({ type: 'OAUTH', resource: CONNECTION }) },
      'project-6': { name: 'project-6', arn: arnOf('project-6'), source: ghe({ type: 'CODECONNECTIONS' }) },
    };
    codeBuildMock
      .on(ListProjectsCommand, { nextToken: undefined })
      .resolves({ projects: names.slice(0, 100), nextToken: 'page-2' })
      .on(ListProjectsCommand, { nextToken: 'page-2' })
      .resolves({ projects: names.slice(100) });
    codeBuildMock.on(BatchGetProjectsCommand).callsFake(async ({ names: asked }: { names: string[] }) => ({
      // A project deleted since the list comes back as not found.
      projects: asked.filter((name) => name !== 'project-7').map((name) => special[name] ?? { name, arn: arnOf(name), source: { type: 'CODEPIPELINE' } }),
      projectsNotFound: asked.filter((name) => name === 'project-7'),
    }));

    const usage = await collectConnectionUsage(CONNECTION, { codeBuild, pipelines, connections });

    expect(usage.codeBuildProjects).toEqual([
      { name: 'project-3', arn: arnOf('project-3') },
      { name: 'project-120', arn: arnOf('project-120') },
    ]);
    expect(codeBuildMock.commandCalls(ListProjectsCommand)).toHaveLength(2);
    expect(codeBuildMock.commandCalls(BatchGetProjectsCommand).map((call) => call.args[0].input.names)).toEqual([names.slice(0, 100), names.slice(100)]);
  });

  it('asks for no projects when the account has none', async () => {
    codeBuildMock.on(ListProjectsCommand).resolves({ projects: [] });
    expect((await collectConnectionUsage(CONNECTION, { codeBuild, pipelines, connections })).codeBuildProjects).toEqual([]);
    expect(codeBuildMock.commandCalls(BatchGetProjectsCommand)).toHaveLength(0);
  });
});

describe('the Git sync configurations on its repository links', () => {
  const link = (id: string, connectionArn: string, repositoryName: string) => ({
    RepositoryLinkId: id,
    RepositoryLinkArn: `arn:aws:codestar-connections:us-east-1:111111111111:repository-link/${id}`,
    ConnectionArn: connectionArn,
    OwnerId: 'acme',
    RepositoryName: repositoryName,
    ProviderType: 'GitHubEnterpriseServer' as const,
    EncryptionKeyArn: undefined,
  });
  const syncOn = (linkId: string, stackName: string) => ({
    Branch: 'main',
    ConfigFile: `deploy/${stackName}.yaml`,
    OwnerId: 'acme',
    ProviderType: 'GitHubEnterpriseServer' as const,
    RepositoryLinkId: linkId,
    RepositoryName: 'infra',
    ResourceName: stackName,
    RoleArn: 'arn:aws:iam::111111111111:role/sync',
    SyncType: 'CFN_STACK_SYNC' as const,
  });

  beforeEach(() => codeBuildMock.on(ListProjectsCommand).resolves({ projects: [] }));

  it('lists every page of CFN_STACK_SYNC configurations on each of the connection’s links (either prefix), and none on another connection’s', async () => {
    connectionsMock.on(ListRepositoryLinksCommand).resolves({
      RepositoryLinks: [link('link-1', CONNECTION, 'infra'), link('link-2', SAME_CONNECTION_OTHER_PREFIX, 'docs'), link('link-3', OTHER_CONNECTION, 'other')],
    });
    connectionsMock
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-1', NextToken: undefined })
      .resolves({ SyncConfigurations: [syncOn('link-1', 'ledger-infra')], NextToken: 'more' })
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-1', NextToken: 'more' })
      .resolves({ SyncConfigurations: [syncOn('link-1', 'payments-infra')] })
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-2' })
      .resolves({ SyncConfigurations: [] });

    const usage = await collectConnectionUsage(CONNECTION, { codeBuild, pipelines, connections });

    expect(usage.repositoryLinks.map((found) => found.repositoryLinkId)).toEqual(['link-1', 'link-2']);
    expect(usage.syncConfigurations).toEqual([
      { stackName: 'ledger-infra', repositoryLinkId: 'link-1', repository: 'acme/infra', branch: 'main' },
      { stackName: 'payments-infra', repositoryLinkId: 'link-1', repository: 'acme/infra', branch: 'main' },
    ]);
    const asked = connectionsMock.commandCalls(ListSyncConfigurationsCommand).map((call) => call.args[0].input);
    expect(asked.every((input) => input.SyncType === 'CFN_STACK_SYNC')).toBe(true);
    expect(asked.map((input) => input.RepositoryLinkId)).toEqual(['link-1', 'link-1', 'link-2']);
  });

  it('names the links alone when it may not list their sync configurations, and skips a link deleted meanwhile', async () => {
    connectionsMock.on(ListRepositoryLinksCommand).resolves({ RepositoryLinks: [link('link-1', CONNECTION, 'infra'), link('gone', CONNECTION, 'gone')] });
    connectionsMock
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'link-1' })
      .rejects(new AccessDeniedException({ message: 'not authorized to perform: codestar-connections:ListSyncConfigurations', $metadata: {} }))
      .on(ListSyncConfigurationsCommand, { RepositoryLinkId: 'gone' })
      .rejects(new ResourceNotFoundException({ message: 'Repository link gone does not exist', $metadata: {} }));
    const usage = await collectConnectionUsage(CONNECTION, { codeBuild, pipelines, connections });
    expect(usage.repositoryLinks.map((found) => found.repositoryLinkId)).toEqual(['link-1', 'gone']);
    expect(usage.syncConfigurations).toEqual([]);
  });
});

describe('a guard that may not read', () => {
  it('answers 503 UsageNotReadable naming the refusal, not a 500', async () => {
    pipelinesMock.on(ListPipelinesCommand).rejects(
      new CodePipelineServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'not authorized to perform: codepipeline:ListPipelines' }),
    );
    codeBuildMock.on(ListProjectsCommand).resolves({ projects: [] });
    await expect(usageOrProblem(CONNECTION, { pipelines, connections, codeBuild })).rejects.toMatchObject({
      status: 503,
      code: 'UsageNotReadable',
      message: expect.stringContaining('AccessDeniedException: not authorized to perform: codepipeline:ListPipelines'),
    });
  });
});
