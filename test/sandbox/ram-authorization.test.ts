import { CodeStarConnectionsClient, GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateResourceShareCommand, DeleteResourceShareCommand, GetResourceSharesCommand, ListResourcesCommand, RAMClient } from '@aws-sdk/client-ram';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CallCount } from '../../infra/local/sandbox/call-log.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * RAM's restJson1 calls take the server's common path, like every other service's: expired
 * temporary credentials are refused, IAM authorises registered principals and STS sessions
 * (AccessDeniedException, 403, as RAM answers it: hashicorp/terraform-provider-aws#27764), faults
 * apply, and the call log counts them.
 */
const HUB = '111111111111';
const SPOKE = '222222222222';
const SHARER_ARN = `arn:aws:sts::${HUB}:assumed-role/broker-role/broker-share`;
const SHARER = { accessKeyId: 'ASIASHARER0000000001', secretAccessKey: 'x', sessionToken: 'y' };
const ROLE_ARN = `arn:aws:iam::${HUB}:role/connection-sharer`;
const SESSION_ARN = `arn:aws:sts::${HUB}:assumed-role/connection-sharer/share`;
const EXPIRED = 'The security token included in the request is expired';

const allow = (...actions: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

let sandbox: Sandbox;
const clients: { destroy(): void }[] = [];

type Credentials = string | { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
function as<T extends { destroy(): void }>(Client: new (config: object) => T, credentials: Credentials): T {
  const resolved = typeof credentials === 'string' ? { accessKeyId: credentials, secretAccessKey: 'test' } : credentials;
  const client = new Client({ endpoint: sandbox.url, region: 'us-east-1', credentials: resolved, maxAttempts: 1 });
  clients.push(client);
  return client;
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

/** An AVAILABLE codeconnections connection of the hub, made in the console. */
async function hubConnection(): Promise<string> {
  const { connectionArn } = await control<{ connectionArn: string }>(sandbox, 'POST', `/console/connections?account=${HUB}`, { name: 'github-org', providerType: 'GitHub' });
  await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn });
  return connectionArn;
}

const share = (credentials: Credentials, connectionArn: string) =>
  as(RAMClient, credentials).send(new CreateResourceShareCommand({ name: 'github-org', resourceArns: [connectionArn], principals: [SPOKE] }));

async function ramCalls(): Promise<Record<string, Omit<CallCount, 'service' | 'operation'>>> {
  const { calls } = await control<{ calls: CallCount[] }>(sandbox, 'GET', '/calls');
  return Object.fromEntries(calls.filter(({ service }) => service === 'ram').map(({ service: _service, operation, ...counts }) => [operation, counts]));
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await sandbox?.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
  sandbox.authorizer.register({ accessKeyId: SHARER.accessKeyId, arn: SHARER_ARN, accountId: HUB, policies: [allow('ram:GetResourceShares')] });
});

describe('IAM authorisation of RAM calls', () => {
  it('refuses a registered principal without ram:CreateResourceShare with AccessDeniedException, 403, in IAM’s words', async () => {
    const connectionArn = await hubConnection();
    expect(await failure(share(SHARER, connectionArn))).toEqual({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: ${SHARER_ARN} is not authorized to perform: ram:CreateResourceShare because no identity-based policy allows the ram:CreateResourceShare action`,
    });
    // Nothing was shared: the handler did not run.
    expect((await as(RAMClient, SHARER).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toEqual([]);
    expect((await failure(as(CodeStarConnectionsClient, SPOKE).send(new GetConnectionCommand({ ConnectionArn: connectionArn })))).name).toBe(
      'ResourceNotFoundException',
    );
    const { refusals } = await control<{ refusals: { principal: string; action: string }[] }>(sandbox, 'GET', '/iam/enforcement');
    expect(refusals.at(-1)).toMatchObject({ principal: SHARER_ARN, action: 'ram:CreateResourceShare' });
  });

  it('lets the principal share once its policy allows ram:CreateResourceShare, in its own account', async () => {
    const connectionArn = await hubConnection();
    sandbox.authorizer.replacePolicies(SHARER.accessKeyId, [allow('ram:CreateResourceShare', 'ram:GetResourceShares')]);
    const { resourceShare } = await share(SHARER, connectionArn);
    expect(resourceShare).toMatchObject({ owningAccountId: HUB, status: 'ACTIVE' });
    expect(resourceShare!.resourceShareArn).toMatch(/^arn:aws:ram:us-east-1:111111111111:resource-share\//);
    const { Connection } = await as(CodeStarConnectionsClient, SPOKE).send(new GetConnectionCommand({ ConnectionArn: connectionArn }));
    expect(Connection).toMatchObject({ ConnectionArn: connectionArn, OwnerAccountId: HUB });
  });

  it('authorises share changes on the share: the refusal names it', async () => {
    const connectionArn = await hubConnection();
    const shareArn = (await share(HUB, connectionArn)).resourceShare!.resourceShareArn!;
    expect(await failure(as(RAMClient, SHARER).send(new DeleteResourceShareCommand({ resourceShareArn: shareArn })))).toEqual({
      name: 'AccessDeniedException',
      status: 403,
      message: `User: ${SHARER_ARN} is not authorized to perform: ram:DeleteResourceShare on resource: ${shareArn} because no identity-based policy allows the ram:DeleteResourceShare action`,
    });
    sandbox.authorizer.replacePolicies(SHARER.accessKeyId, [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ram:DeleteResourceShare', Resource: shareArn }] },
    ]);
    expect((await as(RAMClient, SHARER).send(new DeleteResourceShareCommand({ resourceShareArn: shareArn }))).returnValue).toBe(true);
  });
});

describe('RAM with an STS session', () => {
  async function sharerSession(permissions: object, DurationSeconds?: number) {
    const iam = as(IAMClient, HUB);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'connection-sharer', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'connection-sharer', PolicyName: 'share', PolicyDocument: JSON.stringify(permissions) }));
    const { Credentials } = await as(STSClient, HUB).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'share', DurationSeconds }));
    return { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
  }

  it('lets a session of a role in 111111111111 with RAM permissions share the hub’s connection', async () => {
    const connectionArn = await hubConnection();
    const session = await sharerSession(allow('ram:CreateResourceShare', 'ram:GetResourceShares'));
    const { resourceShare } = await share(session, connectionArn);
    expect(resourceShare).toMatchObject({ owningAccountId: HUB, status: 'ACTIVE' });
    expect((await as(RAMClient, session).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toHaveLength(1);
    await as(CodeStarConnectionsClient, SPOKE).send(new GetConnectionCommand({ ConnectionArn: connectionArn }));
    // The role's policy is all the session may do.
    expect(await failure(as(RAMClient, session).send(new DeleteResourceShareCommand({ resourceShareArn: resourceShare!.resourceShareArn! })))).toMatchObject({
      name: 'AccessDeniedException',
      status: 403,
      message: expect.stringContaining(`User: ${SESSION_ARN} is not authorized to perform: ram:DeleteResourceShare on resource: ${resourceShare!.resourceShareArn}`),
    });
  });

  it('refuses an expired session with ExpiredTokenException, 403, before IAM and the operation', async () => {
    const connectionArn = await hubConnection();
    const session = await sharerSession(allow('ram:*'), 900);
    await control(sandbox, 'POST', '/clock/advance', { seconds: 901 });
    expect(await failure(share(session, connectionArn))).toEqual({ name: 'ExpiredTokenException', status: 403, message: EXPIRED });
    expect(await failure(as(RAMClient, session).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' })))).toEqual({
      name: 'ExpiredTokenException',
      status: 403,
      message: EXPIRED,
    });
    expect((await as(RAMClient, HUB).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }))).resourceShares).toEqual([]);
  });
});

describe('faults and the call log', () => {
  it('counts RAM operations by outcome', async () => {
    const connectionArn = await hubConnection();
    await control(sandbox, 'DELETE', '/calls');
    await share(HUB, connectionArn);
    await failure(share(SHARER, connectionArn));
    await failure(as(RAMClient, HUB).send(new CreateResourceShareCommand({ name: 'bad', resourceArns: ['not-an-arn'] })));
    await as(RAMClient, HUB).send(new GetResourceSharesCommand({ resourceOwner: 'SELF' }));
    expect(await ramCalls()).toEqual({
      CreateResourceShare: { ok: 1, clientError: 2, throttled: 0, serverError: 0 },
      GetResourceShares: { ok: 1, clientError: 0, throttled: 0, serverError: 0 },
    });
  });

  it('injects RAM’s own throttling and internal errors, and counts them', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'ram', operation: 'GetResourceShares', throttleRate: 1 });
    await control(sandbox, 'PUT', '/faults', { service: 'ram', operation: 'ListResources', errorRate: 1 });
    const ram = as(RAMClient, HUB);
    expect(await failure(ram.send(new GetResourceSharesCommand({ resourceOwner: 'SELF' })))).toMatchObject({ name: 'ThrottlingException', status: 429 });
    expect(await failure(ram.send(new ListResourcesCommand({ resourceOwner: 'SELF' })))).toMatchObject({ name: 'ServerInternalException', status: 500 });
    expect(await ramCalls()).toEqual({
      GetResourceShares: { ok: 0, clientError: 0, throttled: 1, serverError: 0 },
      ListResources: { ok: 0, clientError: 0, throttled: 0, serverError: 1 },
    });
  });

  it('answers a RAM path with the wrong method as an unknown operation', async () => {
    const response = await fetch(`${sandbox.url}/createresourceshare`, { method: 'GET' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});
