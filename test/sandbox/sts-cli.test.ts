import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { startTestSandbox } from '../helpers/sandbox.ts';

/**
 * The real AWS CLI v1 (botocore's query protocol for STS, with the project's CLI settings) assumes
 * a role in another account and then signs with the session it got. Few calls: the CLI is slow.
 */
const cli = awsCliRequirement();
const AWS_CONFIG_FILE = fileURLToPath(new URL('../../infra/local/aws-cli.config', import.meta.url));
const ROLE_ARN = 'arn:aws:iam::222222222222:role/deployer';

describe.skipIf(cli.skip)('STS through the AWS CLI', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    cli.assertAvailable();
    sandbox = await startTestSandbox();
    const iam = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: { accessKeyId: '222222222222', secretAccessKey: 'test' } });
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'cli-ext' } } }],
    };
    await iam.send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    iam.destroy();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('assumes a role, refuses a wrong external id, and reports the session as the caller', async () => {
    const assume = (externalId: string) =>
      runAwsCli(sandbox, ['sts', 'assume-role', '--role-arn', ROLE_ARN, '--role-session-name', 'cli', '--external-id', externalId], {
        accessKeyId: '111111111111',
        env: { AWS_CONFIG_FILE },
      });

    const assumed = await assume('cli-ext');
    expect(assumed.code, assumed.stderr).toBe(0);
    const { Credentials, AssumedRoleUser } = assumed.json as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
      AssumedRoleUser: { Arn: string };
    };
    expect(Credentials.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(Credentials.Expiration).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\+00:00|Z)$/);
    expect(AssumedRoleUser.Arn).toBe('arn:aws:sts::222222222222:assumed-role/deployer/cli');

    const refused = await assume('wrong-ext');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
    );

    const identity = await runAwsCli(sandbox, ['sts', 'get-caller-identity'], {
      env: { AWS_CONFIG_FILE, AWS_ACCESS_KEY_ID: Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: Credentials.SecretAccessKey, AWS_SESSION_TOKEN: Credentials.SessionToken },
    });
    expect(identity.code, identity.stderr).toBe(0);
    expect(identity.json).toMatchObject({ Account: '222222222222', Arn: 'arn:aws:sts::222222222222:assumed-role/deployer/cli' });
    expect((identity.json as { UserId: string }).UserId).toMatch(/^AROA[A-Z0-9]{17}:cli$/);
  });
});
