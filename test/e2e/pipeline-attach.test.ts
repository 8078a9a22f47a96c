import { GetPipelineCommand, GetPipelineExecutionCommand, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { GetRolePolicyCommand, ListRolePoliciesCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { valueAt } from '../../functions/attach/declaration-diff.ts';
import type { ConnectionRequestRecord } from '../../functions/request/model.ts';
import { BrokerStore } from '../../functions/request/store.ts';
import { api, eventually, sandboxControl, type Problem } from './local-system.ts';
import {
  approve,
  callCount,
  codeconnectionsSpelling,
  harness,
  inStatus,
  nextKey,
  pipelineDeclaration,
  policyOf,
  read,
  requestConnection,
  seedPipeline,
  seedRole,
  untilApproval,
  withoutVersion,
  type RequestBody,
} from './pipeline-attach-helpers.ts';

/**
 * The pipeline attach end to end, through the local runtime and the sandbox: UseConnection grants
 * for both prefixes (pipeline and CodeBuild roles), the V2 trigger, a concurrent edit during the
 * attach (no clobber), the first run (start, retry of a stage that failed while PENDING, retries
 * while IAM propagates), and rollback after a later failure or a cancel. Grants switched off:
 * pipeline-attach-check-only.test.ts (its own system: the setting is read once per process).
 */

/** The request record as the workflow stored it (the local system runs in this process, so its environment is ours). */
async function storedRecord(requestId: string): Promise<ConnectionRequestRecord> {
  const client = new DynamoDBClient({});
  try {
    return await new BrokerStore(DynamoDBDocumentClient.from(client), process.env.TABLE_NAME!).getRequest(requestId);
  } finally {
    client.destroy();
  }
}

describe('attaching with grants (the default)', () => {
  const h = harness();

  /** A cancel's rollback waits out the stopped execution's running steps (sandbox clock): move it on until `status`. */
  const afterCancelWait = (requestId: string, status: string) =>
    eventually(
      async () => {
        await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 30 });
        return read(h, requestId)();
      },
      (request) => request.status === status,
      `request ${requestId} to be ${status} after the cancel's wait`,
    );

  it('grants UseConnection for both prefixes to the pipeline and CodeBuild roles, adds the V2 trigger, and runs the pipeline once', async () => {
    const pipelineRole = await seedRole(h, 'payments-pipeline');
    const buildRole = await seedRole(h, 'payments-codebuild');
    await sandboxControl(h.system, 'POST', '/codebuild/projects', { name: 'payments-build', serviceRole: buildRole });
    const seeded = await seedPipeline(h, pipelineDeclaration('payments', { role: pipelineRole, project: 'payments-build' }));

    const created = await requestConnection(h, {
      name: 'payments',
      fullRepositoryId: 'platform/payments',
      branchName: 'main',
      outputArtifactFormat: 'CODEBUILD_CLONE_REF',
      trigger: true,
    });
    const waiting = await untilApproval(h, created);
    await approve(h, waiting);
    const done = await inStatus(h, created.requestId, 'COMPLETED');
    const connectionArn = done.connectionArn!;
    const connectionId = connectionArn.split('/').at(-1)!;

    // Both roles: one inline policy named for the connection, both actions, both ARN spellings.
    const policyName = `UseConnection-${connectionId}`;
    for (const role of ['payments-pipeline', 'payments-codebuild']) {
      const [statement] = (await policyOf(h, role, policyName)).Statement;
      expect(statement!.Action.sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
      expect(statement!.Resource.sort()).toEqual([codeconnectionsSpelling(connectionArn), connectionArn].sort());
    }
    expect(done.pipelineAttachment!.grantedPolicies.map(({ roleArn: arn, purpose }) => [arn, purpose])).toEqual([
      [pipelineRole, 'pipeline role'],
      [buildRole, 'CodeBuild project payments-build'],
    ]);
    expect(done.pipelineAttachment!.missingPermissions).toEqual([]);

    // The source action is converted in place; everything else is as it was, plus the trigger.
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'payments' }));
    const source = pipeline!.stages![0]!.actions![0]!;
    expect(source).toEqual({
      ...seeded.stages![0]!.actions![0]!,
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      configuration: { ConnectionArn: connectionArn, FullRepositoryId: 'platform/payments', BranchName: 'main', OutputArtifactFormat: 'CODEBUILD_CLONE_REF', DetectChanges: 'true' },
    });
    expect(pipeline!.stages![1]).toEqual(seeded.stages![1]);
    expect(pipeline!.triggers).toEqual([
      { providerType: 'CodeStarSourceConnection', gitConfiguration: { sourceActionName: 'App', push: [{ branches: { includes: ['main'] } }] } },
    ]);
    expect(withoutVersion({ ...pipeline!, stages: seeded.stages, triggers: undefined })).toEqual(withoutVersion({ ...seeded, triggers: undefined }));

    // The first run fetched the source, and the full-clone build could use the connection.
    const firstRun = done.pipelineAttachment!.firstRun!;
    expect(firstRun).toMatchObject({ how: 'started', status: 'SUCCEEDED' });
    const { pipelineExecution } = await h.pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'payments', pipelineExecutionId: firstRun.pipelineExecutionId }));
    expect(pipelineExecution!.status).toBe('Succeeded');
    expect(done.timeline.map((entry) => entry.step)).toEqual(expect.arrayContaining(['permissions', 'attach', 'first-run', 'done']));

    expect(done.pipelineAttachment).toMatchObject({ stageName: 'Source', actionName: 'App', changed: true, concurrentEdits: 0 });

    // The record keeps the diff for the auditor's drift checks: each path still holds its `after`.
    const record = await storedRecord(created.requestId);
    const diff = record.attachment!.diff!;
    expect(diff.length).toBeGreaterThan(0);
    for (const change of diff) {
      expect(change.path).toMatch(/^\/(stages\/0\/actions\/0\/|triggers)/);
      expect(valueAt(pipeline, change.path)).toEqual(change.after);
    }
    expect(record.grants!.map((grant) => grant.roleName)).toEqual(['payments-pipeline', 'payments-codebuild']);

    // Dual prefix: the same connection under its codeconnections ARN still runs.
    await sandboxControl(h.system, 'POST', '/pipelines/payments/external-edit', {
      declaration: {
        ...withoutVersion(pipeline!),
        stages: [{ ...pipeline!.stages![0]!, actions: [{ ...source, configuration: { ...source.configuration, ConnectionArn: codeconnectionsSpelling(connectionArn) } }] }, pipeline!.stages![1]!],
      },
    });
    const viaNewPrefix = await h.pipelines.send(new StartPipelineExecutionCommand({ name: 'payments' }));
    const rerun = await h.pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'payments', pipelineExecutionId: viaNewPrefix.pipelineExecutionId }));
    expect(rerun.pipelineExecution!.status).toBe('Succeeded');

    // And the CodeBuild role's grant is what lets the full clone work.
    await sandboxControl(h.system, 'DELETE', `/roles/payments-codebuild/policies/${policyName}`);
    const withoutBuildGrant = await h.pipelines.send(new StartPipelineExecutionCommand({ name: 'payments' }));
    const failed = await h.pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'payments', pipelineExecutionId: withoutBuildGrant.pipelineExecutionId }));
    expect(failed.pipelineExecution!.status).toBe('Failed');
  });

  it('keeps an edit someone makes between our read and our write (re-read before UpdatePipeline)', async () => {
    const role = await seedRole(h, 'orders-pipeline');
    await seedPipeline(h, pipelineDeclaration('orders', { role }));
    const created = await requestConnection(h, { name: 'orders', fullRepositoryId: 'platform/orders', branchName: 'main' });
    const waiting = await untilApproval(h, created);

    // Granting takes a while; the teammate's console edit lands meanwhile, after our first read.
    await sandboxControl(h.system, 'PUT', '/faults', { service: 'iam', operation: 'PutRolePolicy', latencyMs: 1500 });
    const readsBefore = await callCount(h, 'codepipeline', 'GetPipeline');
    await approve(h, waiting);
    await eventually(() => callCount(h, 'codepipeline', 'GetPipeline'), (count) => count > readsBefore, 'the attach step to read the pipeline');
    const edit = await sandboxControl<{ change: string; version: number }>(h.system, 'POST', '/pipelines/orders/external-edit');

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'orders' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration?.ConnectionArn).toBe(done.connectionArn);
    // Their change is still there.
    expect(pipeline!.stages![1]!.actions![0]!.configuration?.EnvironmentVariables).toContain('SANDBOX_EXTERNAL_EDIT');
    expect(pipeline!.version).toBe(edit.version + 1);
    expect(done.pipelineAttachment!.concurrentEdits).toBe(1);
    expect(done.timeline.map((entry) => entry.message).join('\n')).toMatch(/changed while we were attaching \(version 1 → 2\); recomputed our change on version 2/);
  });

  it('rebuilds on an edit that lands between our re-read and our write, so it is not lost', async () => {
    const role = await seedRole(h, 'billing-pipeline');
    await seedPipeline(h, pipelineDeclaration('billing', { role }));
    const created = await requestConnection(h, { name: 'billing', fullRepositoryId: 'platform/billing', branchName: 'main' });
    const waiting = await untilApproval(h, created);

    // Our UpdatePipeline is slow to arrive; the other edit is served first and ours overwrites it.
    await sandboxControl(h.system, 'PUT', '/faults', { service: 'codepipeline', operation: 'UpdatePipeline', latencyMs: 1500 });
    const readsBefore = await callCount(h, 'codepipeline', 'GetPipeline');
    await approve(h, waiting);
    // The first read, then the re-read right before the write.
    await eventually(() => callCount(h, 'codepipeline', 'GetPipeline'), (count) => count >= readsBefore + 2, 'the attach step to re-read the pipeline');
    await sandboxControl(h.system, 'POST', '/pipelines/billing/external-edit');
    await sandboxControl(h.system, 'DELETE', '/faults');

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'billing' }));
    expect(pipeline!.stages![0]!.actions![0]!.configuration?.ConnectionArn).toBe(done.connectionArn);
    expect(pipeline!.stages![1]!.actions![0]!.configuration?.EnvironmentVariables).toContain('SANDBOX_EXTERNAL_EDIT');
    expect(pipeline!.version).toBe(4); // 1 seeded, 2 theirs, 3 ours over theirs, 4 ours rebuilt on theirs
    expect(done.timeline.map((entry) => entry.message).join('\n')).toMatch(/landed just before ours; rebuilt our change on it/);
  });

  it('retries the source stage that failed while the connection was PENDING', async () => {
    const role = await seedRole(h, 'search-pipeline');
    await seedPipeline(h, pipelineDeclaration('search', { role }));
    const created = await requestConnection(h, { name: 'search', fullRepositoryId: 'platform/search', branchName: 'main' });
    const waiting = await untilApproval(h, created);

    // The team wires the pipeline to the new connection themselves and runs it: PENDING, so it fails.
    const { pipeline: current } = await h.pipelines.send(new GetPipelineCommand({ name: 'search' }));
    const source = current!.stages![0]!.actions![0]!;
    await sandboxControl(h.system, 'POST', '/pipelines/search/external-edit', {
      declaration: {
        ...withoutVersion(current!),
        stages: [
          {
            ...current!.stages![0]!,
            actions: [
              {
                ...source,
                actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
                configuration: { ConnectionArn: waiting.connectionArn!, FullRepositoryId: 'platform/search', BranchName: 'main', OutputArtifactFormat: 'CODE_ZIP', DetectChanges: 'true' },
              },
            ],
          },
          current!.stages![1]!,
        ],
      },
    });
    const { pipelineExecutionId: failedRun } = await h.pipelines.send(new StartPipelineExecutionCommand({ name: 'search' }));
    const before = await h.pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'search', pipelineExecutionId: failedRun }));
    expect(before.pipelineExecution!.status).toBe('Failed');
    const versionBefore = (await h.pipelines.send(new GetPipelineCommand({ name: 'search' }))).pipeline!.version;

    await approve(h, waiting);
    const done = await inStatus(h, created.requestId, 'COMPLETED');
    expect(done.pipelineAttachment).toMatchObject({ changed: false, firstRun: { how: 'retried', status: 'SUCCEEDED', pipelineExecutionId: failedRun } });
    const after = await h.pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'search', pipelineExecutionId: failedRun }));
    expect(after.pipelineExecution!.status).toBe('Succeeded');
    expect((await h.pipelines.send(new GetPipelineCommand({ name: 'search' }))).pipeline!.version).toBe(versionBefore);
  });

  it('retries the source stage with backoff until the new grant reaches CodePipeline', async () => {
    const role = await seedRole(h, 'ledger-pipeline');
    await seedPipeline(h, pipelineDeclaration('ledger', { role }));
    await sandboxControl(h.system, 'PUT', '/config', { iamPropagationSeconds: 60 });
    const created = await requestConnection(h, { name: 'ledger', fullRepositoryId: 'platform/ledger', branchName: 'main' });
    await approve(h, await untilApproval(h, created));

    const retrying = await eventually(read(h, created.requestId), (request) => (request.pipelineAttachment?.firstRun?.retries ?? 0) >= 1, 'a failed first run');
    expect(retrying.status).toBe('ATTACHING_PIPELINE');
    expect(retrying.pipelineAttachment!.firstRun!.lastError).toMatch(/UseConnection/);
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 120 });

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    expect(done.pipelineAttachment!.firstRun).toMatchObject({ how: 'started', status: 'SUCCEEDED' });
    expect(done.timeline.map((entry) => entry.message).join('\n')).toMatch(/retrying while IAM changes propagate/);
  });

  it('rolls back after a later failure: restores the source action and trigger, and removes the policies it added', async () => {
    const role = await seedRole(h, 'catalog-pipeline', {
      existing: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::source-bucket/*' }] },
    });
    const seeded = await seedPipeline(h, pipelineDeclaration('catalog', { role }));
    // Nothing can start the pipeline: the first run keeps failing until the workflow gives up.
    await sandboxControl(h.system, 'PUT', '/faults', { service: 'codepipeline', operation: 'StartPipelineExecution', errorRate: 1 });
    const created = await requestConnection(h, { name: 'catalog', fullRepositoryId: 'platform/catalog', branchName: 'main', trigger: true });
    await approve(h, await untilApproval(h, created));

    const failed = await eventually(
      async () => {
        await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 120 });
        return read(h, created.requestId)();
      },
      (request) => request.status === 'FAILED',
      'the request to fail and roll back',
    );
    expect(failed.failure?.code).toBe('InternalFailure');
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'catalog' }));
    expect(withoutVersion(pipeline!)).toEqual(withoutVersion(seeded));
    const { PolicyNames } = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'catalog-pipeline' }));
    expect(PolicyNames).toEqual(['existing']);
    expect(failed.timeline.map((entry) => entry.message).join('\n')).toMatch(/Restored the source action of catalog[\s\S]*Removed inline policy UseConnection-/);
  });

  it('rolls back on cancel once attached', async () => {
    const role = await seedRole(h, 'media-pipeline');
    const seeded = await seedPipeline(h, pipelineDeclaration('media', { role }));
    await sandboxControl(h.system, 'PUT', '/faults', { service: 'codepipeline', operation: 'StartPipelineExecution', errorRate: 1 });
    const created = await requestConnection(h, { name: 'media', fullRepositoryId: 'platform/media', branchName: 'main' });
    await approve(h, await untilApproval(h, created));
    await eventually(read(h, created.requestId), (request) => request.timeline.some((entry) => entry.message.startsWith('Attached the connection to media')), 'the attach');

    const cancelled = await api<RequestBody>(h.system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: h.alice });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    expect(cancelled.body.status).toBe('ROLLING_BACK');
    const done = await afterCancelWait(created.requestId, 'CANCELLED');
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'media' }));
    expect(withoutVersion(pipeline!)).toEqual(withoutVersion(seeded));
    await expect(h.iam.send(new GetRolePolicyCommand({ RoleName: 'media-pipeline', PolicyName: `UseConnection-${done.connectionArn!.split('/').at(-1)}` }))).rejects.toBeInstanceOf(
      NoSuchEntityException,
    );
    expect(done.timeline.map((entry) => entry.message).join('\n')).toMatch(/Restored the source action of media[\s\S]*Removed inline policy UseConnection-/);
    expect((await api(h.system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: h.alice })).status).toBe(409);
  });

  it('does not attach after a cancel: the step still running when the execution stopped leaves the pipeline alone', async () => {
    const role = await seedRole(h, 'books-pipeline');
    const seeded = await seedPipeline(h, pipelineDeclaration('books', { role }));
    const created = await requestConnection(h, { name: 'books', fullRepositoryId: 'platform/books', branchName: 'main' });
    const waiting = await untilApproval(h, created);
    // The attach step is slow to grant (IAM answers after 3 s): the cancel lands while it runs.
    await sandboxControl(h.system, 'PUT', '/faults', { service: 'iam', operation: 'PutRolePolicy', latencyMs: 3000 });
    await approve(h, waiting);
    // The grant is recorded before it is made: from here the step is inside PutRolePolicy.
    await eventually(read(h, created.requestId), (request) => (request.pipelineAttachment?.grantedPolicies.length ?? 0) > 0, 'the grant to be recorded', 10_000);
    const cancelled = await api<RequestBody>(h.system, 'POST', `/v1/connection-requests/${created.requestId}/cancel`, { token: h.alice });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    expect(await sandboxControl(h.system, 'GET', `/executions/${created.requestId}`)).toMatchObject({ status: 'ABORTED' });

    // Lambda runs on after StopExecution: the step finishes its grant, then refuses to write the pipeline.
    const policyName = `UseConnection-${waiting.connectionArn!.split('/').at(-1)}`;
    await eventually(
      async () => (await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'books-pipeline' }))).PolicyNames ?? [],
      (names) => names.includes(policyName),
      'the running step to make its grant',
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { pipeline: meanwhile } = await h.pipelines.send(new GetPipelineCommand({ name: 'books' }));
    expect(withoutVersion(meanwhile!)).toEqual(withoutVersion(seeded));
    expect(meanwhile!.version).toBe(seeded.version);
    const record = await storedRecord(created.requestId);
    expect(record.status).toBe('ROLLING_BACK');
    expect(record.attachment).toBeUndefined();

    // After the wait the workflow rolls back the grant the step made, and there is nothing to restore.
    const done = await afterCancelWait(created.requestId, 'CANCELLED');
    const messages = done.timeline.map((entry) => entry.message);
    expect(messages.join('\n')).toMatch(/Removed inline policy UseConnection-/);
    expect(messages.join('\n')).not.toMatch(/Attached the connection|Restored the source action/);
    const { PolicyNames } = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'books-pipeline' }));
    expect(PolicyNames).toEqual([]);
    const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: 'books' }));
    expect(pipeline!.version).toBe(seeded.version);
  });

  it('refuses a trigger on a V1 pipeline at request time (422), before anything is created', async () => {
    const role = await seedRole(h, 'legacy-pipeline');
    await seedPipeline(h, pipelineDeclaration('legacy', { role, pipelineType: 'V1' }));
    const answer = await api<Problem>(h.system, 'POST', '/v1/connection-requests', {
      token: h.alice,
      body: { providerEndpoint: 'https://ghe.example.com', pipeline: { name: 'legacy', fullRepositoryId: 'platform/legacy', branchName: 'main', trigger: true } },
      idempotencyKey: nextKey(),
    });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('TriggerNotPossible');
    expect(answer.body.errors[0]!.path).toBe('pipeline.trigger');
  });
});

