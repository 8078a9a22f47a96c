import { CodeBuildClient, DeleteProjectCommand } from '@aws-sdk/client-codebuild';
import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, GetConnectionCommand, GetHostCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, sandboxControl, tokenFor, type Problem } from './local-system.ts';
import {
  approve,
  harness,
  inStatus,
  pipelineDeclaration,
  read,
  requestConnection,
  seedPipeline,
  seedRole,
  untilApproval,
  type Harness,
  type RequestBody,
} from './pipeline-attach-helpers.ts';

/**
 * Day two, end to end over HTTP through the local system (packaged bundles, IAM enforced). A
 * connection the broker made is retired with DELETE /v1/connections/{id}. The guard refuses while a
 * pipeline uses it and changes nothing; with detach the pipeline gets its previous source action
 * back, the grants go, the connection and its now unused host are deleted, and the request is the
 * tombstone. An owner's decommission waits for the approvers, who may refuse it. A host the broker
 * made gets a new endpoint with PATCH /v1/hosts/{id}: back to PENDING, its admin sets it up again,
 * and the request that made it is COMPLETED again, its host now reused for the new endpoint.
 */

interface DecommissionedView extends RequestBody {
  providerEndpoint?: string;
  hostUpdate?: { by: string; providerEndpoint?: { from: string; to: string }; vpcConfigurationChanged: boolean; finishedAt?: string; abandoned?: { code: string } };
  waitingFor?: { what: string; who: string };
  nextAction: { stage: string; actor: string; message: string } | null;
  decommission?: {
    by: string;
    detach: boolean;
    approval: string;
    reason?: string;
    usedBy: { kind: string; name: string; where?: string; restorable?: boolean }[];
    finishedAt?: string;
    abandoned?: { code: string; message: string };
  };
}

const connectionIdOf = (arn: string) => arn.split('/').at(-1)!;

async function completedRequest(h: Harness, pipelineName: string): Promise<{ request: RequestBody; seededSource: unknown }> {
  const role = await seedRole(h, `${pipelineName}-pipeline`);
  const seeded = await seedPipeline(h, pipelineDeclaration(pipelineName, { role }));
  const created = await requestConnection(h, { name: pipelineName, fullRepositoryId: `platform/${pipelineName}`, branchName: 'main' });
  await approve(h, await untilApproval(h, created));
  return { request: await inStatus(h, created.requestId, 'COMPLETED'), seededSource: seeded.stages![0]!.actions![0] };
}

async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return true;
    throw error;
  }
}

describe('decommissioning a connection (DELETE /v1/connections/{id})', () => {
  const h = harness();
  let connections: CodeStarConnectionsClient;
  let bob: string;
  beforeAll(async () => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    bob = await tokenFor('bob@example.com');
  }, 60_000);
  afterAll(() => connections?.destroy());

  const untilSettled = (requestId: string, status: string) =>
    inStatus(h, requestId, status) as Promise<DecommissionedView>;

  it('refuses while a pipeline uses it, changing nothing; with detach restores the pipeline, removes the grant, and deletes the connection and its unused host', async () => {
    const { request, seededSource } = await completedRequest(h, 'ledger');
    const connectionArn = request.connectionArn!;
    const id = connectionIdOf(connectionArn);

    const refused = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('ConnectionInUse');
    expect(refused.body.errors).toEqual([{ path: 'usedBy.pipeline.ledger', message: expect.stringContaining('detach: true restores') }]);
    // Nothing changed: the request, the connection and the pipeline are as they were.
    expect((await read(h, request.requestId)()).status).toBe('COMPLETED');
    expect((await connections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }))).Connection?.ConnectionStatus).toBe('AVAILABLE');
    const attached = (await h.pipelines.send(new GetPipelineCommand({ name: 'ledger' }))).pipeline!.stages![0]!.actions![0]!;
    expect(attached.configuration?.ConnectionArn).toBe(connectionArn);

    const accepted = await api<DecommissionedView>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin, body: { detach: true, reason: 'team moved to GitLab' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.headers.location).toBe(`/v1/connection-requests/${request.requestId}`);
    const done = await untilSettled(request.requestId, 'DECOMMISSIONED');

    // The pipeline has its S3 source back, exactly as it was before the request.
    const restored = (await h.pipelines.send(new GetPipelineCommand({ name: 'ledger' }))).pipeline!.stages![0]!.actions![0]!;
    expect(restored).toEqual(seededSource);
    // The grant is gone, and so are the connection and the host nothing else used.
    const { PolicyNames } = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'ledger-pipeline' }));
    expect(PolicyNames).toEqual([]);
    expect(await gone(() => connections.send(new GetConnectionCommand({ ConnectionArn: connectionArn })))).toBe(true);
    expect(await gone(() => connections.send(new GetHostCommand({ HostArn: request.hostArn! })))).toBe(true);

    // The tombstone: who, when, why, what used it, and each step on the timeline.
    expect(done.decommission).toMatchObject({
      by: 'root@example.com',
      detach: true,
      approval: 'none',
      reason: 'team moved to GitLab',
      usedBy: [{ kind: 'pipeline', name: 'ledger', where: 'Source/App', restorable: true }],
      finishedAt: expect.any(String),
    });
    expect(done.connectionArn).toBe(connectionArn);
    expect(done.nextAction).toBeNull();
    const said = done.timeline.filter((entry) => entry.step === 'decommission').map((entry) => entry.message);
    expect(said).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Restored the source action of ledger'),
        expect.stringContaining(`Deleted connection ${connectionArn}`),
        expect.stringContaining(`Deleted host ${request.hostArn}`),
        expect.stringContaining('tombstone'),
      ]),
    );

    const again = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('AlreadyDecommissioned');

    // The console's graph now shows the decommission machine's run, read from its history (the api's
    // GetExecutionHistory grant on decommission executions, under IAM enforcement); others see nothing.
    const workflow = await api<{ workflow: string; executionStatus: string; steps: { state: string }[]; current?: string }>(h.system, 'GET', `/v1/connection-requests/${request.requestId}/workflow`, { token: h.admin });
    expect(workflow.status, JSON.stringify(workflow.body)).toBe(200);
    expect(workflow.body).toMatchObject({ workflow: 'decommission', executionStatus: 'SUCCEEDED' });
    expect(workflow.body.current).toBeUndefined();
    expect(workflow.body.steps.length).toBeGreaterThan(2);
    expect((await api<Problem>(h.system, 'GET', `/v1/connection-requests/${request.requestId}/workflow`, { token: bob })).status).toBe(404);
  });

  it("waits for the approvers on an owner's decommission: refused, the connection stays; allowed, it goes", async () => {
    const { request } = await completedRequest(h, 'orders');
    const id = connectionIdOf(request.connectionArn!);

    // Someone else's connection is not theirs to see, and a bad body names its field.
    const stranger = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: bob, body: { detach: true } });
    expect(stranger.status).toBe(404);
    const badBody = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.alice, body: { detach: 'yes', force: true } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors!.map((error) => error.path).sort()).toEqual(['', 'detach']);

    const asked = await api<DecommissionedView>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.alice, body: { detach: true } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    // The approvers have been asked once the request says whom it waits for.
    const waiting = await eventually(read(h, request.requestId), (current) => (current as DecommissionedView).waitingFor !== undefined, 'the approvers asked') as DecommissionedView;
    expect(waiting.status).toBe('WAITING_FOR_DECOMMISSION_APPROVAL');
    expect(waiting.nextAction).toMatchObject({ stage: 'decommission-approval' });
    expect(waiting.nextAction!.message).toContain(`/v1/connection-requests/${request.requestId}/approve`);
    const twice = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.alice, body: { detach: true } });
    expect(twice.body.code).toBe('DecommissionUnderWay');

    const rejected = await api(h.system, 'POST', `/v1/connection-requests/${request.requestId}/reject`, { token: h.admin });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const kept = await untilSettled(request.requestId, 'COMPLETED');
    expect(kept.decommission!.abandoned).toMatchObject({ code: 'Rejected' });
    expect((await connections.send(new GetConnectionCommand({ ConnectionArn: request.connectionArn }))).Connection?.ConnectionStatus).toBe('AVAILABLE');
    const stillAttached = (await h.pipelines.send(new GetPipelineCommand({ name: 'orders' }))).pipeline!.stages![0]!.actions![0]!;
    expect(stillAttached.configuration?.ConnectionArn).toBe(request.connectionArn);

    const askedAgain = await api<DecommissionedView>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.alice, body: { detach: true } });
    expect(askedAgain.status).toBe(202);
    await eventually(read(h, request.requestId), (current) => (current as DecommissionedView).waitingFor !== undefined, 'the approvers asked again');
    const allowed = await api(h.system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: h.admin });
    expect(allowed.status, JSON.stringify(allowed.body)).toBe(200);
    const done = await untilSettled(request.requestId, 'DECOMMISSIONED');
    expect(done.decommission).toMatchObject({ by: 'alice@example.com', approval: 'approvers' });
    expect(done.timeline.map((entry) => entry.message)).toEqual(expect.arrayContaining(['Allowed the decommission.', expect.stringContaining('Refused the decommission')]));
    expect(await gone(() => connections.send(new GetConnectionCommand({ ConnectionArn: request.connectionArn })))).toBe(true);
  });

  it("gives a host a new endpoint: back to PENDING, its admin sets it up again, and new requests for that endpoint reuse it", async () => {
    const { request } = await completedRequest(h, 'inventory');
    const hostArn = request.hostArn!;
    const id = hostArn.split('/').at(-1)!;
    // A second request reused the host: it follows the host's new endpoint too.
    const { request: reuser } = await completedRequest(h, 'inventory-b');
    expect(reuser.hostArn).toBe(hostArn);

    // Refused before anything changes: nothing to change, a VPC for a public host, an endpoint off the allow-list, someone else's host.
    const nothing = await api<Problem>(h.system, 'PATCH', `/v1/hosts/${id}`, { token: h.alice, body: {} });
    expect(nothing.status).toBe(400);
    const vpc = await api<Problem>(h.system, 'PATCH', `/v1/hosts/${id}`, {
      token: h.alice,
      body: { vpcConfiguration: { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] } },
    });
    expect(vpc.status).toBe(400);
    expect(vpc.body.errors.map((error) => error.path)).toEqual(['vpcConfiguration']);
    const offList = await api<Problem>(h.system, 'PATCH', `/v1/hosts/${id}`, { token: h.alice, body: { providerEndpoint: 'https://git.elsewhere.test' } });
    expect(offList.status).toBe(403);
    const stranger = await api<Problem>(h.system, 'PATCH', `/v1/hosts/${id}`, { token: bob, body: { providerEndpoint: 'https://ghe2.example.com' } });
    expect(stranger.status).toBe(404);
    expect((await connections.send(new GetHostCommand({ HostArn: hostArn }))).ProviderEndpoint).toBe('https://ghe.example.com');

    const accepted = await api<DecommissionedView>(h.system, 'PATCH', `/v1/hosts/${id}`, { token: h.alice, body: { providerEndpoint: 'https://ghe2.example.com' } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.headers.location).toBe(`/v1/connection-requests/${request.requestId}`);
    const waiting = (await inStatus(h, request.requestId, 'WAITING_FOR_HOST_SETUP')) as DecommissionedView;
    expect(waiting.nextAction).toMatchObject({ stage: 'host-setup' });
    expect(waiting.nextAction!.message).toContain('ghe2.example.com');
    const updating = await api<{ workflow: string; executionStatus: string; current?: string }>(h.system, 'GET', `/v1/connection-requests/${request.requestId}/workflow`, { token: h.alice });
    expect(updating.body).toMatchObject({ workflow: 'host-update', executionStatus: 'RUNNING', current: expect.any(String) });
    const pending = await connections.send(new GetHostCommand({ HostArn: hostArn }));
    expect(pending).toMatchObject({ Status: 'PENDING', ProviderEndpoint: 'https://ghe2.example.com' });
    // Cancelling now would roll back the whole request, not the host's change.
    const cancel = await api<Problem>(h.system, 'POST', `/v1/connection-requests/${request.requestId}/cancel`, { token: h.alice });
    expect(cancel.body.code).toBe('HostUpdateUnderWay');

    // The admin sets it up in the console; the watcher's next sweep notices.
    await sandboxControl(h.system, 'POST', '/hosts/complete-setup', { hostArn });
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 60 });
    const done = (await inStatus(h, request.requestId, 'COMPLETED')) as DecommissionedView;
    expect(done.providerEndpoint).toBe('https://ghe2.example.com');
    expect(done.hostUpdate).toMatchObject({ by: 'alice@example.com', providerEndpoint: { from: 'https://ghe.example.com', to: 'https://ghe2.example.com' }, finishedAt: expect.any(String) });
    expect(done.hostUpdate!.abandoned).toBeUndefined();
    expect((await connections.send(new GetHostCommand({ HostArn: hostArn }))).Status).toBe('AVAILABLE');
    expect(done.timeline.filter((entry) => entry.step === 'host-update').map((entry) => entry.message)).toEqual([
      expect.stringContaining('Asked to update host'),
      expect.stringContaining('its admin must set it up again'),
      expect.stringContaining('AVAILABLE again'),
    ]);

    // The host-reuse lock moved with the endpoint: a request for ghe2 reuses this host.
    await seedPipeline(h, pipelineDeclaration('inventory-two', { role: await seedRole(h, 'inventory-two-pipeline') }));
    const next = await requestConnection(h, { name: 'inventory-two', fullRepositoryId: 'platform/inventory-two', branchName: 'main' }, { providerEndpoint: 'https://ghe2.example.com' });
    const reused = await eventually(read(h, next.requestId), (current) => current.hostArn !== undefined, 'the host chosen');
    expect(reused.hostArn).toBe(hostArn);
    const follower = (await read(h, reuser.requestId)()) as DecommissionedView;
    expect(follower.providerEndpoint).toBe('https://ghe2.example.com');
    expect(follower.timeline.at(-1)!.message).toContain(`was updated by request ${request.requestId}`);
  });

  it('refuses while a CodeBuild project builds from the connection, whatever detach says, and goes once the project is gone', async () => {
    const { request } = await completedRequest(h, 'billing');
    const connectionArn = request.connectionArn!;
    const id = connectionIdOf(connectionArn);
    // The project names the connection under the other ARN prefix: still the same connection.
    const otherPrefix = connectionArn.includes(':codeconnections:')
      ? connectionArn.replace(':codeconnections:', ':codestar-connections:')
      : connectionArn.replace(':codestar-connections:', ':codeconnections:');
    await sandboxControl(h.system, 'POST', '/codebuild/projects', {
      name: 'billing-docs',
      serviceRole: await seedRole(h, 'billing-docs-build'),
      source: { type: 'GITHUB_ENTERPRISE', location: 'https://ghe.example.com/platform/billing-docs.git', auth: { type: 'CODECONNECTIONS', resource: otherPrefix } },
    });

    const refused = await api<Problem>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin, body: { detach: true } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.code).toBe('ConnectionInUse');
    // Only the project is in the way: detach would restore the pipeline the broker attached.
    expect(refused.body.errors).toEqual([{ path: 'usedBy.codebuild-project.billing-docs', message: expect.stringContaining('point the project at another connection first') }]);
    expect((await read(h, request.requestId)()).status).toBe('COMPLETED');
    expect((await connections.send(new GetConnectionCommand({ ConnectionArn: connectionArn }))).Connection?.ConnectionStatus).toBe('AVAILABLE');

    const codeBuild = new CodeBuildClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      await codeBuild.send(new DeleteProjectCommand({ name: 'billing-docs' }));
    } finally {
      codeBuild.destroy();
    }
    const accepted = await api<DecommissionedView>(h.system, 'DELETE', `/v1/connections/${id}`, { token: h.admin, body: { detach: true } });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const done = await untilSettled(request.requestId, 'DECOMMISSIONED');
    expect(done.decommission!.usedBy).toEqual([{ kind: 'pipeline', name: 'billing', where: 'Source/App', restorable: true }]);
    expect(await gone(() => connections.send(new GetConnectionCommand({ ConnectionArn: connectionArn })))).toBe(true);
  });
});
