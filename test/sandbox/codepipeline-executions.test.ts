import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  paginateListPipelineExecutions,
  RetryStageExecutionCommand,
  StartPipelineExecutionCommand,
  UpdatePipelineCommand,
  type ActionDeclaration,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, CreateConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import {clientConfig, control, useTestSandbox } from '../helpers/sandbox.ts';

/**
 * Pipeline runs over HTTP: sources that need no other service (S3, GitHub), a
 * CodeStarSourceConnection source whose role does not exist, and one end-to-end run through the
 * sandbox's CodeStar Connections and IAM services. The finer connection and policy rules are
 * covered with fake lookups in codepipeline-connection-runs.test.ts.
 */

let sandbox: Sandbox;
let client: CodePipelineClient;

useTestSandbox((started) => {
  sandbox = started;
  client = new CodePipelineClient(clientConfig(started));
  return client;
});

const ACCOUNT = '111111111111';
const CONNECTION_ARN = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/5d3c0f7e-8a61-4a8e-b0c4-2f1e9d7a6b55`;

const sources: Record<string, ActionDeclaration> = {
  S3: {
    name: 'Source',
    actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
    configuration: { S3Bucket: 'bucket', S3ObjectKey: 'app.zip' },
    outputArtifacts: [{ name: 'SourceArtifact' }],
  },
  GitHub: {
    name: 'Source',
    actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
    configuration: { Owner: 'org', Repo: 'repo', Branch: 'main', OAuthToken: 'token' },
    outputArtifacts: [{ name: 'SourceArtifact' }],
  },
  CodeStarSourceConnection: {
    name: 'Source',
    actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
    configuration: { ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'org/repo', BranchName: 'main' },
    outputArtifacts: [{ name: 'SourceArtifact' }],
  },
};

function pipeline(name: string, source: ActionDeclaration, changes: Partial<PipelineDeclaration> = {}): PipelineDeclaration {
  return {
    name,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/role-that-does-not-exist`,
    artifactStore: { type: 'S3', location: 'artifact-bucket' },
    stages: [
      { name: 'Source', actions: [source] },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'project' },
            inputArtifacts: [{ name: 'SourceArtifact' }],
          },
        ],
      },
    ],
    ...changes,
  };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('runs that succeed', () => {
  it.each(['S3', 'GitHub'])('CreatePipeline starts a run that succeeds with a %s source', async (provider) => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app', sources[provider]!) }));
    const { pipelineExecutionSummaries } = await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'app' }));
    expect(pipelineExecutionSummaries).toHaveLength(1);
    const [run] = pipelineExecutionSummaries!;
    expect(run).toMatchObject({ status: 'Succeeded', trigger: { triggerType: 'CreatePipeline' }, executionMode: 'SUPERSEDED' });
    expect(run!.startTime).toBeInstanceOf(Date);

    const state = await client.send(new GetPipelineStateCommand({ name: 'app' }));
    expect(state).toMatchObject({ pipelineName: 'app', pipelineVersion: 1 });
    expect(state.stageStates!.map(({ stageName, latestExecution }) => [stageName, latestExecution])).toEqual([
      ['Source', { pipelineExecutionId: run!.pipelineExecutionId, status: 'Succeeded' }],
      ['Build', { pipelineExecutionId: run!.pipelineExecutionId, status: 'Succeeded' }],
    ]);
    expect(state.stageStates![1]!.inboundTransitionState).toEqual({ enabled: true });
    const action = state.stageStates![0]!.actionStates![0]!;
    expect(action.actionName).toBe('Source');
    expect(action.latestExecution).toMatchObject({ status: 'Succeeded' });
    expect(action.latestExecution!.lastStatusChange).toBeInstanceOf(Date);
    expect(action.latestExecution!.errorDetails).toBeUndefined();
  });

  it('StartPipelineExecution is idempotent per clientRequestToken and lists runs newest first', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app', sources.S3!) }));
    const first = await client.send(new StartPipelineExecutionCommand({ name: 'app', clientRequestToken: 'token-1' }));
    const again = await client.send(new StartPipelineExecutionCommand({ name: 'app', clientRequestToken: 'token-1' }));
    expect(again.pipelineExecutionId).toBe(first.pipelineExecutionId);
    await control(sandbox, 'POST', '/clock/advance', { seconds: 10 });
    const second = await client.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect(second.pipelineExecutionId).not.toBe(first.pipelineExecutionId);
    expect(second.pipelineExecutionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const ids: string[] = [];
    for await (const page of paginateListPipelineExecutions({ client, pageSize: 2 }, { pipelineName: 'app' })) {
      expect(page.pipelineExecutionSummaries!.length).toBeLessThanOrEqual(2);
      ids.push(...page.pipelineExecutionSummaries!.map(({ pipelineExecutionId }) => pipelineExecutionId!));
    }
    // Three runs: CreatePipeline's, token-1's and the last one, newest first.
    expect(ids).toHaveLength(3);
    expect(ids.slice(0, 2)).toEqual([second.pipelineExecutionId, first.pipelineExecutionId]);

    const { pipelineExecution } = await client.send(new GetPipelineExecutionCommand({ pipelineName: 'app', pipelineExecutionId: second.pipelineExecutionId }));
    expect(pipelineExecution).toMatchObject({
      pipelineName: 'app',
      pipelineVersion: 1,
      pipelineExecutionId: second.pipelineExecutionId,
      status: 'Succeeded',
      trigger: { triggerType: 'StartPipelineExecution' },
      executionMode: 'SUPERSEDED',
      executionType: 'STANDARD',
    });
  });

  it('resolves V2 pipeline variables from defaults and start-time values', async () => {
    const variables = [{ name: 'ENV', defaultValue: 'dev' }, { name: 'REGION' }];
    const missingPipeline = await failure(client.send(new StartPipelineExecutionCommand({ name: 'missing' })));
    expect(missingPipeline.name).toBe('PipelineNotFoundException');
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('vars', sources.S3!, { variables }) }));
    const { pipelineExecutionId } = await client.send(
      new StartPipelineExecutionCommand({ name: 'vars', variables: [{ name: 'REGION', value: 'eu-west-1' }] }),
    );
    const { pipelineExecution } = await client.send(new GetPipelineExecutionCommand({ pipelineName: 'vars', pipelineExecutionId }));
    expect(pipelineExecution!.variables).toEqual([
      { name: 'ENV', resolvedValue: 'dev' },
      { name: 'REGION', resolvedValue: 'eu-west-1' },
    ]);
    const undeclared = await failure(client.send(new StartPipelineExecutionCommand({ name: 'vars', variables: [{ name: 'OTHER', value: 'x' }] })));
    expect(undeclared.name).toBe('ValidationException');
    expect(undeclared.message).toBe("Pipeline variable 'OTHER' is not declared in pipeline 'vars'.");
    const missingValue = await failure(client.send(new StartPipelineExecutionCommand({ name: 'vars' })));
    expect(missingValue.message).toMatch(/'REGION' has no default value/);
  });

  it('answers PipelineExecutionNotFoundException for a run of another pipeline', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('one', sources.S3!) }));
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('two', sources.S3!) }));
    const { pipelineExecutionId } = await client.send(new StartPipelineExecutionCommand({ name: 'one' }));
    const error = await failure(client.send(new GetPipelineExecutionCommand({ pipelineName: 'two', pipelineExecutionId })));
    expect(error.name).toBe('PipelineExecutionNotFoundException');
  });
});

describe('a CodeStarSourceConnection source whose role does not exist', () => {
  it('fails the Source stage with AWS wording and never reaches Build', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app', sources.CodeStarSourceConnection!) }));
    const [run] = (await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'app' }))).pipelineExecutionSummaries!;
    expect(run!.status).toBe('Failed');

    const state = await client.send(new GetPipelineStateCommand({ name: 'app' }));
    const [source, build] = state.stageStates!;
    expect(source!.latestExecution).toEqual({ pipelineExecutionId: run!.pipelineExecutionId, status: 'Failed' });
    expect(source!.actionStates![0]!.latestExecution!.errorDetails).toEqual({
      code: 'JobFailed',
      message: `Unable to use Connection: ${CONNECTION_ARN}. The provided role does not have sufficient permissions to access CodeStar Connections (codestar-connections:UseConnection).`,
    });
    expect(build!.latestExecution).toBeUndefined();
    expect(build!.actionStates).toEqual([{ actionName: 'Build' }]);
  });

  it('retries only the failed stage of the latest run', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app', sources.CodeStarSourceConnection!) }));
    const [run] = (await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'app' }))).pipelineExecutionSummaries!;
    const retry = (stageName: string, pipelineExecutionId = run!.pipelineExecutionId) =>
      client.send(new RetryStageExecutionCommand({ pipelineName: 'app', stageName, pipelineExecutionId, retryMode: 'FAILED_ACTIONS' }));

    // Still no role: the retry runs and fails again, in the same execution.
    expect((await retry('Source')).pipelineExecutionId).toBe(run!.pipelineExecutionId);
    expect((await client.send(new GetPipelineExecutionCommand({ pipelineName: 'app', pipelineExecutionId: run!.pipelineExecutionId }))).pipelineExecution!.status).toBe('Failed');

    expect((await failure(retry('Deploy'))).name).toBe('StageNotFoundException');
    const notRun = await failure(retry('Build'));
    expect(notRun.name).toBe('StageNotRetryableException');
    expect(notRun.message).toBe("Stage 'Build' has not run, so there is nothing to retry.");
    const unknown = await failure(retry('Source', '00000000-0000-4000-8000-000000000000'));
    expect(unknown.name).toBe('PipelineExecutionNotFoundException');

    const { pipelineExecutionId: newer } = await client.send(new StartPipelineExecutionCommand({ name: 'app' }));
    const outdated = await failure(retry('Source'));
    expect(outdated.name).toBe('NotLatestPipelineExecutionException');
    expect(outdated.message).toContain(`the latest is '${newer}'`);
  });

  it('filters runs that succeeded in a stage of the current version', async () => {
    await client.send(new CreatePipelineCommand({ pipeline: pipeline('app', sources.CodeStarSourceConnection!) }));
    await client.send(new UpdatePipelineCommand({ pipeline: pipeline('app', sources.S3!) }));
    const { pipelineExecutionId } = await client.send(new StartPipelineExecutionCommand({ name: 'app' }));
    const all = await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'app' }));
    expect(all.pipelineExecutionSummaries!.map(({ status }) => status)).toEqual(['Succeeded', 'Failed']);
    const succeeded = await client.send(new ListPipelineExecutionsCommand({ pipelineName: 'app', filter: { succeededInStage: { stageName: 'Build' } } }));
    expect(succeeded.pipelineExecutionSummaries!.map((summary) => summary.pipelineExecutionId)).toEqual([pipelineExecutionId]);
  });
});

describe('a CodeStarSourceConnection source, end to end through CodeStar Connections and IAM', () => {
  it('fails while the connection is PENDING or the role lacks UseConnection, and succeeds on retry once both are fixed', async () => {
    const connectionsClient = new CodeStarConnectionsClient(clientConfig(sandbox));
    const iam = new IAMClient(clientConfig(sandbox));
    try {
      const { ConnectionArn } = await connectionsClient.send(new CreateConnectionCommand({ ConnectionName: 'github', ProviderType: 'GitHub' }));
      const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'pipeline-role', AssumeRolePolicyDocument: JSON.stringify(trust) }));
      const source = { ...sources.CodeStarSourceConnection!, configuration: { ...sources.CodeStarSourceConnection!.configuration, ConnectionArn: ConnectionArn! } };
      await client.send(new CreatePipelineCommand({ pipeline: pipeline('app', source, { roleArn: Role!.Arn! }) }));
      const errorMessage = async () =>
        (await client.send(new GetPipelineStateCommand({ name: 'app' }))).stageStates![0]!.actionStates![0]!.latestExecution!.errorDetails?.message;
      expect(await errorMessage()).toMatch(/The provided role does not have sufficient permissions/);

      const grant = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: ConnectionArn }] };
      await iam.send(new PutRolePolicyCommand({ RoleName: 'pipeline-role', PolicyName: 'use-connection', PolicyDocument: JSON.stringify(grant) }));
      const { pipelineExecutionId } = await client.send(new StartPipelineExecutionCommand({ name: 'app' }));
      expect(await errorMessage()).toMatch(/The connection is in PENDING state/);

      await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
      await client.send(new RetryStageExecutionCommand({ pipelineName: 'app', stageName: 'Source', pipelineExecutionId, retryMode: 'FAILED_ACTIONS' }));
      const { pipelineExecution } = await client.send(new GetPipelineExecutionCommand({ pipelineName: 'app', pipelineExecutionId }));
      expect(pipelineExecution!.status).toBe('Succeeded');
      expect(await errorMessage()).toBeUndefined();
    } finally {
      connectionsClient.destroy();
      iam.destroy();
    }
  });
});
