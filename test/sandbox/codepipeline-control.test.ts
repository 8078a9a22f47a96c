import {
  CodePipelineClient,
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  StartPipelineExecutionCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import {clientConfig, control, useTestSandbox } from '../helpers/sandbox.ts';

/** The control routes that seed pipelines and play a second editor. */

let sandbox: Sandbox;
let client: CodePipelineClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodePipelineClient(clientConfig(started));
  return client;
});

const ACCOUNT = '111111111111';
const CONNECTION_ARN = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`;

interface ControlFailure {
  status: number;
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

async function controlFailure(method: 'POST' | 'PUT', path: string, body: unknown): Promise<ControlFailure> {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.ok).toBe(false);
  return { status: response.status, ...((await response.json()) as Omit<ControlFailure, 'status'>) };
}

describe('POST /_sandbox/pipelines', () => {
  it('seeds a two-stage pipeline from the short form, without starting a run', async () => {
    const seeded = await control<{ pipeline: PipelineDeclaration; metadata: { pipelineArn: string } }>(sandbox, 'POST', '/pipelines', {
      name: 'web',
      connectionArn: CONNECTION_ARN,
      fullRepositoryId: 'platform/web',
      branchName: 'release',
      sourceActionName: 'Checkout',
    });
    expect(seeded.metadata.pipelineArn).toBe(`arn:aws:codepipeline:us-east-1:${ACCOUNT}:web`);

    const { pipeline } = await client.send(new GetPipelineCommand({ name: 'web' }));
    expect(pipeline).toMatchObject({ name: 'web', version: 1, pipelineType: 'V2', executionMode: 'SUPERSEDED' });
    expect(pipeline!.stages!.map(({ name }) => name)).toEqual(['Source', 'Build']);
    expect(pipeline!.stages![0]!.actions![0]).toMatchObject({
      name: 'Checkout',
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      configuration: { ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'platform/web', BranchName: 'release', OutputArtifactFormat: 'CODE_ZIP' },
    });
    expect(pipeline!.stages![1]!.actions![0]!.actionTypeId!.provider).toBe('CodeBuild');
    expect((await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'web' }))).pipelineExecutionSummaries).toEqual([]);
  });

  it('seeds a pipeline waiting for a connection (a GitHub version 1 source) from just a name', async () => {
    await control(sandbox, 'POST', '/pipelines', { name: 'legacy' });
    const { pipeline } = await client.send(new GetPipelineCommand({ name: 'legacy' }));
    expect(pipeline!.stages![0]!.actions![0]).toMatchObject({
      name: 'Source',
      actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
      configuration: { Owner: 'example-org', Repo: 'example-repo', Branch: 'main' },
    });
  });

  it.each([
    ['GitHub', 'ThirdParty', { Owner: 'org', Repo: 'app', Branch: 'main', OAuthToken: '****' }],
    ['S3', 'AWS', { S3Bucket: 'org-app', S3ObjectKey: 'main/source.zip' }],
    ['CodeCommit', 'AWS', { RepositoryName: 'app', BranchName: 'main' }],
  ])('seeds a %s source that runs successfully', async (provider, owner, configuration) => {
    await control(sandbox, 'POST', '/pipelines', { name: 'app', provider, fullRepositoryId: 'org/app', pipelineType: 'V1' });
    const { pipeline } = await client.send(new GetPipelineCommand({ name: 'app' }));
    expect(pipeline!.pipelineType).toBe('V1');
    expect(pipeline!.stages![0]!.actions![0]).toMatchObject({ actionTypeId: { owner, provider }, configuration });
    await client.send(new StartPipelineExecutionCommand({ name: 'app' }));
    const state = await client.send(new GetPipelineStateCommand({ name: 'app' }));
    expect(state.stageStates!.map(({ latestExecution }) => latestExecution!.status)).toEqual(['Succeeded', 'Succeeded']);
  });

  it('seeds a full declaration with tags in the account and Region it names', async () => {
    const declaration: PipelineDeclaration = {
      name: 'elsewhere',
      roleArn: 'arn:aws:iam::222222222222:role/pipeline',
      artifactStore: { type: 'S3', location: 'bucket-eu' },
      stages: [
        { name: 'Source', actions: [{ name: 'S', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { S3Bucket: 'b', S3ObjectKey: 'k' }, outputArtifacts: [{ name: 'Out' }] }] },
        { name: 'Approve', actions: [{ name: 'Approve', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' } }] },
      ],
    };
    await control(sandbox, 'POST', '/pipelines?account=222222222222&region=eu-west-1', { declaration, tags: [{ key: 'owner', value: 'team-a' }] });

    const other = new CodePipelineClient({ ...clientConfig(sandbox, 'eu-west-1'), credentials: { accessKeyId: '222222222222', secretAccessKey: 'x' } });
    try {
      const { pipelines } = await other.send(new ListPipelinesCommand({}));
      expect(pipelines!.map(({ name }) => name)).toEqual(['elsewhere']);
    } finally {
      other.destroy();
    }
    expect((await client.send(new ListPipelinesCommand({}))).pipelines).toEqual([]);
    const inventory = await control<{ codepipeline: Record<string, { pipelines: { name: string; version: number }[] }> }>(sandbox, 'GET', '/state');
    expect(inventory.codepipeline['222222222222/eu-west-1']!.pipelines).toMatchObject([{ name: 'elsewhere', version: 1, executions: 0 }]);
  });

  it('seeds a GitLab project in a subgroup as its FullRepositoryId', async () => {
    await control(sandbox, 'POST', '/pipelines', { name: 'nested', connectionArn: CONNECTION_ARN, fullRepositoryId: 'platform/backend/web' });
    const { pipeline } = await client.send(new GetPipelineCommand({ name: 'nested' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration).toMatchObject({ FullRepositoryId: 'platform/backend/web' });
  });

  it.each([
    [{ name: 'web', provider: 'CodeStarSourceConnection' }, 400, 'InvalidParameter', 'connectionArn', /connectionArn is required for a CodeStarSourceConnection source/],
    [{ name: 'web', connectionArn: 'arn:aws:s3:::bucket' }, 400, 'InvalidParameter', 'connectionArn', /must be a codestar-connections or codeconnections connection ARN/],
    [{ name: 'web', provider: 'Bitbucket' }, 400, 'InvalidParameter', 'provider', /provider must be one of CodeStarSourceConnection, GitHub, S3, CodeCommit/],
    [{ name: 'web', provider: 'S3', pipelineType: 'V3' }, 400, 'InvalidParameter', 'pipelineType', /pipelineType must be V1 or V2/],
    [{ name: 'web', provider: 'S3', fullRepositoryId: 'no-slash' }, 400, 'InvalidParameter', 'fullRepositoryId', /owner\/repository/],
    [{ provider: 'S3' }, 400, 'InvalidParameter', 'name', /name is required/],
    [
      { name: 'my pipe', provider: 'S3' },
      400,
      'ValidationException',
      'name',
      /^1 validation error detected: Value 'my pipe' at 'pipeline\.name' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    ],
    [{ name: 'web', provider: 'S3', sourceActionName: 'bad name' }, 400, 'ValidationException', 'sourceActionName', /at 'pipeline\.stages\.1\.member\.actions\.1\.member\.name'/],
    [{ name: 'web', provider: 'S3', tags: 'owner=me' }, 400, 'InvalidParameter', 'tags', /tags must be a list of \{key, value\} strings/],
    [{ declaration: 'nope' }, 400, 'InvalidParameter', 'declaration', /declaration must be a PipelineDeclaration object/],
  ])('rejects %j with %i %s naming %s', async (body, status, code, field, message) => {
    const { status: actualStatus, error } = await controlFailure('POST', '/pipelines', body);
    expect(actualStatus).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.details).toEqual([{ path: field, message: error.message }]);
  });

  it('applies the structural rules to a seeded declaration and refuses a taken name', async () => {
    const lonely: PipelineDeclaration = {
      name: 'lonely',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
      artifactStore: { type: 'S3', location: 'bucket' },
      stages: [{ name: 'Source', actions: [{ name: 'S', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, outputArtifacts: [{ name: 'Out' }] }] }],
    };
    const structure = await controlFailure('POST', '/pipelines', { declaration: lonely });
    expect(structure.status).toBe(400);
    expect(structure.error.code).toBe('InvalidStructureException');
    expect(structure.error.details[0]!.path).toBe('declaration');

    await control(sandbox, 'POST', '/pipelines', { name: 'taken', provider: 'S3' });
    const taken = await controlFailure('POST', '/pipelines', { name: 'taken', provider: 'S3' });
    expect(taken.status).toBe(409);
    expect(taken.error.code).toBe('PipelineNameInUse');
  });
});

describe('POST /_sandbox/pipelines/:name/external-edit', () => {
  it('bumps the version with a harmless build change that GetPipeline shows, keeping the old version readable', async () => {
    await control(sandbox, 'POST', '/pipelines', { name: 'web', provider: 'S3' });
    const before = await client.send(new GetPipelineCommand({ name: 'web' }));
    await control(sandbox, 'POST', '/clock/advance', { seconds: 60 });

    const edit = await control<{ previousVersion: number; version: number; change: string }>(sandbox, 'POST', '/pipelines/web/external-edit', {});
    expect(edit).toMatchObject({ previousVersion: 1, version: 2 });
    expect(edit.change).toMatch(/SANDBOX_EXTERNAL_EDIT=2/);

    const after = await client.send(new GetPipelineCommand({ name: 'web' }));
    expect(after.pipeline!.version).toBe(2);
    expect(JSON.parse(after.pipeline!.stages![1]!.actions![0]!.configuration!.EnvironmentVariables!)).toEqual([
      { name: 'SANDBOX_EXTERNAL_EDIT', value: '2', type: 'PLAINTEXT' },
    ]);
    expect(after.metadata!.updated!.getTime()).toBeGreaterThan(before.metadata!.updated!.getTime());
    expect((await client.send(new GetPipelineCommand({ name: 'web', version: 1 }))).pipeline).toEqual(before.pipeline);

    await control(sandbox, 'POST', '/pipelines/web/external-edit', {});
    const third = await client.send(new GetPipelineCommand({ name: 'web' }));
    expect(JSON.parse(third.pipeline!.stages![1]!.actions![0]!.configuration!.EnvironmentVariables!)).toEqual([
      { name: 'SANDBOX_EXTERNAL_EDIT', value: '3', type: 'PLAINTEXT' },
    ]);
  });

  it('replaces the structure when given a declaration, with the same rules as UpdatePipeline', async () => {
    await control(sandbox, 'POST', '/pipelines', { name: 'web', provider: 'S3' });
    const { pipeline } = await client.send(new GetPipelineCommand({ name: 'web' }));
    const renamed = { ...pipeline!, stages: [pipeline!.stages![0]!, { ...pipeline!.stages![1]!, name: 'Compile' }] };
    await control(sandbox, 'POST', '/pipelines/web/external-edit', { declaration: renamed });
    const after = await client.send(new GetPipelineCommand({ name: 'web' }));
    expect(after.pipeline!.stages!.map(({ name }) => name)).toEqual(['Source', 'Compile']);
    expect(after.pipeline!.version).toBe(2);

    const otherName = await controlFailure('POST', '/pipelines/web/external-edit', { declaration: { ...renamed, name: 'other' } });
    expect(otherName.error.details[0]!.path).toBe('declaration.name');
    const broken = await controlFailure('POST', '/pipelines/web/external-edit', { declaration: { ...renamed, stages: [renamed.stages[0]] } });
    expect(broken.error.code).toBe('InvalidStructureException');
    expect((await client.send(new GetPipelineCommand({ name: 'web' }))).pipeline!.version).toBe(2);
  });

  it('answers 404 for an unknown pipeline and 400 when nothing harmless can be edited', async () => {
    const missing = await controlFailure('POST', '/pipelines/ghost/external-edit', {});
    expect(missing.status).toBe(404);
    expect(missing.error.code).toBe('PipelineNotFound');

    const approvalOnly: PipelineDeclaration = {
      name: 'approval',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
      artifactStore: { type: 'S3', location: 'bucket' },
      stages: [
        { name: 'Source', actions: [{ name: 'S', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, outputArtifacts: [{ name: 'Out' }] }] },
        { name: 'Approve', actions: [{ name: 'Approve', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' } }] },
      ],
    };
    await control(sandbox, 'POST', '/pipelines', { declaration: approvalOnly });
    const nothing = await controlFailure('POST', '/pipelines/approval/external-edit', {});
    expect(nothing.status).toBe(400);
    expect(nothing.error.code).toBe('NoHarmlessEdit');
  });
});
