import { readFileSync } from 'node:fs';
import { CodeStarConnectionsClient, ListTagsForResourceCommand } from '@aws-sdk/client-codestar-connections';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxControl } from './local-system.ts';
import { ACCOUNT, approve, callCount, harness, inStatus, pipelineDeclaration, requestConnection, seedPipeline, untilApproval } from './pipeline-attach-helpers.ts';

/**
 * The tag-based grant end to end (GRANT_PIPELINE_PERMISSIONS=tag-based): the broker writes no IAM.
 * The platform tagged the pipeline role with its team and installed the one shipped policy; the
 * broker tags the connection for that team, and the sandbox (which evaluates the policy's
 * aws:ResourceTag and ${aws:PrincipalTag} conditions as IAM does) lets the pipeline's source run.
 * The roles live outside grantableRoles (role/teams/…) on purpose: nothing is written to them.
 */
const TEMPLATE = JSON.parse(readFileSync(new URL('../../infra/iam/pipeline-role-use-tagged-connections.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const teamRole = (name: string) => `arn:aws:iam::${ACCOUNT}:role/teams/${name}`;

describe('attaching with the tag-based grant (GRANT_PIPELINE_PERMISSIONS=tag-based)', () => {
  const h = harness({ GRANT_PIPELINE_PERMISSIONS: 'tag-based' });
  let connections: CodeStarConnectionsClient;
  beforeAll(() => {
    connections = new CodeStarConnectionsClient({ endpoint: h.system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  afterAll(() => connections?.destroy());

  const seedTeamRole = (roleName: string, tags: Record<string, string>) =>
    sandboxControl(h.system, 'POST', '/roles', { roleName, path: '/teams/', tags, inlinePolicies: { ConnectionBrokerUseTaggedConnections: TEMPLATE } });
  const connectionTags = async (arn: string) =>
    Object.fromEntries(((await connections.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags ?? []).map((tag) => [tag.Key, tag.Value]));

  it("tags the connection for the role's team, writes no IAM, and the pipeline's source runs", async () => {
    await seedTeamRole('payments-pipeline', { 'connection-broker:team': 'payments' });
    await seedPipeline(h, pipelineDeclaration('payments', { role: teamRole('payments-pipeline') }));
    const putsBefore = await callCount(h, 'iam', 'PutRolePolicy');
    const created = await requestConnection(h, { name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main' });
    await approve(h, await untilApproval(h, created));

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    expect(done.pipelineAttachment!.missingPermissions).toEqual([]);
    expect(done.pipelineAttachment!.grantedPolicies).toEqual([]);
    expect(done.pipelineAttachment!.firstRun).toMatchObject({ status: 'SUCCEEDED' });
    expect(await connectionTags(done.connectionArn!)).toMatchObject({ 'managed-by': 'connection-broker', 'connection-broker:team': 'payments' });
    expect(await callCount(h, 'iam', 'PutRolePolicy')).toBe(putsBefore);
    const { PolicyNames } = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'payments-pipeline' }));
    expect(PolicyNames).toEqual(['ConnectionBrokerUseTaggedConnections']);
  });

  it('says a platform administrator must tag a role that carries no team, and tags nothing', async () => {
    await seedTeamRole('orders-pipeline', {});
    await seedPipeline(h, pipelineDeclaration('orders', { role: teamRole('orders-pipeline') }));
    const created = await requestConnection(h, { name: 'orders', fullRepositoryId: 'platform/orders', branchName: 'main' });
    await approve(h, await untilApproval(h, created));

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    expect(done.pipelineAttachment!.missingPermissions).toEqual([expect.objectContaining({ roleArn: teamRole('orders-pipeline'), detail: expect.stringContaining('no connection-broker:team tag') })]);
    const attention = (done as unknown as { attention: { actor: string; message: string }[] }).attention;
    expect(attention).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: 'platform-admin', message: expect.stringContaining('tag the role connection-broker:team=<team>') })]),
    );
    expect(await connectionTags(done.connectionArn!)).not.toHaveProperty('connection-broker:team');
  });
});
