import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  DeletePipelineCommand,
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListPipelinesCommand,
  paginateListPipelines,
  UpdatePipelineCommand,
  type ActionDeclaration,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import {clientConfig, control, rawJsonCall, startTestSandbox, useTestSandbox } from '../helpers/sandbox.ts';

let sandbox: Sandbox;
let client: CodePipelineClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodePipelineClient(clientConfig(started));
  return client;
});

const ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/pipeline-role`;
const CONNECTION_ARN = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/0b6f6ab2-1c4e-4b7a-9d38-6e8b1c7f2a10`;

const s3Source = (name = 'Source'): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
  configuration: { S3Bucket: 'artifacts-bucket', S3ObjectKey: 'source.zip' },
  outputArtifacts: [{ name: 'SourceArtifact' }],
});

const connectionSource = (configuration: Record<string, string> = {}, name = 'Source'): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
  configuration: { ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'org/repo', BranchName: 'main', ...configuration },
  outputArtifacts: [{ name: 'SourceArtifact' }],
});

const codeBuild = (name = 'Build', input = 'SourceArtifact'): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
  configuration: { ProjectName: 'project' },
  inputArtifacts: [{ name: input }],
});

/** A valid two-stage pipeline; `changes` replaces whole members. */
function pipeline(name: string, changes: Partial<PipelineDeclaration> = {}): PipelineDeclaration {
  return {
    name,
    roleArn: ROLE_ARN,
    artifactStore: { type: 'S3', location: 'artifact-bucket' },
    stages: [
      { name: 'Source', actions: [s3Source()] },
      { name: 'Build', actions: [codeBuild()] },
    ],
    ...changes,
  };
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('CreatePipeline and GetPipeline', () => {
  it('stores the declaration with AWS defaults and returns metadata with the pipeline ARN', async () => {
    const created = await client.send(new CreatePipelineCommand({ pipeline: pipeline('app'), tags: [{ key: 'team', value: 'platform' }] }));
    expect(created.tags).toEqual([{ key: 'team', value: 'platform' }]);
    expect(created.pipeline).toMatchObject({ name: 'app', version: 1, executionMode: 'SUPERSEDED', pipelineType: 'V1' });
    expect(created.pipeline!.stages![0]!.actions![0]).toMatchObject({ runOrder: 1, inputArtifacts: [] });

    const fetched = await client.send(new GetPipelineCommand({ name: 'app' }));
    expect(fetched.pipeline).toEqual(created.pipeline);
    expect(fetched.metadata!.pipelineArn).toBe(`arn:aws:codepipeline:us-east-1:${ACCOUNT}:app`);
    expect(fetched.metadata!.created).toBeInstanceOf(Date);
    expect(fetched.metadata!.updated!.getTime()).toBe(fetched.metadata!.created!.getTime());
  });

  it('refuses a second pipeline with the same name', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app') }));
    const error = await failure(client.send(new CreatePipelineCommand({ pipeline: pipeline('app') })));
    expect(error.name).toBe('PipelineNameInUseException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('answers PipelineNotFoundException in AWS words for an unknown pipeline', async () => {
    const error = await failure(client.send(new GetPipelineCommand({ name: 'missing' })));
    expect(error.name).toBe('PipelineNotFoundException');
    expect(error.message).toBe(`Account '${ACCOUNT}' does not have a pipeline with name 'missing'`);
  });

  it('rejects reserved and repeated tag keys', async () => {
    const reserved = await failure(client.send(new CreatePipelineCommand({ pipeline: pipeline('app'), tags: [{ key: 'aws:owner', value: 'x' }] })));
    expect(reserved.name).toBe('InvalidTagsException');
    const repeated = await failure(
      client.send(new CreatePipelineCommand({ pipeline: pipeline('app'), tags: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] })),
    );
    expect(repeated.name).toBe('InvalidTagsException');
    const tooMany = Array.from({ length: 51 }, (_, index) => ({ key: `k${index}`, value: 'v' }));
    expect((await failure(client.send(new CreatePipelineCommand({ pipeline: pipeline('app'), tags: tooMany })))).name).toBe('TooManyTagsException');
  });

  it('masks the GitHub OAuth token when the pipeline is read back', async () => {
    const github: ActionDeclaration = {
      name: 'Source',
      actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
      configuration: { Owner: 'org', Repo: 'repo', Branch: 'main', OAuthToken: 'ghp_secret' },
      outputArtifacts: [{ name: 'SourceArtifact' }],
    };
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('gh', { stages: [{ name: 'Source', actions: [github] }, { name: 'Build', actions: [codeBuild()] }] }) }));
    const { pipeline: read } = await client.send(new GetPipelineCommand({ name: 'gh' }));
    expect(read!.stages![0]!.actions![0]!.configuration).toMatchObject({ OAuthToken: '****', Owner: 'org' });
  });

  it('enforces the pipeline quota with LimitExceededException', async () => {
    const small = await startTestSandbox({ config: { pipelineQuota: 2 } });
    const smallClient = new CodePipelineClient(clientConfig(small));
    try {
      await smallClient.send(new CreatePipelineCommand({ pipeline: pipeline('one') }));
      await smallClient.send(new CreatePipelineCommand({ pipeline: pipeline('two') }));
      const error = await failure(smallClient.send(new CreatePipelineCommand({ pipeline: pipeline('three') })));
      expect(error.name).toBe('LimitExceededException');
      // Deleting one frees a slot.
      await smallClient.send(new DeletePipelineCommand({ name: 'one' }));
      await smallClient.send(new CreatePipelineCommand({ pipeline: pipeline('three') }));
    } finally {
      smallClient.destroy();
      await small.close();
    }
  });
});

describe('persistence', () => {
  it('keeps pipelines, their versions and runs across a sandbox restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'codepipeline-state-'));
    const statePath = join(directory, 'state.json');
    try {
      const first = await startTestSandbox({ statePath });
      const firstClient = new CodePipelineClient(clientConfig(first));
      await firstClient.send(new CreatePipelineCommand({ pipeline: pipeline('kept') }));
      await firstClient.send(new UpdatePipelineCommand({ pipeline: pipeline('kept') }));
      const before = await firstClient.send(new GetPipelineStateCommand({ name: 'kept' }));
      firstClient.destroy();
      await first.close();

      const second = await startTestSandbox({ statePath });
      const secondClient = new CodePipelineClient(clientConfig(second));
      try {
        const { pipeline: kept, metadata } = await secondClient.send(new GetPipelineCommand({ name: 'kept' }));
        expect(kept!.version).toBe(2);
        expect(metadata!.created).toBeInstanceOf(Date);
        expect((await secondClient.send(new GetPipelineCommand({ name: 'kept', version: 1 }))).pipeline!.version).toBe(1);
        const after = await secondClient.send(new GetPipelineStateCommand({ name: 'kept' }));
        expect(after.stageStates).toEqual(before.stageStates);
      } finally {
        secondClient.destroy();
        await second.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('UpdatePipeline and version history', () => {
  it('replaces the whole declaration, bumps the version and the updated time', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app') }));
    await control(sandbox, 'POST', '/clock/advance', { seconds: 3600 });
    const next = pipeline('app', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Test', actions: [codeBuild('UnitTests')] }] });
    const updated = await client.send(new UpdatePipelineCommand({ pipeline: { ...next, version: 1 } }));
    expect(updated.pipeline!.version).toBe(2);
    expect(updated.pipeline!.stages!.map((stage) => stage.name)).toEqual(['Source', 'Test']);

    const { pipeline: current, metadata } = await client.send(new GetPipelineCommand({ name: 'app' }));
    expect(current!.version).toBe(2);
    expect(metadata!.updated!.getTime() - metadata!.created!.getTime()).toBeGreaterThanOrEqual(3_600_000);
    const { pipeline: first } = await client.send(new GetPipelineCommand({ name: 'app', version: 1 }));
    expect(first!.stages!.map((stage) => stage.name)).toEqual(['Source', 'Build']);
  });

  it('answers PipelineNotFoundException when updating a pipeline that does not exist', async () => {
    expect((await failure(client.send(new UpdatePipelineCommand({ pipeline: pipeline('ghost') })))).name).toBe('PipelineNotFoundException');
  });

  it('keeps the last 10 versions; older ones answer PipelineNotFoundException as AWS does, future ones PipelineVersionNotFoundException', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app') }));
    for (let index = 1; index <= 12; index += 1) {
      const stages = [{ name: 'Source', actions: [s3Source()] }, { name: `Build${index}`, actions: [codeBuild()] }];
      await client.send(new UpdatePipelineCommand({ pipeline: pipeline('app', { stages }) }));
    }
    // Version 13 is current; 4..13 are kept.
    const { pipeline: oldestKept } = await client.send(new GetPipelineCommand({ name: 'app', version: 4 }));
    expect(oldestKept!.stages![1]!.name).toBe('Build3');
    expect((await failure(client.send(new GetPipelineCommand({ name: 'app', version: 3 })))).name).toBe('PipelineNotFoundException');
    const future = await failure(client.send(new GetPipelineCommand({ name: 'app', version: 14 })));
    expect(future.name).toBe('PipelineVersionNotFoundException');
  });
});

describe('ListPipelines and DeletePipeline', () => {
  it('pages through more than 100 pipelines in name order with the SDK paginator', async () => {
    const names = Array.from({ length: 105 }, (_, index) => `pipe-${String(index).padStart(3, '0')}`);
    for (let start = 0; start < names.length; start += 15) {
      await Promise.all(names.slice(start, start + 15).map((name) => client.send(new CreatePipelineCommand({ pipeline: pipeline(name) }))));
    }
    const firstPage = await client.send(new ListPipelinesCommand({}));
    expect(firstPage.pipelines).toHaveLength(100);
    expect(firstPage.nextToken).toBeTruthy();

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListPipelines({ client, pageSize: 40 }, {})) {
      pages += 1;
      seen.push(...page.pipelines!.map(({ name }) => name!));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());

    const [summary] = (await client.send(new ListPipelinesCommand({ maxResults: 1 }))).pipelines!;
    expect(summary).toMatchObject({ name: 'pipe-000', version: 1, pipelineType: 'V1', executionMode: 'SUPERSEDED' });
    expect(summary!.created).toBeInstanceOf(Date);
  }, 60_000);

  it('rejects a token it did not issue and an out-of-range page size', async () => {
    const badToken = await failure(client.send(new ListPipelinesCommand({ nextToken: 'not-a-token' })));
    expect(badToken.name).toBe('InvalidNextTokenException');
    const tooBig = await failure(client.send(new ListPipelinesCommand({ maxResults: 1001 })));
    expect(tooBig.name).toBe('ValidationException');
    expect(tooBig.message).toBe(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
  });

  it('deletes idempotently', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app') }));
    await client.send(new DeletePipelineCommand({ name: 'app' }));
    await client.send(new DeletePipelineCommand({ name: 'app' }));
    expect((await failure(client.send(new GetPipelineCommand({ name: 'app' })))).name).toBe('PipelineNotFoundException');
    expect((await client.send(new ListPipelinesCommand({}))).pipelines).toEqual([]);
  });
});

describe('model validation (Coral messages)', () => {
  it('reports a pipeline name outside the pattern', async () => {
    const error = await failure(client.send(new CreatePipelineCommand({ pipeline: pipeline('my pipe') })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value 'my pipe' at 'pipeline.name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Za-z0-9.@\\-_]+$",
    );
  });

  it('reports every violation with 1-based member paths', async () => {
    const bad = pipeline('app', {
      roleArn: 'not-an-arn',
      stages: [
        { name: 'Source', actions: [s3Source()] },
        { name: 'Build', actions: [{ ...codeBuild(), name: 'bad name', runOrder: 1000 }] },
      ],
    });
    const error = await failure(client.send(new UpdatePipelineCommand({ pipeline: bad })));
    expect(error.message).toBe(
      '3 validation errors detected: ' +
        "Value 'not-an-arn' at 'pipeline.roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws(-[\\w]+)*:iam::[0-9]{12}:role/; " +
        "Value 'bad name' at 'pipeline.stages.2.member.actions.1.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[A-Za-z0-9.@\\-_]+$; " +
        "Value '1000' at 'pipeline.stages.2.member.actions.1.member.runOrder' failed to satisfy constraint: Member must have value less than or equal to 999",
    );
  });

  it('accepts configuration values up to 50000 characters, as AWS does, and names that limit beyond it', async () => {
    const long = (length: number) => pipeline('app', {
      stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Build', actions: [{ ...codeBuild(), configuration: { ProjectName: 'p', EnvironmentVariables: 'x'.repeat(length) } }] }],
    });
    await client.send(new CreatePipelineCommand({ pipeline: long(2000) }));
    const error = await failure(client.send(new UpdatePipelineCommand({ pipeline: long(50_001) })));
    expect(error.message).toBe(
      "1 validation error detected: Value at 'pipeline.stages.2.member.actions.1.member.configuration' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]",
    );
  });
});

describe('structural rules', () => {
  const buildStage = { name: 'Build', actions: [codeBuild()] };
  const cases: [string, PipelineDeclaration, string, RegExp][] = [
    ['a single stage', pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }] }), 'InvalidStructureException', /at least 2 stages/],
    [
      'a first stage with a build action',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source(), codeBuild()] }, buildStage] }),
      'InvalidStructureException',
      /^Pipeline should start with a stage that only contains source actions/,
    ],
    [
      'a source action in a later stage',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Build', actions: [codeBuild(), s3Source('Late')] }] }),
      'InvalidStructureException',
      /Source actions can only be in the first stage; stage 'Build' contains source action 'Late'/,
    ],
    [
      'two stages with one name',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, buildStage, { name: 'Build', actions: [codeBuild('Other')] }] }),
      'InvalidStageDeclarationException',
      /'Build' is used more than once/,
    ],
    [
      'a stage without actions',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Empty', actions: [] }] }),
      'InvalidStageDeclarationException',
      /Stage 'Empty' must contain at least one action/,
    ],
    [
      'two actions with one name in a stage',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Build', actions: [codeBuild(), codeBuild()] }] }),
      'InvalidStageDeclarationException',
      /'Build' is used more than once in stage 'Build'/,
    ],
    [
      'an input artifact nobody produced',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Build', actions: [codeBuild('Build', 'Nothing')] }] }),
      'InvalidActionDeclarationException',
      /Input artifact 'Nothing' of action 'Build' in stage 'Build' is not the output artifact of an earlier action/,
    ],
    [
      'an input produced by a parallel action of the same stage',
      pipeline('p', {
        stages: [
          { name: 'Source', actions: [s3Source()] },
          { name: 'Build', actions: [{ ...codeBuild('A'), outputArtifacts: [{ name: 'A' }] }, codeBuild('B', 'A')] },
        ],
      }),
      'InvalidActionDeclarationException',
      /Input artifact 'A' of action 'B'/,
    ],
    [
      'an output artifact name used twice',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source(), { ...s3Source('Second') }] }, buildStage] }),
      'InvalidActionDeclarationException',
      /'SourceArtifact' \(action 'Second' in stage 'Source'\) is declared more than once/,
    ],
    [
      'a source action with an input artifact',
      pipeline('p', { stages: [{ name: 'Source', actions: [{ ...s3Source(), inputArtifacts: [{ name: 'X' }] }] }, buildStage] }),
      'InvalidActionDeclarationException',
      /declares 1 input artifacts; AWS\/S3 Source actions take exactly 0/,
    ],
    [
      'a build without input',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Build', actions: [{ ...codeBuild(), inputArtifacts: [] }] }] }),
      'InvalidActionDeclarationException',
      /declares 0 input artifacts; AWS\/CodeBuild Build actions take 1 to 5/,
    ],
    [
      'both artifactStore and artifactStores',
      pipeline('p', { artifactStores: { 'us-east-1': { type: 'S3', location: 'bucket' } } }),
      'InvalidStructureException',
      /either artifactStore or artifactStores, but not both/,
    ],
    [
      'artifactStores without the pipeline Region',
      pipeline('p', { artifactStore: undefined, artifactStores: { 'eu-west-1': { type: 'S3', location: 'bucket' } } }),
      'InvalidStructureException',
      /must include an artifact store for the pipeline's Region 'us-east-1'/,
    ],
    [
      'a cross-Region action without a store there',
      pipeline('p', { stages: [{ name: 'Source', actions: [s3Source()] }, { name: 'Build', actions: [{ ...codeBuild(), region: 'eu-west-1' }] }] }),
      'InvalidStructureException',
      /runs in Region 'eu-west-1', so artifactStores must include/,
    ],
    [
      'a repeated namespace',
      pipeline('p', {
        stages: [
          { name: 'Source', actions: [{ ...s3Source(), namespace: 'Vars' }] },
          { name: 'Build', actions: [{ ...codeBuild(), namespace: 'Vars' }] },
        ],
      }),
      'InvalidActionDeclarationException',
      /^Namespaces must be unique across the pipeline definition\. The following occur more than once in the pipeline\. StageName=\[Source\], ActionName=\[Source\], Namespace=\[Vars\]/,
    ],
  ];

  it.each(cases)('rejects %s', async (_, declaration, code, message) => {
    const error = await failure(client.send(new CreatePipelineCommand({ pipeline: declaration })));
    expect(error.name).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('applies the same rules to UpdatePipeline and leaves the pipeline unchanged', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app') }));
    const error = await failure(client.send(new UpdatePipelineCommand({ pipeline: pipeline('app', { stages: [{ name: 'Source', actions: [s3Source()] }] }) })));
    expect(error.name).toBe('InvalidStructureException');
    expect((await client.send(new GetPipelineCommand({ name: 'app' }))).pipeline!.version).toBe(1);
  });
});

describe('action types', () => {
  const unknownSource: ActionDeclaration = {
    ...s3Source('Src'),
    actionTypeId: { category: 'Source', owner: 'AWS', provider: 'NoSuchProvider', version: '1' },
  };
  const withSources = (name: string, source: ActionDeclaration) =>
    pipeline(name, { stages: [{ name: 'Source', actions: [source] }, { name: 'Build', actions: [codeBuild('Build', source.outputArtifacts![0]!.name)] }] });

  it('refuses an action type that does not exist, on create and on update, in AWS words', async () => {
    const expected = "ActionType (Category: 'Source', Provider: 'NoSuchProvider', Owner: 'AWS', Version: '1') in action 'Src' is not available in region 'us-east-1'";
    const created = await failure(client.send(new CreatePipelineCommand({ pipeline: withSources('types', unknownSource) })));
    expect(created.name).toBe('InvalidActionDeclarationException');
    expect(created.$metadata?.httpStatusCode).toBe(400);
    expect(created.message).toBe(expected);
    expect((await client.send(new ListPipelinesCommand({}))).pipelines ?? []).toEqual([]);

    await client.send(new CreatePipelineCommand({ pipeline: pipeline('types') }));
    const updated = await failure(client.send(new UpdatePipelineCommand({ pipeline: withSources('types', unknownSource) })));
    expect(updated.name).toBe('InvalidActionDeclarationException');
    expect(updated.$metadata?.httpStatusCode).toBe(400);
    expect(updated.message).toBe(expected);
    expect((await client.send(new GetPipelineCommand({ name: 'types' }))).pipeline!.version).toBe(1);
  });

  it.each([
    ['an unknown owner', { category: 'Source', owner: 'Custom', provider: 'S3', version: '1' }],
    ['an unknown version', { category: 'Source', owner: 'AWS', provider: 'S3', version: '2' }],
    ['a provider in a category it does not have', { category: 'Source', owner: 'AWS', provider: 'Manual', version: '1' }],
  ] as const)('refuses %s', async (_, actionTypeId) => {
    const error = await failure(client.send(new CreatePipelineCommand({ pipeline: withSources('types', { ...s3Source('Src'), actionTypeId }) })));
    expect(error.name).toBe('InvalidActionDeclarationException');
    expect(error.message).toMatch(/^ActionType \(Category: .*\) in action 'Src' is not available in region 'us-east-1'/);
  });

  it('accepts every action type the product and its tests use', async () => {
    const source = (name: string, owner: 'AWS' | 'ThirdParty', provider: string, output: string): ActionDeclaration => ({
      name,
      actionTypeId: { category: 'Source', owner, provider, version: '1' },
      outputArtifacts: [{ name: output }],
      configuration:
        provider === 'CodeStarSourceConnection'
          ? { ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'org/repo', BranchName: 'main' }
          : provider === 'GitHub'
            ? { Owner: 'org', Repo: 'repo', Branch: 'main', OAuthToken: 'token' }
            : provider === 'CodeCommit'
              ? { RepositoryName: 'repo', BranchName: 'main' }
              : { S3Bucket: 'b', S3ObjectKey: 'k' },
    });
    const declaration = pipeline('every-type', {
      stages: [
        {
          name: 'Source',
          actions: [
            source('S3', 'AWS', 'S3', 'A'),
            source('Conn', 'AWS', 'CodeStarSourceConnection', 'B'),
            source('GitHub', 'ThirdParty', 'GitHub', 'C'),
            source('CodeCommit', 'AWS', 'CodeCommit', 'D'),
          ],
        },
        {
          name: 'Build',
          actions: [
            codeBuild('Build', 'A'),
            { ...codeBuild('Test', 'B'), actionTypeId: { category: 'Test', owner: 'AWS', provider: 'CodeBuild', version: '1' } },
          ],
        },
        { name: 'Approve', actions: [{ name: 'Manual', actionTypeId: { category: 'Approval', owner: 'AWS', provider: 'Manual', version: '1' } }] },
        {
          name: 'Deploy',
          actions: [
            { name: 'Ship', actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { BucketName: 'b', Extract: 'true' }, inputArtifacts: [{ name: 'C' }] },
            { name: 'Notify', actionTypeId: { category: 'Invoke', owner: 'AWS', provider: 'Lambda', version: '1' }, configuration: { FunctionName: 'f' }, inputArtifacts: [{ name: 'D' }] },
          ],
        },
      ],
    });
    const created = await client.send(new CreatePipelineCommand({ pipeline: declaration }));
    expect(created.pipeline!.stages).toHaveLength(4);
  });
});

describe('CodeStarSourceConnection action', () => {
  const withSource = (source: ActionDeclaration) => pipeline('conn', { stages: [{ name: 'Source', actions: [source] }, { name: 'Build', actions: [codeBuild()] }] });

  it('accepts both ARN prefixes and the optional keys', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: withSource(connectionSource({ OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: 'false' })) }));
    const codeconnections = CONNECTION_ARN.replace('codestar-connections', 'codeconnections');
    const updated = await client.send(new UpdatePipelineCommand({ pipeline: withSource(connectionSource({ ConnectionArn: codeconnections })) }));
    expect(updated.pipeline!.stages![0]!.actions![0]!.configuration!.ConnectionArn).toBe(codeconnections);
  });

  const invalid: [string, ActionDeclaration, RegExp][] = [
    ['a missing BranchName', { ...connectionSource(), configuration: { ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'org/repo' } }, /missing required configuration key 'BranchName'/],
    ['an unknown key', connectionSource({ RepositoryName: 'repo' }), /unknown configuration key\(s\) 'RepositoryName'/],
    ['an unknown OutputArtifactFormat', connectionSource({ OutputArtifactFormat: 'TARBALL' }), /OutputArtifactFormat 'TARBALL'; it must be one of CODE_ZIP, CODEBUILD_CLONE_REF/],
    ['a DetectChanges that is not a boolean string', connectionSource({ DetectChanges: 'yes' }), /DetectChanges 'yes'; it must be 'true' or 'false'/],
    [
      'a host ARN in place of a connection ARN',
      connectionSource({ ConnectionArn: `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:host/ghes-1a2b3c4d` }),
      /is not a connection ARN/,
    ],
    ['a Build category', { ...connectionSource(), actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' } }, /exists only as Category 'Source'/],
    ['a second output artifact', { ...connectionSource(), outputArtifacts: [{ name: 'A' }, { name: 'B' }] }, /declares 2 output artifacts; AWS\/CodeStarSourceConnection Source actions produce exactly 1/],
  ];

  it.each(invalid)('rejects %s with InvalidActionDeclarationException', async (_, source, message) => {
    const error = await failure(client.send(new CreatePipelineCommand({ pipeline: withSource(source) })));
    expect(error.name).toBe('InvalidActionDeclarationException');
    expect(error.message).toMatch(message);
  });
});

describe('V2 triggers', () => {
  const twoSources = [connectionSource({}, 'App'), { ...s3Source('Assets'), outputArtifacts: [{ name: 'Assets' }] }];
  const v2 = (triggers: PipelineDeclaration['triggers'], changes: Partial<PipelineDeclaration> = {}) =>
    pipeline('trig', { stages: [{ name: 'Source', actions: twoSources }, { name: 'Build', actions: [codeBuild()] }], triggers, ...changes });
  const trigger = (sourceActionName: string, gitConfiguration: object = {}) => ({
    providerType: 'CodeStarSourceConnection' as const,
    gitConfiguration: { sourceActionName, ...gitConfiguration },
  });

  it('turns a V1 declaration with triggers or variables into a V2 pipeline', async () => {
    const push = { push: [{ branches: { includes: ['main', 'release/*'] }, filePaths: { excludes: ['docs/**'] } }] };
    const created = await client.send(new CreatePipelineCommand({ pipeline: v2([trigger('App', push)], { pipelineType: 'V1' }) }));
    expect(created.pipeline!.pipelineType).toBe('V2');
    expect(created.pipeline!.triggers).toEqual([trigger('App', push)]);

    const withVariables = pipeline('vars', { variables: [{ name: 'ENV', defaultValue: 'dev' }] });
    expect((await client.send(new CreatePipelineCommand({ pipeline: withVariables }))).pipeline!.pipelineType).toBe('V2');
    expect((await client.send(new CreatePipelineCommand({ pipeline: pipeline('plain') }))).pipeline!.pipelineType).toBe('V1');
  });

  const invalid: [string, PipelineDeclaration['triggers'], RegExp][] = [
    ['an action that does not exist', [trigger('Missing')], /names source action 'Missing', which is not a CodeStarSourceConnection source action.*Triggers for connection must reference a CodeStarSourceConnection action/],
    ['an S3 source action', [trigger('Assets')], /names source action 'Assets', which is not a CodeStarSourceConnection/],
    ['two triggers for one action', [trigger('App'), trigger('App')], /More than one trigger names source action 'App'/],
    ['a push filter with tags and branches', [trigger('App', { push: [{ tags: { includes: ['v*'] }, branches: { includes: ['main'] } }] })], /combines tags with branches/],
    ['a push filter with file paths only', [trigger('App', { push: [{ filePaths: { includes: ['src/**'] } }] })], /must specify tags or branches \(filePaths can only be used together with branches\)/],
    ['a pull-request filter without branches', [trigger('App', { pullRequest: [{ events: ['OPEN'] }] })], /pullRequest filter 1 must specify branches/],
    ['an empty branch criteria', [trigger('App', { push: [{ branches: {} }] })], /branches must have includes or excludes/],
  ];

  it.each(invalid)('rejects a trigger for %s with InvalidStructureException', async (_, triggers, message) => {
    const error = await failure(client.send(new CreatePipelineCommand({ pipeline: v2(triggers) })));
    expect(error.name).toBe('InvalidStructureException');
    expect(error.message).toMatch(message);
  });

  it('leaves the filter limits to the model: at most 3 push filters and 8 patterns per list', async () => {
    const branches = { branches: { includes: ['main'] } };
    const fourFilters = await failure(client.send(new CreatePipelineCommand({ pipeline: v2([trigger('App', { push: [branches, branches, branches, branches] })]) })));
    expect(fourFilters.name).toBe('ValidationException');
    expect(fourFilters.message).toMatch(
      /^1 validation error detected: Value '\[\{"branches":.*\}\]' at 'pipeline\.triggers\.1\.member\.gitConfiguration\.push' failed to satisfy constraint: Member must have length less than or equal to 3$/,
    );
    const nine = Array.from({ length: 9 }, (_, index) => `b${index}`);
    const ninePatterns = await failure(client.send(new CreatePipelineCommand({ pipeline: v2([trigger('App', { push: [{ branches: { includes: nine } }] })]) })));
    expect(ninePatterns.message).toContain(
      "at 'pipeline.triggers.1.member.gitConfiguration.push.1.member.branches.includes' failed to satisfy constraint: Member must have length less than or equal to 8",
    );
  });
});

describe('wire protocol and fault injection', () => {
  it('speaks awsJson1_1 with the bare __type and a lower-case message member', async () => {
    const { status, json, headers } = await rawJsonCall(sandbox, 'CodePipeline_20150709.GetPipeline', JSON.stringify({ name: 'nope' }), 'application/x-amz-json-1.1');
    expect(status).toBe(400);
    expect(json).toEqual({ __type: 'PipelineNotFoundException', message: `Account '${ACCOUNT}' does not have a pipeline with name 'nope'` });
    expect(headers.get('content-type')).toBe('application/x-amz-json-1.1');
  });

  it('answers UnknownOperationException for model operations the sandbox does not serve', async () => {
    const { json } = await rawJsonCall(sandbox, 'CodePipeline_20150709.PutWebhook', '{}', 'application/x-amz-json-1.1');
    expect(json.__type).toBe('UnknownOperationException');
  });

  it('throttles the chosen operation only', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app') }));
    await control(sandbox, 'PUT', '/faults', { service: 'codepipeline', operation: 'GetPipeline', throttleRate: 1 });
    try {
      const error = await failure(client.send(new GetPipelineCommand({ name: 'app' })));
      expect(error.name).toBe('ThrottlingException');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect((await client.send(new ListPipelinesCommand({}))).pipelines).toHaveLength(1);
    } finally {
      await control(sandbox, 'DELETE', '/faults');
    }
    expect((await client.send(new GetPipelineCommand({ name: 'app' }))).pipeline!.name).toBe('app');
  });

  it('answers InternalFailure with a 500 when server errors are injected', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'codepipeline', operation: 'ListPipelines', errorRate: 1 });
    try {
      const error = await failure(client.send(new ListPipelinesCommand({})));
      expect(error.name).toBe('InternalFailure');
      expect(error.$metadata?.httpStatusCode).toBe(500);
    } finally {
      await control(sandbox, 'DELETE', '/faults');
    }
  });
});
