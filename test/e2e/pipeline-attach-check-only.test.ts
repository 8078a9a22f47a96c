import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { approve, codeconnectionsSpelling, harness, inStatus, pipelineDeclaration, requestConnection, roleArn, seedPipeline, seedRole, untilApproval } from './pipeline-attach-helpers.ts';

/**
 * The attach with GRANT_PIPELINE_PERMISSIONS=false, end to end: the platform manages IAM itself, so
 * the broker only checks the roles' inline policies and reports what is missing, without failing.
 */

describe('attaching with grants switched off (GRANT_PIPELINE_PERMISSIONS=false)', () => {
  const h = harness({ GRANT_PIPELINE_PERMISSIONS: 'false' });

  it('reports what the pipeline role lacks, adds no policy, skips the first run, and completes', async () => {
    await seedRole(h, 'reports-pipeline');
    await seedPipeline(h, pipelineDeclaration('reports', { role: roleArn('reports-pipeline') }));
    const created = await requestConnection(h, { name: 'reports', fullRepositoryId: 'platform/reports', branchName: 'main' });
    await approve(h, await untilApproval(h, created));

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    const attachment = done.pipelineAttachment!;
    expect(attachment.grantedPolicies).toEqual([]);
    expect(attachment.missingPermissions).toEqual([
      expect.objectContaining({
        roleArn: roleArn('reports-pipeline'),
        purpose: 'pipeline role',
        missing: [`codestar-connections:UseConnection on ${done.connectionArn}`, `codeconnections:UseConnection on ${codeconnectionsSpelling(done.connectionArn!)}`],
      }),
    ]);
    expect(attachment.firstRun).toMatchObject({ how: 'skipped', status: 'SKIPPED' });
    const { PolicyNames } = await h.iam.send(new ListRolePoliciesCommand({ RoleName: 'reports-pipeline' }));
    expect(PolicyNames).toEqual([]);
    expect(done.timeline.map((entry) => entry.message).join('\n')).toMatch(/Action needed \(GRANT_PIPELINE_PERMISSIONS=check-only/);
  });

  it('finds nothing missing when the team granted UseConnection for both prefixes, and runs the pipeline', async () => {
    await seedRole(h, 'ads-pipeline', {
      'team-managed': {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: '*' }],
      },
    });
    await seedPipeline(h, pipelineDeclaration('ads', { role: roleArn('ads-pipeline') }));
    const created = await requestConnection(h, { name: 'ads', fullRepositoryId: 'platform/ads', branchName: 'main' });
    await approve(h, await untilApproval(h, created));

    const done = await inStatus(h, created.requestId, 'COMPLETED');
    expect(done.pipelineAttachment!.missingPermissions).toEqual([]);
    expect(done.pipelineAttachment!.firstRun).toMatchObject({ how: 'started', status: 'SUCCEEDED' });
  });
});
