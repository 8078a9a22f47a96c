import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * The real AWS CLI (botocore's query-protocol parser, its policy-document decoding and its
 * paginator) against the sandbox's IAM. Without `aws` on PATH these tests fail, unless
 * ALLOW_MISSING_AWS_CLI=1 turns that into a warned skip.
 */
const cli = awsCliRequirement();

const TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};
const USE_CONNECTION = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Use the GitHub Enterprise connection',
      Effect: 'Allow',
      Action: ['codestar-connections:UseConnection'],
      Resource: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc',
    },
  ],
};

describe.skipIf(cli.skip)('IAM through the AWS CLI', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    cli.assertAvailable();
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(async () => {
    await control(sandbox, 'POST', '/reset');
  });

  const aws = (...args: string[]) => runAwsCli(sandbox, args);

  async function createRole(roleName: string): Promise<void> {
    const created = await aws('iam', 'create-role', '--role-name', roleName, '--assume-role-policy-document', JSON.stringify(TRUST_POLICY));
    expect(created.code, created.stderr).toBe(0);
  }

  it('creates and gets a role, with the trust policy decoded into JSON', async () => {
    const created = await aws(
      'iam', 'create-role',
      '--role-name', 'pipeline-role',
      '--path', '/service-role/',
      '--assume-role-policy-document', JSON.stringify(TRUST_POLICY),
      '--tags', 'Key=team,Value=platform',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.json).toMatchObject({
      Role: {
        RoleName: 'pipeline-role',
        Path: '/service-role/',
        Arn: 'arn:aws:iam::111111111111:role/service-role/pipeline-role',
        AssumeRolePolicyDocument: TRUST_POLICY,
        Tags: [{ Key: 'team', Value: 'platform' }],
      },
    });

    const fetched = await aws('iam', 'get-role', '--role-name', 'pipeline-role');
    expect(fetched.code, fetched.stderr).toBe(0);
    const role = (fetched.json as { Role: Record<string, unknown> }).Role;
    expect(role).toMatchObject({ RoleName: 'pipeline-role', AssumeRolePolicyDocument: TRUST_POLICY, MaxSessionDuration: 3600 });
    expect(role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(role.CreateDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)$/);
  });

  it('puts, gets, lists and deletes inline policies', async () => {
    await createRole('pipeline-role');
    for (const name of ['use-connection', 'artifacts', 'logs']) {
      const put = await aws('iam', 'put-role-policy', '--role-name', 'pipeline-role', '--policy-name', name, '--policy-document', JSON.stringify(USE_CONNECTION));
      expect(put.code, put.stderr).toBe(0);
      expect(put.stdout.trim()).toBe('');
    }

    const got = await aws('iam', 'get-role-policy', '--role-name', 'pipeline-role', '--policy-name', 'use-connection');
    expect(got.code, got.stderr).toBe(0);
    expect(got.json).toEqual({ RoleName: 'pipeline-role', PolicyName: 'use-connection', PolicyDocument: USE_CONNECTION });

    // --page-size 1 makes the CLI's paginator follow IsTruncated/Marker across three pages.
    const listed = await aws('iam', 'list-role-policies', '--role-name', 'pipeline-role', '--page-size', '1');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.json).toEqual({ PolicyNames: ['artifacts', 'logs', 'use-connection'] });

    const deleted = await aws('iam', 'delete-role-policy', '--role-name', 'pipeline-role', '--policy-name', 'logs');
    expect(deleted.code, deleted.stderr).toBe(0);
    const after = await aws('iam', 'list-role-policies', '--role-name', 'pipeline-role');
    expect(after.json).toEqual({ PolicyNames: ['artifacts', 'use-connection'] });
  });

  it('prints IAM errors on stderr with their code and message', async () => {
    const missing = await aws('iam', 'get-role', '--role-name', 'ghost');
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name ghost cannot be found.');

    await createRole('pipeline-role');
    const malformed = await aws('iam', 'put-role-policy', '--role-name', 'pipeline-role', '--policy-name', 'p', '--policy-document', '{"Version": "2012-10-17"');
    expect(malformed.code).not.toBe(0);
    expect(malformed.stderr).toContain('An error occurred (MalformedPolicyDocument) when calling the PutRolePolicy operation: Syntax errors in policy.');

    await aws('iam', 'put-role-policy', '--role-name', 'pipeline-role', '--policy-name', 'p', '--policy-document', JSON.stringify(USE_CONNECTION));
    const conflict = await aws('iam', 'delete-role', '--role-name', 'pipeline-role');
    expect(conflict.stderr).toContain('An error occurred (DeleteConflict) when calling the DeleteRole operation: Cannot delete entity, must delete policies first.');

    const duplicate = await aws('iam', 'create-role', '--role-name', 'PIPELINE-ROLE', '--assume-role-policy-document', JSON.stringify(TRUST_POLICY));
    expect(duplicate.stderr).toContain('An error occurred (EntityAlreadyExists) when calling the CreateRole operation: Role with name PIPELINE-ROLE already exists.');
  });

  it('lists roles, and sees roles seeded through the control API', async () => {
    await control(sandbox, 'POST', '/roles', { roleName: 'seeded', inlinePolicies: { 'use-connection': USE_CONNECTION } });
    await createRole('cli-made');
    const listed = await aws('iam', 'list-roles', '--page-size', '1');
    expect(listed.code, listed.stderr).toBe(0);
    const roles = (listed.json as { Roles: { RoleName: string; AssumeRolePolicyDocument: unknown }[] }).Roles;
    expect(roles.map((role) => role.RoleName)).toEqual(['cli-made', 'seeded']);
    expect(roles[1]!.AssumeRolePolicyDocument).toEqual(TRUST_POLICY);

    const policy = await aws('iam', 'get-role-policy', '--role-name', 'seeded', '--policy-name', 'use-connection');
    expect((policy.json as { PolicyDocument: unknown }).PolicyDocument).toEqual(USE_CONNECTION);
  });

  it('reaches the account named by a twelve-digit access key', async () => {
    await control(sandbox, 'POST', '/roles?account=222222222222', { roleName: 'elsewhere' });
    const inDefault = await aws('iam', 'get-role', '--role-name', 'elsewhere');
    expect(inDefault.stderr).toContain('(NoSuchEntity)');
    const inOther = await runAwsCli(sandbox, ['iam', 'get-role', '--role-name', 'elsewhere'], { accessKeyId: '222222222222' });
    expect(inOther.code, inOther.stderr).toBe(0);
    expect((inOther.json as { Role: { Arn: string } }).Role.Arn).toBe('arn:aws:iam::222222222222:role/elsewhere');
  });
});
