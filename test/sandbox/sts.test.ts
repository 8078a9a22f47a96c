import { CodeStarConnectionsClient, CreateHostCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandInput, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * STS through the real SDK clients: a role in one account (222222222222) that trusts another
 * (111111111111) with an external id; the session it issues acts in the role's account, is
 * authorised against the role's current policies, and expires on the sandbox clock.
 */
const TRUSTED_ACCOUNT = '111111111111';
const ROLE_ACCOUNT = '222222222222';
const ROLE_ARN = `arn:aws:iam::${ROLE_ACCOUNT}:role/deployer`;
const EXTERNAL_ID = 'broker-7f3a';
const SESSION_ARN = `arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/deployer/build`;

const TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${TRUSTED_ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
    },
  ],
};
const policy = (...actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

let sandbox: Sandbox;
const clients: { destroy(): void }[] = [];

/** A client of any service, signed with these credentials (a twelve-digit key is that account's administrator). */
function as<T extends { destroy(): void }>(Client: new (config: object) => T, credentials: string | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): T {
  const resolved = typeof credentials === 'string' ? { accessKeyId: credentials, secretAccessKey: 'test' } : credentials;
  const client = new Client({ endpoint: sandbox.url, region: 'us-east-1', credentials: resolved, maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** The role's account administrator creates the role and its inline policy through IAM. */
async function createDeployerRole(permissions = policy('codestar-connections:CreateHost', 'codestar-connections:ListHosts')): Promise<string> {
  const iam = as(IAMClient, ROLE_ACCOUNT);
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'deployer', AssumeRolePolicyDocument: JSON.stringify(TRUST_POLICY) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'deploy', PolicyDocument: permissions }));
  return Role!.RoleId!;
}

async function assumeDeployer(overrides: Partial<AssumeRoleCommandInput> = {}, caller: Parameters<typeof as>[1] = TRUSTED_ACCOUNT) {
  return as(STSClient, caller).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'build', ExternalId: EXTERNAL_ID, ...overrides }));
}

function sessionCredentials(assumed: Awaited<ReturnType<typeof assumeDeployer>>) {
  const { AccessKeyId, SecretAccessKey, SessionToken } = assumed.Credentials!;
  return { accessKeyId: AccessKeyId!, secretAccessKey: SecretAccessKey!, sessionToken: SessionToken! };
}

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  const error = (await call.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (caught: unknown) => caught,
  )) as Error & { $metadata?: { httpStatusCode?: number } };
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

const refusedToAssume = (callerArn: string, roleArn = ROLE_ARN) => ({
  name: 'AccessDenied',
  status: 403,
  message: `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
});

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await sandbox?.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
});

describe('AssumeRole', () => {
  it('issues temporary credentials for a role in another account, valid until the sandbox clock reaches Expiration', async () => {
    const roleId = await createDeployerRole();
    const { now } = await control<{ now: string }>(sandbox, 'GET', '/clock');
    const assumed = await assumeDeployer({ DurationSeconds: 900 });

    expect(assumed.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(assumed.Credentials!.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(assumed.Credentials!.SessionToken!.length).toBeGreaterThan(100);
    const expiresInMs = assumed.Credentials!.Expiration!.getTime() - Date.parse(now);
    expect(expiresInMs).toBeGreaterThan(899_000);
    expect(expiresInMs).toBeLessThanOrEqual(900_000 + 5_000);
    expect(assumed.AssumedRoleUser).toEqual({ AssumedRoleId: `${roleId}:build`, Arn: SESSION_ARN });
  });

  it('lets the session act in the role’s account: a host created with it is 222222222222’s', async () => {
    await createDeployerRole();
    const session = as(CodeStarConnectionsClient, sessionCredentials(await assumeDeployer()));
    const { HostArn } = await session.send(new CreateHostCommand({ Name: 'ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }));
    expect(HostArn).toMatch(/^arn:aws:codestar-connections:us-east-1:222222222222:host\/ghe-/);

    const inRoleAccount = await as(CodeStarConnectionsClient, ROLE_ACCOUNT).send(new ListHostsCommand({}));
    expect(inRoleAccount.Hosts!.map((host) => host.HostArn)).toEqual([HostArn]);
    const inDefaultAccount = await as(CodeStarConnectionsClient, 'test').send(new ListHostsCommand({}));
    expect(inDefaultAccount.Hosts).toEqual([]);
  });

  it('refuses a wrong or missing external id, a caller the trust policy does not name, and a missing role alike', async () => {
    await createDeployerRole();
    const root = `arn:aws:iam::${TRUSTED_ACCOUNT}:root`;
    expect(await failure(assumeDeployer({ ExternalId: 'guessed-id' }))).toEqual(refusedToAssume(root));
    expect(await failure(assumeDeployer({ ExternalId: undefined }))).toEqual(refusedToAssume(root));
    expect(await failure(assumeDeployer({}, '333333333333'))).toEqual(refusedToAssume('arn:aws:iam::333333333333:root'));
    const missing = `arn:aws:iam::${ROLE_ACCOUNT}:role/no-such-role`;
    expect(await failure(assumeDeployer({ RoleArn: missing }))).toEqual(refusedToAssume(root, missing));
  });

  it('checks the input against STS’s model and the role’s MaxSessionDuration, with STS’s ValidationError', async () => {
    await createDeployerRole();
    expect(await failure(assumeDeployer({ DurationSeconds: 600 }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    expect(await failure(assumeDeployer({ RoleSessionName: 'has space' }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    expect(await failure(assumeDeployer({ DurationSeconds: 7200 }))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    expect(await failure(assumeDeployer({ RoleArn: 'role/deployer-in-222222222222' }))).toMatchObject({ name: 'ValidationError', message: 'Request ARN is invalid' });
  });

  it('needs sts:AssumeRole in a registered principal’s own policies, on top of the trust policy', async () => {
    await createDeployerRole();
    const functionKey = { accessKeyId: 'ASIAFUNCTION00000001', secretAccessKey: 'x', sessionToken: 'y' };
    const functionArn = `arn:aws:sts::${TRUSTED_ACCOUNT}:assumed-role/broker-role/broker-attach`;
    sandbox.authorizer.register({ accessKeyId: functionKey.accessKeyId, arn: functionArn, accountId: TRUSTED_ACCOUNT, policies: [JSON.parse(policy('codestar-connections:ListHosts'))] });

    const refusal = await failure(assumeDeployer({}, functionKey));
    expect(refusal).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(refusal.message).toBe(
      `User: ${functionArn} is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN} because no identity-based policy allows the sts:AssumeRole action`,
    );

    sandbox.authorizer.replacePolicies(functionKey.accessKeyId, [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE_ARN }] },
    ]);
    expect((await assumeDeployer({}, functionKey)).AssumedRoleUser!.Arn).toBe(SESSION_ARN);
  });

  it('authorises the session against the role’s policies as they are at each call', async () => {
    await createDeployerRole(policy('codestar-connections:ListHosts'));
    const session = as(CodeStarConnectionsClient, sessionCredentials(await assumeDeployer()));
    const create = () => session.send(new CreateHostCommand({ Name: 'ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }));
    expect(await failure(create())).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${SESSION_ARN} is not authorized to perform: codestar-connections:CreateHost because no identity-based policy allows the codestar-connections:CreateHost action`,
    });

    // The role's administrator grants it afterwards: the session already holds the permission.
    await as(IAMClient, ROLE_ACCOUNT).send(new PutRolePolicyCommand({ RoleName: 'deployer', PolicyName: 'deploy', PolicyDocument: policy('codestar-connections:*') }));
    expect((await create()).HostArn).toContain(':222222222222:host/');
  });

  it('lets a role session assume a role that trusts its role, for at most an hour (role chaining)', async () => {
    await createDeployerRole(policy('sts:AssumeRole'));
    const chainedTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'sts:AssumeRole' }] };
    await as(IAMClient, '333333333333').send(
      new CreateRoleCommand({ RoleName: 'auditor', AssumeRolePolicyDocument: JSON.stringify(chainedTrust), MaxSessionDuration: 7200 }),
    );
    const deployer = sessionCredentials(await assumeDeployer());
    const auditorArn = 'arn:aws:iam::333333333333:role/auditor';

    const chained = await as(STSClient, deployer).send(new AssumeRoleCommand({ RoleArn: auditorArn, RoleSessionName: 'audit' }));
    expect(chained.AssumedRoleUser!.Arn).toBe('arn:aws:sts::333333333333:assumed-role/auditor/audit');
    expect(await failure(as(STSClient, deployer).send(new AssumeRoleCommand({ RoleArn: auditorArn, RoleSessionName: 'audit', DurationSeconds: 7200 })))).toEqual({
      name: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    // The administrator of the trusted account is not the role the trust policy names.
    expect(await failure(as(STSClient, TRUSTED_ACCOUNT).send(new AssumeRoleCommand({ RoleArn: auditorArn, RoleSessionName: 'audit' })))).toEqual(
      refusedToAssume(`arn:aws:iam::${TRUSTED_ACCOUNT}:root`, auditorArn),
    );
  });

  it('refuses the credentials on every service once the sandbox clock passes Expiration', async () => {
    await createDeployerRole(policy('codestar-connections:ListHosts', 'iam:GetRole'));
    const credentials = sessionCredentials(await assumeDeployer({ DurationSeconds: 900 }));
    expect((await as(CodeStarConnectionsClient, credentials).send(new ListHostsCommand({}))).Hosts).toEqual([]);

    await control(sandbox, 'POST', '/clock/advance', { seconds: 901 });
    const expired = 'The security token included in the request is expired';
    expect(await failure(as(CodeStarConnectionsClient, credentials).send(new ListHostsCommand({})))).toEqual({ name: 'ExpiredTokenException', status: 400, message: expired });
    expect(await failure(as(IAMClient, credentials).send(new GetRoleCommand({ RoleName: 'deployer' })))).toEqual({ name: 'ExpiredToken', status: 403, message: expired });
    expect(await failure(as(STSClient, credentials).send(new GetCallerIdentityCommand({})))).toEqual({ name: 'ExpiredToken', status: 403, message: expired });
  });
});

describe('GetCallerIdentity', () => {
  const identity = (credentials: Parameters<typeof as>[1]) => as(STSClient, credentials).send(new GetCallerIdentityCommand({}));

  it('names an assumed-role session by its role id and session name', async () => {
    const roleId = await createDeployerRole();
    const session = sessionCredentials(await assumeDeployer());
    expect(await identity(session)).toMatchObject({ UserId: `${roleId}:build`, Account: ROLE_ACCOUNT, Arn: SESSION_ARN });
  });

  it('names a registered function principal by its session, even when its policies allow nothing', async () => {
    const arn = `arn:aws:sts::${TRUSTED_ACCOUNT}:assumed-role/broker-role/broker-status`;
    sandbox.authorizer.register({ accessKeyId: 'ASIAFUNCTION00000002', arn, accountId: TRUSTED_ACCOUNT, policies: [] });
    const result = await identity({ accessKeyId: 'ASIAFUNCTION00000002', secretAccessKey: 'x', sessionToken: 'y' });
    expect(result).toMatchObject({ Account: TRUSTED_ACCOUNT, Arn: arn });
    expect(result.UserId).toMatch(/^AROA[A-Z0-9]{17}:broker-status$/);
  });

  it('names any other key as its account’s root: twelve digits name the account, anything else is the default one', async () => {
    expect(await identity(ROLE_ACCOUNT)).toMatchObject({ UserId: ROLE_ACCOUNT, Account: ROLE_ACCOUNT, Arn: `arn:aws:iam::${ROLE_ACCOUNT}:root` });
    expect(await identity('test')).toMatchObject({ UserId: '111111111111', Account: '111111111111', Arn: 'arn:aws:iam::111111111111:root' });
  });
});

describe('sessions in the sandbox store', () => {
  it('outlive a restart of a persisted sandbox, and show in the inventory', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sts-sessions-'));
    const statePath = join(directory, 'state.json');
    const shared = sandbox;
    try {
      sandbox = await startTestSandbox({ statePath });
      await createDeployerRole();
      const session = sessionCredentials(await assumeDeployer());
      await sandbox.close();

      sandbox = await startTestSandbox({ statePath });
      expect(await as(STSClient, session).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: ROLE_ACCOUNT, Arn: SESSION_ARN });
      const { sts } = await control<{ sts: { sessions: { accessKeyId: string; arn: string; expired: boolean }[] } }>(sandbox, 'GET', '/state');
      expect(sts.sessions).toEqual([expect.objectContaining({ accessKeyId: session.accessKeyId, arn: SESSION_ARN, expired: false })]);
    } finally {
      await sandbox.close();
      sandbox = shared;
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
