import { BatchGetProjectsCommand, CodeBuildClient, CreateProjectCommand, DeleteProjectCommand, ListProjectsCommand, paginateListProjects } from '@aws-sdk/client-codebuild';
import { CodePipelineClient, GetPipelineExecutionCommand, GetPipelineStateCommand, StartPipelineExecutionCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand } from '@aws-sdk/client-codestar-connections';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * The sandbox's CodeBuild (hand-written model, not official) through the real SDK client, and what
 * it is for: a CODEBUILD_CLONE_REF build clones through the connection as its project's role, so
 * that role needs UseConnection too. Also IAM's propagation delay as pipeline runs see it.
 */

let sandbox: Sandbox;
let codeBuild: CodeBuildClient;
let pipelines: CodePipelineClient;
let connections: CodeStarConnectionsClient;
let iam: IAMClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  codeBuild = new CodeBuildClient(clientConfig(sandbox));
  pipelines = new CodePipelineClient(clientConfig(sandbox));
  connections = new CodeStarConnectionsClient(clientConfig(sandbox));
  iam = new IAMClient(clientConfig(sandbox));
});
afterAll(async () => {
  for (const client of [codeBuild, pipelines, connections, iam]) client.destroy();
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
  await control(sandbox, 'PUT', '/config', { iamPropagationSeconds: 0 });
});

const ROLE_ARN = (name: string) => `arn:aws:iam::111111111111:role/${name}`;
const project = (name: string, serviceRole: string) => ({
  name,
  serviceRole,
  source: { type: 'CODEPIPELINE' as const },
  artifacts: { type: 'CODEPIPELINE' as const },
  environment: { type: 'LINUX_CONTAINER' as const, image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' as const },
});

describe('CodeBuild projects', () => {
  it('creates projects and answers BatchGetProjects by name or ARN, listing the ones not found', async () => {
    const { project: created } = await codeBuild.send(new CreateProjectCommand(project('web-build', 'codebuild-web')));
    expect(created).toMatchObject({ name: 'web-build', arn: 'arn:aws:codebuild:us-east-1:111111111111:project/web-build', serviceRole: ROLE_ARN('codebuild-web') });
    const { projects, projectsNotFound } = await codeBuild.send(new BatchGetProjectsCommand({ names: ['web-build', created!.arn!, 'missing'] }));
    expect(projects!.map((found) => found.name)).toEqual(['web-build', 'web-build']);
    expect(projectsNotFound).toEqual(['missing']);
    await expect(codeBuild.send(new CreateProjectCommand(project('web-build', 'x')))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await codeBuild.send(new DeleteProjectCommand({ name: 'web-build' }));
    expect((await codeBuild.send(new BatchGetProjectsCommand({ names: ['web-build'] }))).projectsNotFound).toEqual(['web-build']);
  });

  it('validates input against its (hand-written) model in AWS words', async () => {
    await expect(codeBuild.send(new BatchGetProjectsCommand({ names: [] }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    });
    await expect(codeBuild.send(new CreateProjectCommand({ ...project('-bad', 'r') }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('seeds a project through the control API', async () => {
    await control(sandbox, 'POST', '/codebuild/projects', { name: 'seeded', serviceRole: ROLE_ARN('seeded-role') });
    const { projects } = await codeBuild.send(new BatchGetProjectsCommand({ names: ['seeded'] }));
    expect(projects![0]).toMatchObject({ serviceRole: ROLE_ARN('seeded-role'), source: { type: 'CODEPIPELINE' } });
  });
});

describe('CodeBuild project sources and ListProjects', () => {
  const CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/0b1c2d3e-aaaa-bbbb-cccc-000000000001';
  const connected = (name: string) => ({
    ...project(name, 'codebuild-app'),
    source: { type: 'GITHUB_ENTERPRISE' as const, location: 'https://ghe.example.com/platform/app.git', auth: { type: 'CODECONNECTIONS' as const, resource: CONNECTION } },
    artifacts: { type: 'NO_ARTIFACTS' as const },
  });

  it('stores a source that reaches its repository through a connection, primary and secondary, and BatchGetProjects returns it', async () => {
    await codeBuild.send(
      new CreateProjectCommand({
        ...connected('app-build'),
        secondarySources: [{ type: 'GITHUB_ENTERPRISE', location: 'https://ghe.example.com/platform/docs.git', sourceIdentifier: 'docs', auth: { type: 'CODECONNECTIONS', resource: CONNECTION } }],
      }),
    );
    const { projects } = await codeBuild.send(new BatchGetProjectsCommand({ names: ['app-build'] }));
    expect(projects![0]!.source).toEqual({ type: 'GITHUB_ENTERPRISE', location: 'https://ghe.example.com/platform/app.git', auth: { type: 'CODECONNECTIONS', resource: CONNECTION } });
    expect(projects![0]!.secondarySources).toEqual([
      { type: 'GITHUB_ENTERPRISE', location: 'https://ghe.example.com/platform/docs.git', sourceIdentifier: 'docs', auth: { type: 'CODECONNECTIONS', resource: CONNECTION } },
    ]);
  });

  it('refuses an auth type CodeBuild does not know, and a secondary source without an identifier, with InvalidInputException; creates nothing', async () => {
    const badAuth = { ...connected('bad-auth'), source: { ...connected('bad-auth').source, auth: { type: 'PASSWORD' as never, resource: CONNECTION } } };
    await expect(codeBuild.send(new CreateProjectCommand(badAuth))).rejects.toMatchObject({ name: 'InvalidInputException', message: expect.stringContaining('PASSWORD') });
    const unnamed = { ...connected('unnamed'), secondarySources: [{ type: 'S3' as const, location: 'bucket/docs.zip' }] };
    await expect(codeBuild.send(new CreateProjectCommand(unnamed))).rejects.toMatchObject({ name: 'InvalidInputException', message: expect.stringContaining('identifier') });
    // The auth type is required (the model's own check, in Coral's words).
    const noType = { ...connected('no-type'), source: { ...connected('no-type').source, auth: { resource: CONNECTION } as never } };
    await expect(codeBuild.send(new CreateProjectCommand(noType))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'source.auth.type'") });
    expect((await codeBuild.send(new BatchGetProjectsCommand({ names: ['bad-auth', 'unnamed', 'no-type'] }))).projectsNotFound).toHaveLength(3);
  });

  it('lists project names 100 a page, in the order asked for, each token good only for its own listing', async () => {
    const names = Array.from({ length: 205 }, (_, index) => `project-${String(index).padStart(3, '0')}`);
    for (let start = 0; start < names.length; start += 25) {
      await Promise.all(names.slice(start, start + 25).map((name) => codeBuild.send(new CreateProjectCommand(project(name, 'codebuild-app')))));
    }
    const first = await codeBuild.send(new ListProjectsCommand({}));
    expect(first.projects).toEqual(names.slice(0, 100));
    const second = await codeBuild.send(new ListProjectsCommand({ nextToken: first.nextToken }));
    expect(second.projects).toEqual(names.slice(100, 200));
    const last = await codeBuild.send(new ListProjectsCommand({ nextToken: second.nextToken }));
    expect(last).toMatchObject({ projects: names.slice(200) });
    expect(last.nextToken).toBeUndefined();

    const descending: string[] = [];
    for await (const page of paginateListProjects({ client: codeBuild }, { sortBy: 'NAME', sortOrder: 'DESCENDING' })) descending.push(...page.projects!);
    expect(descending).toEqual([...names].reverse());
    await expect(codeBuild.send(new ListProjectsCommand({ sortOrder: 'DESCENDING', nextToken: first.nextToken }))).rejects.toMatchObject({ name: 'InvalidInputException' });
    await expect(codeBuild.send(new ListProjectsCommand({ sortBy: 'SIZE' as never }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('seeds a project whose source uses a connection through the control API, refusing what CreateProject refuses', async () => {
    await control(sandbox, 'POST', '/codebuild/projects', { name: 'seeded-ghe', serviceRole: 'codebuild-app', source: connected('x').source });
    const { projects } = await codeBuild.send(new BatchGetProjectsCommand({ names: ['seeded-ghe'] }));
    expect(projects![0]).toMatchObject({ source: { auth: { type: 'CODECONNECTIONS', resource: CONNECTION } }, artifacts: { type: 'NO_ARTIFACTS' } });
    await expect(control(sandbox, 'POST', '/codebuild/projects', { name: 'seeded-bad', serviceRole: 'r', source: { type: 'GITHUB', auth: { type: 'PASSWORD' } } })).rejects.toThrow(
      /400.*InvalidInputException.*"path":"source"/,
    );
  });

  it('needs codebuild:ListProjects on * to list, as IAM has it', async () => {
    const lister = { accessKeyId: 'ASIALISTER0000000001', secretAccessKey: 'x', sessionToken: 'y' };
    const reader = { accessKeyId: 'ASIAREADER0000000001', secretAccessKey: 'x', sessionToken: 'y' };
    const projects = 'arn:aws:codebuild:us-east-1:111111111111:project/*';
    for (const [credentials, actions] of [
      [lister, ['codebuild:ListProjects']],
      [reader, ['codebuild:BatchGetProjects']],
    ] as const) {
      sandbox.authorizer.register({
        accessKeyId: credentials.accessKeyId,
        arn: `arn:aws:sts::111111111111:assumed-role/${credentials.accessKeyId}/session`,
        accountId: '111111111111',
        policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...actions], Resource: actions[0] === 'codebuild:ListProjects' ? '*' : projects }] }],
      });
    }
    await codeBuild.send(new CreateProjectCommand(connected('app-build')));
    const asLister = new CodeBuildClient({ ...clientConfig(sandbox), credentials: lister });
    const asReader = new CodeBuildClient({ ...clientConfig(sandbox), credentials: reader });
    try {
      expect((await asLister.send(new ListProjectsCommand({}))).projects).toEqual(['app-build']);
      await expect(asReader.send(new ListProjectsCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('codebuild:ListProjects') });
      expect((await asReader.send(new BatchGetProjectsCommand({ names: ['app-build'] }))).projects).toHaveLength(1);
    } finally {
      asLister.destroy();
      asReader.destroy();
    }
  });
});

async function availableConnection(): Promise<string> {
  const { HostArn } = await connections.send(new CreateHostCommand({ Name: 'ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }));
  await control(sandbox, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
  const { ConnectionArn } = await connections.send(new CreateConnectionCommand({ ConnectionName: 'ghe-app', HostArn }));
  await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
  return ConnectionArn!;
}

const useConnection = (connectionArn: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: connectionArn }] });

function pipeline(connectionArn: string, format: string): PipelineDeclaration {
  return {
    name: 'app',
    roleArn: ROLE_ARN('pipeline-role'),
    artifactStore: { type: 'S3', location: 'artifacts' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            configuration: { ConnectionArn: connectionArn, FullRepositoryId: 'org/app', BranchName: 'main', OutputArtifactFormat: format },
            outputArtifacts: [{ name: 'Src' }],
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'app-build' },
            inputArtifacts: [{ name: 'Src' }],
          },
        ],
      },
    ],
  };
}

async function run(): Promise<{ status: string; failedAction?: string; message?: string }> {
  const { pipelineExecutionId } = await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
  const { pipelineExecution } = await pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'app', pipelineExecutionId }));
  const { stageStates } = await pipelines.send(new GetPipelineStateCommand({ name: 'app' }));
  const failed = stageStates!.flatMap((stage) => stage.actionStates ?? []).find((action) => action.latestExecution?.status === 'Failed');
  return { status: pipelineExecution!.status!, failedAction: failed?.actionName, message: failed?.latestExecution?.errorDetails?.message };
}

describe('pipeline runs that depend on CodeBuild and IAM', () => {
  it('fails a CODEBUILD_CLONE_REF build whose project role may not use the connection, and only then', async () => {
    const connectionArn = await availableConnection();
    await control(sandbox, 'POST', '/roles', { roleName: 'pipeline-role', inlinePolicies: { use: JSON.parse(useConnection(connectionArn)) } });
    await control(sandbox, 'POST', '/roles', { roleName: 'build-role' });
    await control(sandbox, 'POST', '/codebuild/projects', { name: 'app-build', serviceRole: 'build-role' });
    await control(sandbox, 'POST', '/pipelines', { declaration: pipeline(connectionArn, 'CODEBUILD_CLONE_REF') });

    expect(await run()).toEqual({
      status: 'Failed',
      failedAction: 'Build',
      message: expect.stringContaining(`is not authorized to perform codestar-connections:UseConnection on ${connectionArn}`),
    });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'build-role', PolicyName: 'use', PolicyDocument: useConnection(connectionArn) }));
    expect((await run()).status).toBe('Succeeded');
  });

  it('does not need the project role for CODE_ZIP, and fails a clone whose project does not exist', async () => {
    const connectionArn = await availableConnection();
    await control(sandbox, 'POST', '/roles', { roleName: 'pipeline-role', inlinePolicies: { use: JSON.parse(useConnection(connectionArn)) } });
    await control(sandbox, 'POST', '/pipelines', { declaration: pipeline(connectionArn, 'CODE_ZIP') });
    expect((await run()).status).toBe('Succeeded');
    await control(sandbox, 'POST', '/pipelines/app/external-edit', { declaration: pipeline(connectionArn, 'CODEBUILD_CLONE_REF') });
    expect(await run()).toMatchObject({ status: 'Failed', failedAction: 'Build', message: expect.stringContaining('Project cannot be found') });
  });

  it('lets a policy put through IAM count for runs only after iamPropagationSeconds of sandbox time', async () => {
    const connectionArn = await availableConnection();
    await control(sandbox, 'POST', '/roles', { roleName: 'pipeline-role' });
    await control(sandbox, 'POST', '/pipelines', { declaration: pipeline(connectionArn, 'CODE_ZIP') });
    await control(sandbox, 'PUT', '/config', { iamPropagationSeconds: 30 });
    await iam.send(new PutRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'use', PolicyDocument: useConnection(connectionArn) }));
    expect(await run()).toMatchObject({ status: 'Failed', failedAction: 'Source', message: expect.stringContaining('UseConnection') });
    await control(sandbox, 'POST', '/clock/advance', { seconds: 31 });
    expect((await run()).status).toBe('Succeeded');
  });
});
