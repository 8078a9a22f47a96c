import type { ActionDeclaration, PipelineDeclaration, StageRetryMode } from '@aws-sdk/client-codepipeline';
import { beforeEach, describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import type { CallContext } from '../../infra/local/sandbox/context.ts';
import { AwsServiceError } from '../../infra/local/sandbox/errors.ts';
import { DEFAULT_CONFIG, type OperationHandler } from '../../infra/local/sandbox/service.ts';
import { createCodePipelineModule } from '../../infra/local/sandbox/services/codepipeline/module.ts';
import type { CodePipelineState } from '../../infra/local/sandbox/services/codepipeline/state.ts';
import { SandboxStore } from '../../infra/local/sandbox/store.ts';

/**
 * How CodeStarSourceConnection runs depend on the connection's status and the pipeline role's
 * inline policies, with the CodeStar Connections and IAM services replaced by fakes.
 */

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const CONNECTION = `arn:aws:codestar-connections:${REGION}:${ACCOUNT}:connection/7f9c2ba4-e88f-4a4b-9c1d-2b0e0d9b8a11`;
const OTHER_CONNECTION = `arn:aws:codestar-connections:${REGION}:${ACCOUNT}:connection/11111111-2222-4333-8444-555555555555`;
const CODECONNECTIONS = `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/3c1d0a55-0d7e-4f3e-8d2a-7b6a5c4d3e21`;
const ROLE = 'pipeline-role';

type Status = 'PENDING' | 'AVAILABLE' | 'ERROR';

let connections: Map<string, Status>;
let roles: Map<string, { policyName: string; document: unknown }[]>;
let connectionQueries: string[];
let clock: SandboxClock;
let store: SandboxStore;
let operations: Record<string, OperationHandler>;

beforeEach(() => {
  connections = new Map();
  roles = new Map();
  connectionQueries = [];
  clock = new SandboxClock();
  store = new SandboxStore();
  const module = createCodePipelineModule(
    { store, clock, config: { ...DEFAULT_CONFIG } },
    {
      connections: {
        connection: (accountId, region, arn) => {
          connectionQueries.push(`${accountId}/${region}/${arn}`);
          const status = connections.get(arn);
          return status ? { status } : undefined;
        },
      },
      iam: { inlinePolicies: (accountId, roleName) => (accountId === ACCOUNT ? roles.get(roleName) : undefined) },
    },
  );
  operations = module.jsonServices![0]!.operations;
});

async function call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
  const context: CallContext = { accountId: ACCOUNT, region: REGION, endpoint: 'codepipeline', operation, requestId: 'test' };
  return (await operations[operation]!(input, context)) as T;
}

async function rejection(operation: string, input: Record<string, unknown>): Promise<AwsServiceError> {
  try {
    await call(operation, input);
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error(`${operation} was expected to fail`);
}

const policy = (statement: unknown, policyName = 'use-connection') => ({ policyName, document: { Version: '2012-10-17', Statement: statement } });
const allowUse = (resource: unknown = CONNECTION, action: unknown = 'codestar-connections:UseConnection') => policy([{ Effect: 'Allow', Action: action, Resource: resource }]);

const connectionSource = (name = 'Source', connectionArn = CONNECTION, output = 'SourceArtifact'): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
  configuration: { ConnectionArn: connectionArn, FullRepositoryId: 'org/repo', BranchName: 'main' },
  outputArtifacts: [{ name: output }],
});

const s3Source: ActionDeclaration = {
  name: 'Assets',
  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
  configuration: { S3Bucket: 'bucket', S3ObjectKey: 'assets.zip' },
  outputArtifacts: [{ name: 'Assets' }],
};

function pipeline(sourceActions: ActionDeclaration[] = [connectionSource()], name = 'app'): PipelineDeclaration {
  return {
    name,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/${ROLE}`,
    artifactStore: { type: 'S3', location: 'artifact-bucket' },
    stages: [
      { name: 'Source', actions: sourceActions },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'project' },
            inputArtifacts: [{ name: sourceActions[0]!.outputArtifacts![0]!.name! }],
          },
        ],
      },
    ],
  };
}

interface StateView {
  stageStates: {
    stageName: string;
    latestExecution?: { pipelineExecutionId: string; status: string };
    actionStates: { actionName: string; latestExecution?: { actionExecutionId: string; status: string; lastStatusChange: number; errorDetails?: { code: string; message: string } } }[];
  }[];
}

const state = () => call<StateView>('GetPipelineState', { name: 'app' });
const latestRun = async () =>
  (await call<{ pipelineExecutionSummaries: { pipelineExecutionId: string; status: string }[] }>('ListPipelineExecutions', { pipelineName: 'app' }))
    .pipelineExecutionSummaries[0]!;
const sourceError = async () => (await state()).stageStates[0]!.actionStates[0]!.latestExecution!.errorDetails?.message;
const retry = (pipelineExecutionId: string, retryMode: StageRetryMode = 'FAILED_ACTIONS', stageName = 'Source') =>
  call<{ pipelineExecutionId: string }>('RetryStageExecution', { pipelineName: 'app', stageName, pipelineExecutionId, retryMode });

describe('a run with a CodeStarSourceConnection source', () => {
  it('fails while the connection is PENDING and succeeds on retry once it is AVAILABLE', async () => {
    roles.set(ROLE, [allowUse()]);
    connections.set(CONNECTION, 'PENDING');
    await call('CreatePipeline', { pipeline: pipeline() });
    const failed = await latestRun();
    expect(failed.status).toBe('Failed');
    expect(await sourceError()).toBe(
      `Unable to use Connection: ${CONNECTION}. The connection is in PENDING state; it must be AVAILABLE. Complete the connection handshake in the console.`,
    );
    // The connection is looked up where the pipeline lives.
    expect(connectionQueries).toEqual([`${ACCOUNT}/${REGION}/${CONNECTION}`]);

    connections.set(CONNECTION, 'AVAILABLE');
    const failedAt = clock.nowEpochSeconds();
    clock.advance(120_000);
    expect((await retry(failed.pipelineExecutionId)).pipelineExecutionId).toBe(failed.pipelineExecutionId);

    const after = await state();
    expect(after.stageStates.map(({ stageName, latestExecution }) => [stageName, latestExecution?.status, latestExecution?.pipelineExecutionId])).toEqual([
      ['Source', 'Succeeded', failed.pipelineExecutionId],
      ['Build', 'Succeeded', failed.pipelineExecutionId],
    ]);
    const source = after.stageStates[0]!.actionStates[0]!.latestExecution!;
    expect(source.errorDetails).toBeUndefined();
    expect(source.lastStatusChange).toBeGreaterThanOrEqual(failedAt + 120);
    expect(source.lastStatusChange).toBeLessThanOrEqual(clock.nowEpochSeconds());
    const { pipelineExecution } = await call<{ pipelineExecution: { status: string } }>('GetPipelineExecution', {
      pipelineName: 'app',
      pipelineExecutionId: failed.pipelineExecutionId,
    });
    expect(pipelineExecution.status).toBe('Succeeded');
    const [summary] = (await call<{ pipelineExecutionSummaries: { startTime: number; lastUpdateTime: number }[] }>('ListPipelineExecutions', { pipelineName: 'app' }))
      .pipelineExecutionSummaries;
    expect(summary!.lastUpdateTime - summary!.startTime).toBeCloseTo(120, 0);
  });

  it('fails without UseConnection on the role and succeeds once the policy grants it', async () => {
    connections.set(CONNECTION, 'AVAILABLE');
    roles.set(ROLE, [policy([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }], 's3')]);
    await call('CreatePipeline', { pipeline: pipeline() });
    const failed = await latestRun();
    expect(await sourceError()).toBe(
      `Unable to use Connection: ${CONNECTION}. The provided role does not have sufficient permissions to access CodeStar Connections (codestar-connections:UseConnection).`,
    );
    roles.get(ROLE)!.push(allowUse());
    await retry(failed.pipelineExecutionId);
    expect((await latestRun()).status).toBe('Succeeded');
  });

  it('needs the codeconnections action for a codeconnections ARN', async () => {
    connections.set(CODECONNECTIONS, 'AVAILABLE');
    roles.set(ROLE, [allowUse(CODECONNECTIONS, 'codestar-connections:UseConnection')]);
    await call('CreatePipeline', { pipeline: pipeline([connectionSource('Source', CODECONNECTIONS)]) });
    expect(await sourceError()).toMatch(/does not have sufficient permissions to access CodeStar Connections \(codeconnections:UseConnection\)/);
    roles.set(ROLE, [allowUse(CODECONNECTIONS, ['codestar-connections:UseConnection', 'codeconnections:UseConnection'])]);
    await call('StartPipelineExecution', { name: 'app' });
    expect((await latestRun()).status).toBe('Succeeded');
  });

  it.each([
    ['a connection that does not exist', undefined, /The connection does not exist\.$/],
    ['a connection in ERROR', 'ERROR' as const, /The connection is in ERROR state; it must be AVAILABLE\. The connection must be deleted and created again\.$/],
  ])('fails for %s', async (_, status, message) => {
    roles.set(ROLE, [allowUse()]);
    if (status) connections.set(CONNECTION, status);
    await call('CreatePipeline', { pipeline: pipeline() });
    expect(await sourceError()).toMatch(message);
  });

  it('treats a role that does not exist as having no permissions', async () => {
    connections.set(CONNECTION, 'AVAILABLE');
    await call('CreatePipeline', { pipeline: pipeline() });
    expect(await sourceError()).toMatch(/The provided role does not have sufficient permissions/);
  });

  const policies: [string, boolean, unknown[]][] = [
    ['a service wildcard on every resource', true, [{ Effect: 'Allow', Action: 'codestar-connections:*', Resource: '*' }]],
    ['an action list and a resource list', true, [{ Effect: 'Allow', Action: ['s3:GetObject', 'codestar-connections:UseConnection'], Resource: [OTHER_CONNECTION, CONNECTION] }]],
    ['an action in another letter case', true, [{ Effect: 'Allow', Action: 'CodeStar-Connections:useconnection', Resource: CONNECTION }]],
    ['a resource wildcard over the account connections', true, [{ Effect: 'Allow', Action: 'codestar-connections:Use*', Resource: `arn:aws:codestar-connections:${REGION}:${ACCOUNT}:connection/*` }]],
    ['NotAction that leaves UseConnection allowed', true, [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]],
    ['another connection only', false, [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: OTHER_CONNECTION }]],
    ['the plural typo UseConnections', false, [{ Effect: 'Allow', Action: 'codestar-connections:UseConnections', Resource: CONNECTION }]],
    ['the codeconnections action for a codestar-connections ARN', false, [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*' }]],
    [
      'an explicit Deny next to the Allow',
      false,
      [
        { Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: CONNECTION },
        { Effect: 'Deny', Action: '*', Resource: '*' },
      ],
    ],
  ];

  it.each(policies)('with %s the role may use the connection: %s', async (_, allowed, statements) => {
    connections.set(CONNECTION, 'AVAILABLE');
    roles.set(ROLE, [policy(statements)]);
    await call('CreatePipeline', { pipeline: pipeline() });
    expect((await latestRun()).status).toBe(allowed ? 'Succeeded' : 'Failed');
  });

  it('reads a single statement object and a URL-encoded policy document', async () => {
    connections.set(CONNECTION, 'AVAILABLE');
    const statement = { Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: CONNECTION };
    roles.set(ROLE, [{ policyName: 'encoded', document: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: statement })) }]);
    await call('CreatePipeline', { pipeline: pipeline() });
    expect((await latestRun()).status).toBe('Succeeded');
  });
});

describe('RetryStageExecution', () => {
  it('with FAILED_ACTIONS keeps the actions that succeeded; with ALL_ACTIONS runs them again', async () => {
    roles.set(ROLE, [allowUse()]);
    connections.set(CONNECTION, 'PENDING');
    await call('CreatePipeline', { pipeline: pipeline([connectionSource(), s3Source]) });
    const failed = await latestRun();
    const assetsRun = async () => (await state()).stageStates[0]!.actionStates.find(({ actionName }) => actionName === 'Assets')!.latestExecution!;
    const before = await assetsRun();
    expect(before.status).toBe('Succeeded');

    await retry(failed.pipelineExecutionId, 'FAILED_ACTIONS');
    expect((await assetsRun()).actionExecutionId).toBe(before.actionExecutionId);
    expect((await latestRun()).status).toBe('Failed');

    await retry(failed.pipelineExecutionId, 'ALL_ACTIONS');
    expect((await assetsRun()).actionExecutionId).not.toBe(before.actionExecutionId);
  });

  it('refuses a stage that succeeded, and a run whose pipeline structure changed since', async () => {
    roles.set(ROLE, [allowUse()]);
    connections.set(CONNECTION, 'AVAILABLE');
    await call('CreatePipeline', { pipeline: pipeline() });
    const succeeded = await latestRun();
    const notFailed = await rejection('RetryStageExecution', { pipelineName: 'app', stageName: 'Build', pipelineExecutionId: succeeded.pipelineExecutionId, retryMode: 'FAILED_ACTIONS' });
    expect(notFailed.code).toBe('StageNotRetryableException');
    expect(notFailed.message).toBe(`Stage 'Build' of execution '${succeeded.pipelineExecutionId}' is Succeeded; only a failed stage can be retried.`);

    connections.set(CONNECTION, 'PENDING');
    await call('StartPipelineExecution', { name: 'app' });
    const failed = await latestRun();
    await call('UpdatePipeline', { pipeline: pipeline([connectionSource('Source', CONNECTION, 'Renamed')]) });
    connections.set(CONNECTION, 'AVAILABLE');
    const changed = await rejection('RetryStageExecution', { pipelineName: 'app', stageName: 'Source', pipelineExecutionId: failed.pipelineExecutionId, retryMode: 'FAILED_ACTIONS' });
    expect(changed.code).toBe('StageNotRetryableException');
    expect(changed.message).toMatch(/The pipeline structure changed \(version 1 → 2\)/);
  });

  it('shows the last run of each stage: a later failed Source does not hide the earlier Build', async () => {
    roles.set(ROLE, [allowUse()]);
    connections.set(CONNECTION, 'AVAILABLE');
    await call('CreatePipeline', { pipeline: pipeline() });
    const good = await latestRun();
    connections.set(CONNECTION, 'ERROR');
    await call('StartPipelineExecution', { name: 'app' });
    const bad = await latestRun();
    const stages = (await state()).stageStates;
    expect(stages.map(({ latestExecution }) => latestExecution)).toEqual([
      { pipelineExecutionId: bad.pipelineExecutionId, status: 'Failed' },
      { pipelineExecutionId: good.pipelineExecutionId, status: 'Succeeded' },
    ]);
  });
});

describe('stored secrets', () => {
  it('keeps the stored GitHub token when an update sends back the mask', async () => {
    const github: ActionDeclaration = {
      name: 'Source',
      actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
      configuration: { Owner: 'org', Repo: 'repo', Branch: 'main', OAuthToken: 'ghp_real' },
      outputArtifacts: [{ name: 'SourceArtifact' }],
    };
    await call('CreatePipeline', { pipeline: pipeline([github]) });
    const { pipeline: read } = await call<{ pipeline: PipelineDeclaration }>('GetPipeline', { name: 'app' });
    expect(read.stages![0]!.actions![0]!.configuration!.OAuthToken).toBe('****');
    await call('UpdatePipeline', { pipeline: read });

    const stored = store.slice<CodePipelineState>('codepipeline', [ACCOUNT, REGION], () => ({ pipelines: {} }));
    expect(stored.pipelines.app!.declaration.stages![0]!.actions![0]!.configuration!.OAuthToken).toBe('ghp_real');
    expect(stored.pipelines.app!.declaration.version).toBe(2);
  });
});

describe('a connection source action with its own role', () => {
  it('runs as the action role, not the pipeline role', async () => {
    connections.set(CONNECTION, 'AVAILABLE');
    roles.set('source-reader', [allowUse()]);
    const withActionRole = { ...connectionSource(), roleArn: `arn:aws:iam::${ACCOUNT}:role/source-reader` };
    await call('CreatePipeline', { pipeline: pipeline([withActionRole]) });
    expect((await latestRun()).status).toBe('Succeeded');

    // The pipeline role alone is not enough when the action names another role.
    roles.set(ROLE, [allowUse()]);
    roles.set('source-reader', []);
    await call('StartPipelineExecution', { name: 'app' });
    expect((await latestRun()).status).toBe('Failed');
    expect(await sourceError()).toContain('codestar-connections:UseConnection');
  });
});
