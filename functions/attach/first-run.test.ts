import {
  CodePipelineClient,
  GetPipelineStateCommand,
  RetryStageExecutionCommand,
  StageNotRetryableException,
  StartPipelineExecutionCommand,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { BrokerStore } from '../request/store.ts';
import { setClients } from '../adapters/aws-clients.ts';
import { workflowClients } from '../../test/helpers/workflow-clients.ts';
import { resetConfig } from '../shell/config.ts';
import { resetWorkflowContext } from '../workflow/context.ts';
import { FirstRunInProgress, FirstRunSourceFailed } from '../workflow/errors.ts';
import { handler } from './first-run.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';

/** The first-run step against a mocked CodePipeline and a real (local) request table. */
const pipelines = mockClient(CodePipelineClient);
let table: Awaited<ReturnType<typeof startBrokerTable>>;
let store: BrokerStore;

beforeAll(async () => {
  table = await startBrokerTable();
  store = new BrokerStore(table.documents, TEST_TABLE);
  vi.stubEnv('TABLE_NAME', TEST_TABLE);
  resetConfig();
  resetWorkflowContext();
  setClients(workflowClients(table.documents));
});
afterAll(async () => {
  setClients(undefined);
  resetWorkflowContext();
  resetConfig();
  vi.unstubAllEnvs();
  table.client.destroy();
  await table.dynamo.close();
});
beforeEach(() => pipelines.reset());

let requests = 0;
async function attachedRequest(extra: Partial<ConnectionRequestRecord> = {}): Promise<string> {
  const requestId = `first-run-${++requests}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId,
    status: 'ATTACHING_PIPELINE',
    requester: { id: 'alice' },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: 'c',
    hostName: 'h',
    tags: {},
    region: 'us-east-1',
    createdAt: now,
    updatedAt: now,
    timeline: [],
    revision: 0,
    connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41',
    pipeline: { name: 'app', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
    attachment: { stageName: 'Source', actionName: 'App', previousAction: {}, pipelineVersion: 2 },
    ...extra,
  });
  return requestId;
}

const source = (stageStatus: string, actionStatus?: string, id = 'run-1', message = 'Unable to use Connection'): { stageStates: StageState[] } => ({
  stageStates: [
    {
      stageName: 'Source',
      latestExecution: { pipelineExecutionId: id, status: stageStatus as never },
      actionStates: [{ actionName: 'App', ...(actionStatus ? { latestExecution: { status: actionStatus as never, ...(actionStatus === 'Failed' ? { errorDetails: { code: 'JobFailed', message } } : {}) } } : {}) }],
    },
  ],
});

describe('the first-run step', () => {
  it('starts a run with a token derived from the request, and records it once the source fetched', async () => {
    const requestId = await attachedRequest();
    pipelines.on(GetPipelineStateCommand).resolvesOnce(source('Succeeded', 'Succeeded', 'old')).resolves(source('Succeeded', 'Succeeded', 'run-1'));
    pipelines.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'run-1' });
    expect(await handler({ requestId })).toEqual({ how: 'started', pipelineExecutionId: 'run-1', status: 'SUCCEEDED', retries: 0 });
    expect(pipelines.commandCalls(StartPipelineExecutionCommand)[0]!.args[0].input).toEqual({ name: 'app', clientRequestToken: `first-run-${requestId}` });
    // Done is done: a repeated step calls nothing.
    pipelines.reset();
    expect((await handler({ requestId })).status).toBe('SUCCEEDED');
    expect(pipelines.calls()).toHaveLength(0);
  });

  it('retries a failed source stage, and starts afresh when AWS says the run is too old to retry', async () => {
    const requestId = await attachedRequest();
    pipelines.on(GetPipelineStateCommand).resolvesOnce(source('Failed', 'Failed', 'pending-run')).resolves(source('Succeeded', 'Succeeded', 'new-run'));
    pipelines.on(RetryStageExecutionCommand).rejects(new StageNotRetryableException({ message: 'structure changed', $metadata: {} }));
    pipelines.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'new-run' });
    expect(await handler({ requestId })).toMatchObject({ how: 'started', pipelineExecutionId: 'new-run', status: 'SUCCEEDED' });
    expect(pipelines.commandCalls(RetryStageExecutionCommand)[0]!.args[0].input).toEqual({
      pipelineName: 'app',
      stageName: 'Source',
      pipelineExecutionId: 'pending-run',
      retryMode: 'FAILED_ACTIONS',
    });
  });

  it('raises FirstRunInProgress while the source runs, and FirstRunSourceFailed (after retrying the stage) while it fails', async () => {
    const requestId = await attachedRequest();
    pipelines.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'run-1' });
    pipelines.on(GetPipelineStateCommand).resolves(source('InProgress', 'InProgress'));
    await expect(handler({ requestId })).rejects.toBeInstanceOf(FirstRunInProgress);

    pipelines.on(GetPipelineStateCommand).resolves(source('Failed', 'Failed'));
    pipelines.on(RetryStageExecutionCommand).resolves({ pipelineExecutionId: 'run-1' });
    await expect(handler({ requestId })).rejects.toBeInstanceOf(FirstRunSourceFailed);
    await expect(handler({ requestId })).rejects.toMatchObject({ name: 'FirstRunSourceFailed', message: expect.stringContaining('Unable to use Connection') });
    const record = await store.getRequest(requestId);
    expect(record.firstRun).toMatchObject({ how: 'started', status: 'IN_PROGRESS', retries: 2, lastError: 'JobFailed: Unable to use Connection' });
    expect(pipelines.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
    expect(record.timeline.filter((entry) => entry.message.includes('retrying while IAM changes propagate'))).toHaveLength(1);
  });

  it('skips the run when the pipeline role is known to lack the permission, or when switched off', async () => {
    const blocked = await attachedRequest({
      permissionFindings: [{ roleArn: 'arn:aws:iam::111111111111:role/p', purpose: 'pipeline role', missing: ['codeconnections:UseConnection on x'], detail: '' }],
    });
    expect(await handler({ requestId: blocked })).toMatchObject({ how: 'skipped', status: 'SKIPPED', reason: expect.stringContaining('a run would fail') });
    expect(pipelines.calls()).toHaveLength(0);

    // A missing CodeBuild role does not stop the source from being checked.
    const buildOnly = await attachedRequest({
      permissionFindings: [{ roleArn: '(unknown)', purpose: 'CodeBuild project x', missing: [], detail: '' }],
    });
    pipelines.on(GetPipelineStateCommand).resolves(source('Succeeded', 'Succeeded'));
    pipelines.on(StartPipelineExecutionCommand).resolves({ pipelineExecutionId: 'run-1' });
    expect((await handler({ requestId: buildOnly })).status).toBe('SUCCEEDED');

    vi.stubEnv('FIRST_RUN', 'off');
    resetConfig();
    resetWorkflowContext();
    try {
      expect(await handler({ requestId: await attachedRequest() })).toMatchObject({ how: 'skipped', reason: expect.stringContaining('FIRST_RUN=off') });
    } finally {
      vi.stubEnv('FIRST_RUN', 'auto');
      resetConfig();
      resetWorkflowContext();
    }
  });
});
