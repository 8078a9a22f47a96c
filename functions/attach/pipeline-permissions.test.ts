import { BatchGetProjectsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
import { GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { useConnectionPolicy } from './use-connection.ts';
import {
  checkUseConnection,
  existingPolicy,
  isGrant,
  plannedGrant,
  putUseConnectionPolicy,
  rolesNeedingConnection,
} from './pipeline-permissions.ts';
import { ACCOUNT, CONNECTION, FIXTURES } from './test-fixtures.ts';

const iam = mockClient(IAMClient);
const codeBuild = mockClient(CodeBuildClient);
const iamClient = new IAMClient({ region: 'us-east-1' });
const noSuchEntity = (message = 'The role with name r cannot be found.') => new NoSuchEntityException({ message, $metadata: {} });

beforeEach(() => {
  iam.reset();
  codeBuild.reset();
  process.env.AWS_REGION = 'us-east-1';
});

const fanout = FIXTURES.find((fixture) => fixture.declaration.name === 'v2-fanout')!.declaration;
const crossRegion = FIXTURES.find((fixture) => fixture.declaration.name === 'v2-cross-region')!.declaration;

describe('which roles must use the connection', () => {
  it('is the pipeline role for CODE_ZIP, or the source action role when the action has one', async () => {
    expect(await rolesNeedingConnection(fanout, { stageName: 'Source', actionName: 'Repo' }, 'CODE_ZIP')).toEqual({
      roles: [{ roleArn: fanout.roleArn, purpose: 'pipeline role' }],
      unknown: [],
    });
    const { roles } = await rolesNeedingConnection(crossRegion, { stageName: 'Source', actionName: 'App' }, 'CODE_ZIP');
    expect(roles).toEqual([{ roleArn: `arn:aws:iam::${ACCOUNT}:role/source-reader`, purpose: 'source action role' }]);
    expect(codeBuild.calls()).toHaveLength(0);
  });

  it('adds the service roles of the consuming CodeBuild projects for CODEBUILD_CLONE_REF, and reports what it cannot know', async () => {
    codeBuild.on(BatchGetProjectsCommand).resolves({
      projects: [{ name: 'lint-project', serviceRole: `arn:aws:iam::${ACCOUNT}:role/codebuild-lint` }],
      projectsNotFound: ['test-project'],
    });
    const { roles, unknown } = await rolesNeedingConnection(fanout, { stageName: 'Source', actionName: 'Repo' }, 'CODEBUILD_CLONE_REF');
    expect(codeBuild.commandCalls(BatchGetProjectsCommand)[0]!.args[0].input).toEqual({ names: ['lint-project', 'test-project'] });
    expect(roles).toEqual([
      { roleArn: fanout.roleArn, purpose: 'pipeline role' },
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/codebuild-lint`, purpose: 'CodeBuild project lint-project' },
    ]);
    expect(unknown.map((finding) => [finding.purpose, finding.detail])).toEqual([
      ['CodeBuild action Checks/Dynamic', expect.stringContaining('resolved only when the pipeline runs')],
      ['CodeBuild project test-project', expect.stringContaining('does not exist')],
    ]);
  });

  it('asks CodeBuild in the Region a cross-Region action runs in, and merges a role used twice', async () => {
    codeBuild.on(BatchGetProjectsCommand).callsFake(async (input: { names: string[] }) => ({
      projects: input.names.map((name) => ({ name, serviceRole: 'shared-builder' })),
    }));
    const { roles } = await rolesNeedingConnection(crossRegion, { stageName: 'Source', actionName: 'App' }, 'CODEBUILD_CLONE_REF');
    expect(codeBuild.commandCalls(BatchGetProjectsCommand).map((call) => call.args[0].input.names)).toEqual([['buildus-project'], ['buildeu-project']]);
    expect(roles).toEqual([
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/source-reader`, purpose: 'source action role' },
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/shared-builder`, purpose: 'CodeBuild project buildus-project, CodeBuild project buildeu-project' },
    ]);
  });
});

describe('granting and checking', () => {
  const role = { roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/pipeline`, purpose: 'pipeline role' };

  it('plans a grant only for a role of the connection account', () => {
    const planned = plannedGrant(role, CONNECTION);
    expect(planned).toEqual({ ...role, roleName: 'pipeline', policyName: 'UseConnection-7d2469ff-514a-4e4f-9003-5ca4a43cdc41' });
    const foreign = plannedGrant({ roleArn: 'arn:aws:iam::222222222222:role/x', purpose: 'pipeline role' }, CONNECTION);
    expect(isGrant(foreign)).toBe(false);
    expect(foreign).toMatchObject({ detail: expect.stringContaining('account 222222222222') });
  });

  it("grants in the receiving account for a connection shared with AWS RAM, and only there", () => {
    const spokeRole = { roleArn: 'arn:aws:iam::222222222222:role/service-role/pipeline', purpose: 'pipeline role' };
    expect(isGrant(plannedGrant(spokeRole, CONNECTION, '222222222222'))).toBe(true);
    expect(isGrant(plannedGrant(role, CONNECTION, '222222222222'))).toBe(false);
  });

  it('remembers a same-named policy it would replace, and tells a missing role from a missing policy', async () => {
    const planned = plannedGrant(role, CONNECTION);
    if (!isGrant(planned)) throw new Error('expected a grant');
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent('{"Version":"2012-10-17"}') });
    expect(await existingPolicy(iamClient, planned)).toBe('{"Version":"2012-10-17"}');
    iam.reset();
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity('The role policy with name x cannot be found.'));
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
    expect(await existingPolicy(iamClient, planned)).toBeUndefined();
    iam.on(ListRolePoliciesCommand).rejects(noSuchEntity());
    expect(await existingPolicy(iamClient, planned)).toBe('role-missing');
  });

  it('puts the dual-prefix policy', async () => {
    const planned = plannedGrant(role, CONNECTION);
    if (!isGrant(planned)) throw new Error('expected a grant');
    iam.on(PutRolePolicyCommand).resolves({});
    await putUseConnectionPolicy(iamClient, planned, CONNECTION);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input).toEqual({
      RoleName: 'pipeline',
      PolicyName: planned.policyName,
      PolicyDocument: JSON.stringify(useConnectionPolicy(CONNECTION)),
    });
  });

  it("checks the role's inline policies (URL-encoded, paged) and says what is missing and why", async () => {
    iam
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: ['a'], IsTruncated: true, Marker: 'm' })
      .resolvesOnce({ PolicyNames: ['b'], IsTruncated: false });
    iam.on(GetRolePolicyCommand, { PolicyName: 'a' }).resolves({
      PolicyDocument: encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: '*' }] })),
    });
    iam.on(GetRolePolicyCommand, { PolicyName: 'b' }).rejects(noSuchEntity('gone'));
    const finding = await checkUseConnection(iamClient, role, CONNECTION);
    expect(finding).toEqual({
      ...role,
      missing: [`codeconnections:UseConnection on ${CONNECTION.replace(':codestar-connections:', ':codeconnections:')}`],
      detail: expect.stringContaining('managed policies are not checked'),
    });
    expect(iam.commandCalls(ListRolePoliciesCommand)[1]!.args[0].input).toEqual({ RoleName: 'pipeline', Marker: 'm' });
  });

  it('reports an explicit Deny, a missing role, and nothing when both prefixes are allowed', async () => {
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['ours', 'guard'] });
    iam.on(GetRolePolicyCommand, { PolicyName: 'ours' }).resolves({ PolicyDocument: encodeURIComponent(JSON.stringify(useConnectionPolicy(CONNECTION))) });
    iam.on(GetRolePolicyCommand, { PolicyName: 'guard' }).resolves({ PolicyDocument: JSON.stringify({ Statement: [] }) });
    expect(await checkUseConnection(iamClient, role, CONNECTION)).toBeUndefined();
    iam.on(GetRolePolicyCommand, { PolicyName: 'guard' }).resolves({
      PolicyDocument: JSON.stringify({ Statement: [{ Effect: 'Deny', Action: 'codeconnections:*', Resource: '*' }] }),
    });
    expect(await checkUseConnection(iamClient, role, CONNECTION)).toMatchObject({ detail: 'An inline policy of the role explicitly denies it.' });
    iam.on(ListRolePoliciesCommand).rejects(noSuchEntity());
    expect(await checkUseConnection(iamClient, role, CONNECTION)).toMatchObject({ detail: expect.stringContaining('does not exist') });
  });
});
