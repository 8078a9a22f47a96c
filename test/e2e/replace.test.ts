import { GetPipelineCommand } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, GetConnectionCommand, GetHostCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../infra/local/sandbox/call-log.ts';
import { sameConnection } from '../../functions/attach/source-action.ts';
import { api, eventually, sandboxControl, type Problem } from './local-system.ts';
import { approve, harness, inStatus, pipelineDeclaration, read, requestConnection, seedPipeline, seedRole, untilApproval, type RequestBody } from './pipeline-attach-helpers.ts';

/**
 * Replacing a connection end to end over HTTP (packaged bundles, IAM enforced): a new
 * `codeconnections` connection on the same host takes over two pipelines (one the broker attached,
 * one a team pointed at the connection by hand), then the old connection is decommissioned. The
 * sandbox's change trail shows that no pipeline ever pointed at a connection when it was deleted.
 */

interface ReplacementView extends RequestBody {
  replaces?: { requestId: string; connectionArn: string; pipelines: string[] };
  repointed?: { pipelineName: string; actions: string[]; pipelineExecutionId?: string }[];
  replacedBy?: string;
}

describe('replacing a connection (POST /v1/connections/{id}/replace)', () => {
  const h = harness();
  let connections: CodeStarConnectionsClient;
  beforeAll(() => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => connections?.destroy());

  it('moves both pipelines to a new codeconnections connection, then deletes the old one, with no pipeline ever on a deleted connection', async () => {
    const alphaRole = await seedRole(h, 'alpha-pipeline');
    await seedPipeline(h, pipelineDeclaration('alpha', { role: alphaRole }));
    const created = await requestConnection(h, { name: 'alpha', fullRepositoryId: 'platform/alpha', branchName: 'main' });
    await approve(h, await untilApproval(h, created));
    const old = await inStatus(h, created.requestId, 'COMPLETED');
    const oldArn = old.connectionArn!;
    // A team pointed a second pipeline at the same connection by hand (its role may use it too).
    const betaRole = await seedRole(h, 'beta-pipeline');
    // Its name has a '.', which CodePipeline's run tokens may not contain.
    const beta = pipelineDeclaration('beta.app', { role: betaRole });
    beta.stages![0]!.actions![0] = {
      ...beta.stages![0]!.actions![0]!,
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      configuration: { ConnectionArn: oldArn, FullRepositoryId: 'platform/beta', BranchName: 'main' },
    };
    await seedPipeline(h, beta);
    await sandboxControl(h.system, 'DELETE', '/calls');

    const refused = await api<Problem>(h.system, 'POST', `/v1/connections/${oldArn.split('/').at(-1)}/replace`, { token: h.alice, body: { arnPrefix: 'ftp' } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((error) => error.path)).toEqual(['arnPrefix']);

    const accepted = await api<ReplacementView>(h.system, 'POST', `/v1/connections/${oldArn.split('/').at(-1)}/replace`, { token: h.alice });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body.replaces).toEqual({ requestId: old.requestId, connectionArn: oldArn, pipelines: ['alpha', 'beta.app'] });
    const again = await api<Problem>(h.system, 'POST', `/v1/connections/${oldArn.split('/').at(-1)}/replace`, { token: h.alice });
    expect(again.body.code).toBe('ReplacementUnderWay');
    // Nor may the old connection go meanwhile: the replacement's rollback would point the pipelines back at it.
    const early = await api<Problem>(h.system, 'DELETE', `/v1/connections/${oldArn.split('/').at(-1)}`, { token: h.admin, body: { detach: true } });
    expect(early.body.code).toBe('ReplacementUnderWay');

    // The same waits and approvals as any request: the host is reused, the new connection's handshake is asked for.
    const waiting = await untilApproval(h, accepted.body);
    expect(waiting.hostArn).toBe(old.hostArn);
    expect(waiting.connectionArn).toMatch(/^arn:aws:codeconnections:/);
    await approve(h, waiting);
    const done = (await inStatus(h, accepted.body.requestId, 'COMPLETED')) as ReplacementView;
    const newArn = done.connectionArn!;
    expect(done.repointed!.map((entry) => [entry.pipelineName, entry.actions, typeof entry.pipelineExecutionId])).toEqual([
      ['alpha', ['Source/App'], 'string'],
      ['beta.app', ['Source/App'], 'string'],
    ]);
    for (const name of ['alpha', 'beta.app']) {
      const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name }));
      expect(pipeline!.stages![0]!.actions![0]!.configuration!.ConnectionArn).toBe(newArn);
    }

    // Then the old connection goes: its request is the tombstone, its grant is gone, the host stays for the new one.
    const retired = (await eventually(read(h, old.requestId), (current) => current.status === 'DECOMMISSIONED', 'the old connection decommissioned')) as ReplacementView;
    expect(retired.replacedBy).toBe(done.requestId);
    await expect(connections.send(new GetConnectionCommand({ ConnectionArn: oldArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await connections.send(new GetConnectionCommand({ ConnectionArn: newArn }))).Connection?.ConnectionStatus).toBe('AVAILABLE');
    expect((await connections.send(new GetHostCommand({ HostArn: old.hostArn }))).Status).toBe('AVAILABLE');
    const newPolicy = `UseConnection-${newArn.split('/').at(-1)}`;
    expect((await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'alpha-pipeline' }))).PolicyNames).toEqual([newPolicy]);
    expect((await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'beta-pipeline' }))).PolicyNames).toEqual([newPolicy]);

    // Replay the sandbox's change trail: what each pipeline names after each change, and at each deletion.
    const { trail } = await sandboxControl<{ trail: Change[] }>(h.system, 'GET', '/calls/trail');
    const naming = new Map<string, string[]>([
      ['alpha', [oldArn]],
      ['beta.app', [oldArn]],
    ]);
    const deletions: string[] = [];
    for (const change of trail) {
      if (change.service === 'codepipeline' && change.operation === 'UpdatePipeline') naming.set(change.subject!, change.connectionArns);
      if (change.operation === 'DeleteConnection') {
        deletions.push(change.subject!);
        for (const [pipeline, arns] of naming) expect(arns.some((arn) => sameConnection(arn, change.subject!)), `${pipeline} names ${change.subject} when it is deleted`).toBe(false);
      }
    }
    expect(deletions).toEqual([oldArn]);
    expect(trail.filter((change) => change.operation === 'UpdatePipeline').map((change) => change.subject)).toEqual(['alpha', 'beta.app']);
  });

  it('repairs a host in ERROR: a new host, each connection on the old one replaced there with its pipeline, and the old host deleted at the end', async () => {
    const endpoint = { providerEndpoint: 'https://ghe3.example.com' };
    const completed: RequestBody[] = [];
    for (const name of ['gamma', 'delta']) {
      await seedPipeline(h, pipelineDeclaration(name, { role: await seedRole(h, `${name}-pipeline`) }));
      const created = await requestConnection(h, { name, fullRepositoryId: `platform/${name}`, branchName: 'main' }, endpoint);
      await approve(h, await untilApproval(h, created));
      completed.push(await inStatus(h, created.requestId, 'COMPLETED'));
    }
    const oldHost = completed[0]!.hostArn!;
    expect(completed[1]!.hostArn).toBe(oldHost);
    const hostId = oldHost.split('/').at(-1)!;

    const working = await api<Problem>(h.system, 'POST', `/v1/hosts/${hostId}/repair`, { token: h.alice });
    expect(working.body.code).toBe('HostNotInError');
    // Its GitHub App was deleted: the host and both connections are in ERROR.
    await sandboxControl(h.system, 'POST', '/hosts/break', { hostArn: oldHost });

    const repair = await api<{ hostArn: string; replacements: ReplacementView[] }>(h.system, 'POST', `/v1/hosts/${hostId}/repair`, { token: h.alice });
    expect(repair.status, JSON.stringify(repair.body)).toBe(202);
    expect(repair.body.replacements.map((request) => request.replaces!.pipelines).sort()).toEqual([['delta'], ['gamma']]);

    // The first replacement makes the new host; its admin sets it up once, and both go on to their handshakes.
    const replaced: ReplacementView[] = [];
    for (const replacement of repair.body.replacements) {
      const waiting = await untilApproval(h, replacement);
      expect(waiting.hostArn).not.toBe(oldHost);
      await approve(h, waiting);
      replaced.push((await inStatus(h, replacement.requestId, 'COMPLETED')) as ReplacementView);
    }
    expect(replaced[0]!.hostArn).toBe(replaced[1]!.hostArn);
    expect((await connections.send(new GetHostCommand({ HostArn: replaced[0]!.hostArn }))).Status).toBe('AVAILABLE');
    for (const request of replaced) {
      const [pipelineName] = request.replaces!.pipelines;
      const { pipeline } = await h.pipelines.send(new GetPipelineCommand({ name: pipelineName }));
      expect(pipeline!.stages![0]!.actions![0]!.configuration!.ConnectionArn).toBe(request.connectionArn);
    }
    // Both old connections are decommissioned, and the last one took the broken host with it.
    for (const old of completed) await eventually(read(h, old.requestId), (current) => current.status === 'DECOMMISSIONED', `${old.requestId} decommissioned`);
    await expect(connections.send(new GetHostCommand({ HostArn: oldHost }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
