import { readFileSync } from 'node:fs';
import { CodeStarConnectionsClient, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCloudFormationYaml } from '../../infra/local/cloudformation-yaml.ts';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { resolveSpokeRole } from '../../infra/local/runtime/spoke-role.ts';
import { api, startSystem, tokenFor } from '../e2e/local-system.ts';

/**
 * On AWS a StackSet gives every spoke account its role (infra/spoke-role.yml); locally, registering
 * the account (PUT /v1/accounts/{accountId}) makes it in the sandbox, from the same template, and
 * the sandbox's STS then lets the hub's functions, and only them, assume it with the external id.
 */
const HUB = '111111111111';
const SPOKE = '222222222222';
const ROLE_NAME = 'connection-broker-spoke';
const ROLE_ARN = `arn:aws:iam::${SPOKE}:role/${ROLE_NAME}`;

let system: LocalSystem;
const lines: string[] = [];

beforeAll(async () => {
  system = await startSystem({}, { log: (line) => lines.push(line) });
}, 600_000);

afterAll(async () => {
  await system?.close();
});

const iamIn = (accountId: string) =>
  new IAMClient({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: accountId, secretAccessKey: 'local' } });

/** STS as the api function's role (what its code does to reach a spoke). */
function stsAs(accessKeyId: string, sessionToken?: string) {
  return new STSClient({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'local-secret', ...(sessionToken ? { sessionToken } : {}) } });
}

const decode = (document: string | undefined) => JSON.parse(decodeURIComponent(document ?? '')) as Record<string, unknown>;

async function register(accountId: string, admin = true) {
  return api(system, 'PUT', `/v1/accounts/${accountId}`, { token: await tokenFor(admin ? 'ops@example.com' : 'dev@example.com', admin), body: { team: 'payments' } });
}

describe('registering an account makes its spoke role, as the StackSet does on AWS', () => {
  it("gives the functions the hub's account, the spoke role name and the external id", () => {
    expect(process.env.BROKER_ACCOUNT_ID).toBe(HUB);
    expect(process.env.SPOKE_ROLE_NAME).toBe(ROLE_NAME);
    expect(process.env.SPOKE_EXTERNAL_ID).toBe('connection-broker-local');
  });

  it('creates role/connection-broker-spoke in the account with the resolved trust and inline policies', async () => {
    const answer = await register(SPOKE);
    expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
    expect(lines).toContain(`spoke role ${ROLE_NAME} ready in ${SPOKE}`);

    const expected = resolveSpokeRole(parseCloudFormationYaml(readFileSync(new URL('../../infra/spoke-role.yml', import.meta.url), 'utf8')), {
      spokeAccountId: SPOKE,
      parameters: { HubAccountId: HUB, ExternalId: 'connection-broker-local' },
    });
    const iam = iamIn(SPOKE);
    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(role?.Arn).toBe(ROLE_ARN);
    expect(role?.MaxSessionDuration).toBe(3600);
    expect(decode(role?.AssumeRolePolicyDocument)).toEqual(expected.assumeRolePolicyDocument);
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: expected.policies[0]!.policyName }));
    expect(decode(policy.PolicyDocument)).toEqual(expected.policies[0]!.policyDocument);
    // In the spoke only: the hub's account has no such role.
    await expect(iamIn(HUB).send(new GetRoleCommand({ RoleName: ROLE_NAME }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it("lets a hub function's role assume it with the external id, and act in the spoke as it", async () => {
    const apiRole = system.functionPrincipals.get('api');
    expect(apiRole, 'IAM enforcement is off: the functions have no roles of their own').toBeDefined();
    const assumed = await stsAs(apiRole!.accessKeyId).send(
      new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'connection-broker', ExternalId: 'connection-broker-local', DurationSeconds: 900 }),
    );
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/${ROLE_NAME}/connection-broker`);
    const credentials = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
    const identity = await stsAs(credentials.accessKeyId, credentials.sessionToken).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(SPOKE);
    // The session holds the spoke role's policy: ListHosts in the spoke is allowed.
    const connections = new CodeStarConnectionsClient({ endpoint: system.sandbox.url, region: 'eu-west-1', credentials });
    await expect(connections.send(new ListHostsCommand({}))).resolves.toMatchObject({ Hosts: [] });
  });

  it('refuses a wrong or missing external id, and any principal of the hub but its function roles', async () => {
    const apiRole = system.functionPrincipals.get('api')!;
    const refused = { name: 'AccessDenied' };
    await expect(
      stsAs(apiRole.accessKeyId).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'connection-broker', ExternalId: 'connection-broker-prod' })),
    ).rejects.toMatchObject(refused);
    await expect(stsAs(apiRole.accessKeyId).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'connection-broker' }))).rejects.toMatchObject(refused);
    // The hub account's administrator is not one of the broker's roles (aws:PrincipalArn).
    await expect(stsAs(HUB).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'connection-broker', ExternalId: 'connection-broker-local' }))).rejects.toMatchObject(refused);
    // Nor is another account.
    await expect(stsAs('333333333333').send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'connection-broker', ExternalId: 'connection-broker-local' }))).rejects.toMatchObject(
      refused,
    );
  });

  it('registering again keeps the role (same role id) and its policy', async () => {
    const before = await iamIn(SPOKE).send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    const answer = await register(SPOKE);
    expect(answer.status).toBe(200);
    const after = await iamIn(SPOKE).send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(after.Role?.RoleId).toBe(before.Role?.RoleId);
    expect(lines.filter((line) => line === `spoke role ${ROLE_NAME} ready in ${SPOKE}`)).toHaveLength(2);
  });

  it('brings a role that is already there in line with the template, as a stack update would', async () => {
    const account = '555555555555';
    const iam = iamIn(account);
    const stale = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: JSON.stringify(stale) }));
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyName: 'left-over',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codepipeline:DeletePipeline', Resource: '*' }] }),
      }),
    );
    expect((await register(account)).status).toBe(201);
    const { Role: role } = await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(JSON.stringify(decode(role?.AssumeRolePolicyDocument))).toContain('"sts:ExternalId":"connection-broker-local"');
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }))).PolicyNames).toEqual(['connection-broker-hub-access']);
  });

  it('makes nothing when the registration is refused', async () => {
    const answer = await register('444444444444', false);
    expect(answer.status).toBe(403);
    await expect(iamIn('444444444444').send(new GetRoleCommand({ RoleName: ROLE_NAME }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
