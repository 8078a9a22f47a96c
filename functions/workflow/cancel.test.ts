import { GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiError } from '../shell/http-errors.ts';
import { cancelExecutionName, cancelRequest } from '../request/manage-request.ts';
import type { ConnectionRequestRecord, RequestStatus } from '../request/model.ts';
import { BrokerStore } from '../request/store.ts';
import { setClients } from '../adapters/aws-clients.ts';
import { workflowClients } from '../../test/helpers/workflow-clients.ts';
import { resetConfig } from '../shell/config.ts';
import { handler as acquireHost } from '../host/acquire-host.ts';
import { updateActiveRequest } from './active-request.ts';
import { handler as attachPipeline } from '../attach/attach-pipeline.ts';
import { handler as completeRequest } from './complete-request.ts';
import { resetWorkflowContext } from './context.ts';
import { handler as createConnection } from '../connection/create-connection.ts';
import { RequestNotActive } from './errors.ts';
import { handler as firstRun } from '../attach/first-run.ts';
import { handler as requestApproval } from '../approval/request-approval.ts';
import { handler as rollBack } from './roll-back.ts';
import { handler as verifyConnection } from '../connection/verify-connection.ts';
import { handler as awaitHostSetup } from '../host/wait-for-host.ts';
import { WaitStore, type WaitRecord } from '../waits/wait-store.ts';
import { startBrokerTable, TEST_TABLE } from '../../test/helpers/broker-table.ts';
import { control } from '../../test/helpers/sandbox.ts';
import { startEngineSandbox, type EngineSandbox } from '../../test/stepfunctions/helpers.ts';
import { loadStateMachine } from '../../statemachines/load.ts';

/**
 * Cancel, without mocks: the request records in an in-memory DynamoDB, the real provisioning ASL
 * on the local Step Functions engine (its Lambda tasks stubbed), and the real workflow steps. A
 * cancelled request is handed to the workflow's RollBack after a wait, and no step of the stopped
 * execution that runs on may change anything for it.
 */

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-1234abcd';

let table: Awaited<ReturnType<typeof startBrokerTable>>;
let store: BrokerStore;
let waits: WaitStore;
let env: EngineSandbox;
/** What the stubbed RollBack task was called with. */
const rollBackCalls: Record<string, unknown>[] = [];

/** The provisioning ASL as deployed, each function ARN placeholder filled in. */
function provisioningDefinition(): Record<string, unknown> {
  return loadStateMachine('provisioning', (placeholder) => `arn:aws:lambda:us-east-1:111111111111:function:${placeholder.replace(/FunctionArn$/, '')}`);
}

beforeAll(async () => {
  table = await startBrokerTable();
  store = new BrokerStore(table.documents, TEST_TABLE);
  waits = new WaitStore(table.documents, TEST_TABLE);
  vi.stubEnv('TABLE_NAME', TEST_TABLE);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', table.dynamo.url);
  vi.stubEnv('SLACK_SECRET_ID', '');
  vi.stubEnv('SLACK_BOT_TOKEN', '');
  vi.stubEnv('SLACK_SIGNING_SECRET', '');
  resetConfig();
  resetWorkflowContext();
  // Nothing listens here: a step that called AWS before its guard would fail with a network error.
  const nowhere = { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  setClients(workflowClients(table.documents, nowhere));

  // The tasks of the provisioning workflow: the host is never set up, so an execution pauses in AwaitHostSetup.
  const stub = (result: unknown) => async () => result;
  env = await startEngineSandbox([
    {
      name: 'provisioning',
      definition: provisioningDefinition(),
      taskHandlers: {
        AcquireHost: stub({ hostArn: HOST, status: 'PENDING', createdByRequest: true }),
        // Requests here are dedicated: the shared branch is never taken.
        ShareConnection: stub({}),
        AwaitHostSetup: stub({}),
        CreateConnection: stub({}),
        AwaitHandshake: stub({}),
        VerifyConnection: stub({}),
        AttachPipeline: stub({}),
        FirstRun: stub({}),
        CompleteRequest: stub({}),
        // No replacement here (POST /v1/connections/{id}/replace): never taken.
        RepointPipelines: stub({}),
        CompleteReplacement: stub({}),
        RetireReplaced: stub({}),
        RollBack: async (input) => {
          rollBackCalls.push(input as Record<string, unknown>);
          return { status: 'CANCELLED' };
        },
      },
    },
  ]);
}, 60_000);
afterAll(async () => {
  await env?.close();
  setClients(undefined);
  resetWorkflowContext();
  resetConfig();
  vi.unstubAllEnvs();
  table?.client.destroy();
  await table?.dynamo.close();
});
beforeEach(async () => {
  rollBackCalls.length = 0;
  await control(env.sandbox, 'DELETE', '/faults');
});

let requests = 0;
async function recorded(status: RequestStatus, extra: Partial<ConnectionRequestRecord> = {}): Promise<string> {
  const requestId = `00000000-0000-4000-8000-${String(++requests).padStart(12, '0')}`;
  const now = new Date().toISOString();
  await store.createRequest({
    requestId,
    status,
    requester: { id: 'alice' },
    providerEndpoint: 'https://ghe.example.com',
    connectionName: 'ghe-example-com-abc123',
    hostName: 'ghe-example-com-1234abcd',
    pipeline: { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
    tags: {},
    region: 'us-east-1',
    createdAt: now,
    updatedAt: now,
    timeline: [],
    revision: 0,
    ...extra,
  });
  return requestId;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the step to fail');
}

const alice = { id: 'alice', isAdmin: false, teams: [] };

describe('a cancelled or finished request', () => {
  const cancelled: Partial<ConnectionRequestRecord> = {
    hostArn: HOST,
    connectionArn: CONNECTION,
    cancellation: { by: 'alice', at: new Date().toISOString() },
    failure: { code: 'Cancelled', message: 'Cancelled by alice' },
  };

  it.each(['ROLLING_BACK', 'CANCELLED', 'FAILED'] as const)('is not completed, attached or changed by any step while %s', async (status) => {
    const requestId = await recorded(status, cancelled);
    const before = await store.getRequest(requestId);
    const steps: [string, () => Promise<unknown>][] = [
      ['acquireHost', () => acquireHost({ requestId })],
      ['awaitHostSetup', () => awaitHostSetup({ requestId, host: { hostArn: HOST, status: 'PENDING' }, taskToken: 'token' })],
      ['createConnection', () => createConnection({ requestId })],
      ['requestApproval', () => requestApproval({ requestId, taskToken: 'token' })],
      ['verifyConnection', () => verifyConnection({ requestId })],
      ['attachPipeline', () => attachPipeline({ requestId })],
      ['firstRun', () => firstRun({ requestId })],
      ['completeRequest', () => completeRequest({ requestId })],
    ];
    for (const [name, step] of steps) {
      const error = await errorOf(step());
      expect(error, name).toBeInstanceOf(RequestNotActive);
      // The Step Functions error name the ASL's Catch sees, spelt out (minifiers rename classes).
      expect([name, error.name]).toEqual([name, 'RequestNotActive']);
      expect(error.message).toContain(status);
    }
    expect(await store.getRequest(requestId)).toEqual(before);
    // Nor does it begin a wait the watcher would act on.
    expect(await waits.forRequest(requestId)).toEqual([]);
  });

  it('completes while active, and a repeated completion changes nothing', async () => {
    const requestId = await recorded('ATTACHING_PIPELINE');
    expect(await completeRequest({ requestId })).toEqual({ status: 'COMPLETED' });
    const completed = await store.getRequest(requestId);
    expect(completed.status).toBe('COMPLETED');
    expect(await completeRequest({ requestId })).toEqual({ status: 'COMPLETED' });
    expect((await store.getRequest(requestId)).revision).toBe(completed.revision);
  });

  it('still records what a step made before it saw the cancel, so the rollback finds it, but keeps its status', async () => {
    const requestId = await recorded('ROLLING_BACK', { cancellation: cancelled.cancellation, failure: cancelled.failure });
    const error = await errorOf(
      updateActiveRequest(
        requestId,
        (current) => ({ ...current, status: 'CREATING_CONNECTION', connectionArn: CONNECTION }),
        (current) => ({ ...current, status: 'CREATING_CONNECTION', connectionArn: CONNECTION }),
      ),
    );
    expect(error.name).toBe('RequestNotActive');
    expect(await store.getRequest(requestId)).toMatchObject({ status: 'ROLLING_BACK', connectionArn: CONNECTION });
  });
});

describe('the rollback of a cancelled request', () => {
  const waiting = (requestId: string, kind: WaitRecord['kind']): WaitRecord => ({
    requestId,
    kind,
    resourceArn: kind === 'host-setup' ? HOST : CONNECTION,
    since: new Date().toISOString(),
    deadline: new Date(Date.now() + 86_400_000).toISOString(),
    ...(kind === 'host-setup' ? { taskToken: 'host-token' } : { approvalId: 'approval-id', availableApproves: true }),
    expiresAt: 0,
  });

  const stopped = 'arn:aws:states:us-east-1:111111111111:execution:provisioning:original';
  const cancelExecution = 'arn:aws:states:us-east-1:111111111111:execution:provisioning:cancel-x';

  it("is left to the cancel's execution by the stopped execution, whatever error brought it to RollBack", async () => {
    const requestId = await recorded('ROLLING_BACK', {
      cancellation: { by: 'alice', at: new Date().toISOString(), rollbackExecutionArn: cancelExecution },
      failure: { code: 'Cancelled', message: 'Cancelled by alice' },
    });
    await Promise.all([waits.begin(waiting(requestId, 'host-setup')), waits.begin(waiting(requestId, 'handshake'))]);
    const before = await store.getRequest(requestId);
    expect(await rollBack({ requestId, error: { Error: 'RequestNotActive', Cause: '{}' }, executionArn: stopped })).toEqual({ status: 'ROLLING_BACK' });
    expect(await store.getRequest(requestId)).toEqual(before);
    expect(await waits.forRequest(requestId)).toHaveLength(2);

    // The cancel's own execution rolls back, and the request ends CANCELLED for the reason recorded.
    expect(await rollBack({ requestId, error: { Error: 'Cancelled', Cause: 'Cancelled by alice' }, executionArn: cancelExecution })).toEqual({ status: 'CANCELLED' });
    const done = await store.getRequest(requestId);
    expect(done.failure).toEqual({ code: 'Cancelled', message: 'Cancelled by alice' });
    expect(done.timeline.map((entry) => [entry.actor, entry.message])).toEqual([
      ['alice', 'Rolling back: Cancelled by alice.'],
      ['system', 'Rollback finished; the request is CANCELLED.'],
    ]);
    // Nothing is waited for any more: the watcher leaves the request alone.
    expect(await waits.forRequest(requestId)).toEqual([]);
  });

  it('is done by the running execution itself when the cancel could not hand it over, and still ends CANCELLED', async () => {
    const requestId = await recorded('ROLLING_BACK', {
      cancellation: { by: 'alice', at: new Date().toISOString() },
      failure: { code: 'Cancelled', message: 'Cancelled by alice' },
    });
    expect(await rollBack({ requestId, error: { Error: 'RequestNotActive', Cause: '{}' }, executionArn: stopped })).toEqual({ status: 'CANCELLED' });
    expect((await store.getRequest(requestId)).failure).toEqual({ code: 'Cancelled', message: 'Cancelled by alice' });
  });
});

describe('cancel', () => {
  async function running(): Promise<{ requestId: string; executionArn: string }> {
    const requestId = await recorded('WAITING_FOR_HOST_SETUP');
    const { executionArn } = await env.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.arns.provisioning,
        name: requestId,
        input: JSON.stringify({ requestId, settings: { hostSetupTimeoutSeconds: 7 * 86_400, approvalTimeoutSeconds: 3 * 86_400, attachPipeline: true } }),
      }),
    );
    await store.updateRequest(requestId, (current) => ({ ...current, executionArn }));
    await eventuallyState(requestId, 'AwaitHostSetup');
    return { requestId, executionArn: executionArn! };
  }

  async function execution(name: string): Promise<{ status: string; transitions: number }> {
    return control(env.sandbox, 'GET', `/executions/${name}`);
  }

  async function eventuallyState(name: string, state: string): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const arn = `${env.arns.provisioning!.replace(':stateMachine:', ':execution:')}:${name}`;
      const { events = [] } = await env.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 5 }));
      if (events.some((event) => event.stateEnteredEventDetails?.name === state)) return;
      if (Date.now() > deadline) throw new Error(`${name} never entered ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const dependencies = () => ({ aws: { stepFunctions: env.sfn }, store, stateMachineArn: env.arns.provisioning! });

  it('records ROLLING_BACK, stops the execution, and hands the rollback to a new one, which waits before it rolls back', async () => {
    const { requestId, executionArn } = await running();
    const view = await cancelRequest(alice, requestId, dependencies());
    expect(view).toMatchObject({ status: 'ROLLING_BACK', failure: { code: 'Cancelled', message: 'Cancelled by alice' } });
    expect(await execution(requestId)).toMatchObject({ status: 'ABORTED' });

    const name = cancelExecutionName(requestId);
    const record = await store.getRequest(requestId);
    expect(record.cancellation).toMatchObject({ by: 'alice', stoppedExecutionArn: executionArn, rollbackExecutionArn: expect.stringMatching(new RegExp(`:execution:provisioning:${name}$`)) });
    expect(record.executionArn).toBe(record.cancellation!.rollbackExecutionArn);

    // Steps of the stopped execution may still be running: nothing is rolled back before the wait ends.
    await eventuallyState(name, 'WaitForStoppedSteps');
    expect(rollBackCalls).toEqual([]);
    await control(env.sandbox, 'POST', '/clock/advance', { seconds: 60 });
    await eventuallyState(name, 'NotProvisioned');
    expect(rollBackCalls).toEqual([
      { requestId, error: { Error: 'Cancelled', Cause: 'Cancelled by alice' }, executionArn: record.cancellation!.rollbackExecutionArn },
    ]);

    const again = (await errorOf(cancelRequest(alice, requestId, dependencies()))) as ApiError;
    expect([again.status, again.code]).toEqual([409, 'AlreadyRollingBack']);
  });

  it('refuses a finished request (409) and others’ requests (404)', async () => {
    const requestId = await recorded('COMPLETED');
    const finished = (await errorOf(cancelRequest(alice, requestId, dependencies()))) as ApiError;
    expect([finished.status, finished.code]).toEqual([409, 'RequestFinished']);
    const notTheirs = (await errorOf(cancelRequest({ id: 'bob', isAdmin: false, teams: [] }, requestId, dependencies()))) as ApiError;
    expect(notTheirs.status).toBe(404);
  });

  it('answers 503 when the rollback cannot be started, leaves the running execution to roll back, and may be repeated', async () => {
    const { requestId } = await running();
    await control(env.sandbox, 'PUT', '/faults', { service: 'states', operation: 'StartExecution', errorRate: 1 });
    const unavailable = (await errorOf(cancelRequest(alice, requestId, dependencies()))) as ApiError;
    expect([unavailable.status, unavailable.code]).toEqual([503, 'RollbackNotStarted']);
    // Not stopped: its next step sees ROLLING_BACK and rolls back itself (see above).
    expect(await execution(requestId)).toMatchObject({ status: 'RUNNING' });
    expect(await store.getRequest(requestId)).toMatchObject({ status: 'ROLLING_BACK', cancellation: { by: 'alice' } });

    await control(env.sandbox, 'DELETE', '/faults');
    const view = await cancelRequest(alice, requestId, dependencies());
    expect(view.status).toBe('ROLLING_BACK');
    expect(await execution(requestId)).toMatchObject({ status: 'ABORTED' });
    expect(await execution(cancelExecutionName(requestId))).toMatchObject({ status: 'RUNNING' });
  });

  it('still hands over the rollback when the running execution cannot be stopped', async () => {
    const { requestId } = await running();
    await control(env.sandbox, 'PUT', '/faults', { service: 'states', operation: 'StopExecution', errorRate: 1 });
    const view = await cancelRequest(alice, requestId, dependencies());
    expect(view.status).toBe('ROLLING_BACK');
    expect(await execution(requestId)).toMatchObject({ status: 'RUNNING' });
    expect(await execution(cancelExecutionName(requestId))).toMatchObject({ status: 'RUNNING' });
    expect((await store.getRequest(requestId)).cancellation?.rollbackExecutionArn).toBeDefined();
  });
});
