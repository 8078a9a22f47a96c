import { CloudFormationClient, DescribeStacksCommand, paginateDescribeStacks, type Stack } from '@aws-sdk/client-cloudformation';
import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  CreateRepositoryLinkCommand,
  CreateSyncConfigurationCommand,
} from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * The sandbox's minimal CloudFormation through the real `@aws-sdk/client-cloudformation` (and the
 * AWS CLI): DescribeStacks over the stacks Git sync deploys, as AWS answers it (ValidationError for a
 * stack that does not exist, DELETE_COMPLETE by StackId once deleted), authorised by IAM.
 */

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const STACK = 'ledger-infra';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/git-sync-role`;
const STACK_ID = new RegExp(`^arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/[0-9a-f-]{36}$`);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

let sandbox: Sandbox;
let cfn: CloudFormationClient;
let codestar: CodeStarConnectionsClient;
let iam: IAMClient;
const extraClients: { destroy(): void }[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  cfn = new CloudFormationClient(clientConfig(sandbox));
  codestar = new CodeStarConnectionsClient(clientConfig(sandbox));
  iam = new IAMClient(clientConfig(sandbox));
});
afterAll(async () => {
  for (const client of [cfn, codestar, iam, ...extraClients]) client?.destroy();
  await sandbox?.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
});

const describeStack = async (StackName: string, client = cfn): Promise<Stack> => {
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName }));
  expect(Stacks).toHaveLength(1);
  return Stacks![0]!;
};

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined; type: unknown }> {
  const error = (await call.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (caught: unknown) => caught,
  )) as Error & { $metadata?: { httpStatusCode?: number }; Type?: unknown; $fault?: unknown };
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode, type: error.$fault };
}

const notFound = (name: string) => ({ name: 'ValidationError', message: `Stack with id ${name} does not exist`, status: 400, type: 'client' });

/** A CFN_STACK_SYNC sync configuration for the stack, with a role Git sync may assume. */
async function syncConfiguration(resourceName = STACK): Promise<void> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudformation.sync.codeconnections.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: 'git-sync-role', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const { ConnectionArn } = await codestar.send(new CreateConnectionCommand({ ConnectionName: 'sync', ProviderType: 'GitHub' }));
  const { RepositoryLinkInfo } = await codestar.send(new CreateRepositoryLinkCommand({ ConnectionArn, OwnerId: 'platform', RepositoryName: 'ledger' }));
  await codestar.send(
    new CreateSyncConfigurationCommand({
      Branch: 'main',
      ConfigFile: 'deployment.yaml',
      RepositoryLinkId: RepositoryLinkInfo!.RepositoryLinkId!,
      ResourceName: resourceName,
      RoleArn: ROLE_ARN,
      SyncType: 'CFN_STACK_SYNC',
    }),
  );
}

const advance = (seconds: number) => control(sandbox, 'POST', '/clock/advance', { seconds });

describe('DescribeStacks over the stacks Git sync deploys', () => {
  it('answers ValidationError for a stack that does not exist, by name and by StackId', async () => {
    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: STACK })))).toEqual(notFound(STACK));
    const id = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/00000000-0000-0000-0000-000000000000`;
    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: id })))).toEqual(notFound(id));
    // Before any stack exists, the listing is empty.
    expect((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).toEqual([]);
  });

  it('creates the stack on the first successful sync and updates it on the next; a failed sync changes nothing', async () => {
    await syncConfiguration();
    // A sync configuration alone deploys nothing: its first attempt is only INITIATED.
    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: STACK })))).toEqual(notFound(STACK));

    expect(await control(sandbox, 'POST', '/sync/process', { resourceName: STACK, sha: 'aaa111' })).toMatchObject({ status: 'SUCCEEDED' });
    const created = await describeStack(STACK);
    expect(created).toMatchObject({ StackName: STACK, StackStatus: 'CREATE_COMPLETE' });
    expect(created.StackId).toMatch(STACK_ID);
    expect(created.CreationTime).toBeInstanceOf(Date);
    expect(created.LastUpdatedTime).toBeUndefined();
    expect(created.DeletionTime).toBeUndefined();

    await advance(60);
    await control(sandbox, 'POST', '/sync/process', { resourceName: STACK, sha: 'bbb222' });
    const updated = await describeStack(STACK);
    expect(updated).toMatchObject({ StackId: created.StackId, StackStatus: 'UPDATE_COMPLETE', CreationTime: created.CreationTime });
    expect(updated.LastUpdatedTime!.getTime()).toBeGreaterThanOrEqual(created.CreationTime!.getTime() + 60_000);
    // The StackId names the same stack.
    expect(await describeStack(created.StackId!)).toEqual(updated);

    // The sync attempts route deploys too; a FAILED attempt does not.
    await advance(60);
    await control(sandbox, 'POST', '/sync/attempts', { resourceName: STACK, status: 'FAILED', sha: 'ccc333' });
    expect((await describeStack(STACK)).LastUpdatedTime).toEqual(updated.LastUpdatedTime);
    await control(sandbox, 'POST', '/sync/attempts', { resourceName: STACK, status: 'SUCCEEDED', sha: 'ddd444' });
    expect((await describeStack(STACK)).LastUpdatedTime!.getTime()).toBeGreaterThan(updated.LastUpdatedTime!.getTime());
  });

  it('a sync whose role Git sync cannot assume fails and deploys nothing', async () => {
    await syncConfiguration();
    // CloudFormation's own service principal, not Git sync's: Git sync cannot assume it.
    const cloudFormationTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'unrelated', AssumeRolePolicyDocument: JSON.stringify(cloudFormationTrust) }));
    const { RepositoryLinkInfo } = await codestar.send(
      new CreateRepositoryLinkCommand({
        ConnectionArn: (await codestar.send(new CreateConnectionCommand({ ConnectionName: 'other', ProviderType: 'GitHub' }))).ConnectionArn,
        OwnerId: 'platform',
        RepositoryName: 'orders',
      }),
    );
    await codestar.send(
      new CreateSyncConfigurationCommand({
        Branch: 'main',
        ConfigFile: 'deployment.yaml',
        RepositoryLinkId: RepositoryLinkInfo!.RepositoryLinkId!,
        ResourceName: 'orders-infra',
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/unrelated`,
        SyncType: 'CFN_STACK_SYNC',
      }),
    );
    expect(await control(sandbox, 'POST', '/sync/process', { resourceName: 'orders-infra' })).toMatchObject({ status: 'FAILED' });
    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: 'orders-infra' })))).toEqual(notFound('orders-infra'));
  });

  it('a stack deleted in the console is gone by name, DELETE_COMPLETE by StackId, and the next sync creates a new one', async () => {
    await syncConfiguration();
    await control(sandbox, 'POST', '/sync/process', { resourceName: STACK });
    const { StackId } = await describeStack(STACK);

    await advance(30);
    const deleted = await control(sandbox, 'DELETE', `/cloudformation/stacks/${STACK}`);
    expect(deleted).toEqual({ StackId, StackName: STACK, StackStatus: 'DELETE_COMPLETE' });
    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: STACK })))).toEqual(notFound(STACK));
    const gone = await describeStack(StackId!);
    expect(gone).toMatchObject({ StackId, StackName: STACK, StackStatus: 'DELETE_COMPLETE' });
    expect(gone.DeletionTime!.getTime()).toBeGreaterThanOrEqual(gone.CreationTime!.getTime() + 30_000);
    expect((await cfn.send(new DescribeStacksCommand({}))).Stacks ?? []).toEqual([]);

    // Deleting again: no live stack of that name.
    const again = await fetch(`${sandbox.url}/_sandbox/cloudformation/stacks/${STACK}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ error: { code: 'StackNotFound', message: `Stack with id ${STACK} does not exist` } });

    // Git sync's next sync makes a new stack (a new id); the deleted one is still there by its id.
    await control(sandbox, 'POST', '/sync/process', { resourceName: STACK });
    const recreated = await describeStack(STACK);
    expect(recreated).toMatchObject({ StackStatus: 'CREATE_COMPLETE' });
    expect(recreated.StackId).not.toBe(StackId);
    expect((await describeStack(StackId!)).StackStatus).toBe('DELETE_COMPLETE');
  });

  it('lists the live stacks of the account and Region without a StackName, newest first, a page at a time', async () => {
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: 'first', tags: { team: 'ledger', env: 'prod' } });
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: 'second', status: 'UPDATE_ROLLBACK_COMPLETE' });
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: 'deleted' });
    await control(sandbox, 'DELETE', '/cloudformation/stacks/deleted');
    // Other Regions and accounts have stacks of their own.
    await control(sandbox, 'POST', '/cloudformation/stacks?region=eu-west-1', { stackName: 'elsewhere' });
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: 'theirs', account: '222222222222' });

    const { Stacks, NextToken } = await cfn.send(new DescribeStacksCommand({}));
    expect(NextToken).toBeUndefined();
    expect(Stacks!.map((stack) => [stack.StackName, stack.StackStatus])).toEqual([
      ['second', 'UPDATE_ROLLBACK_COMPLETE'],
      ['first', 'CREATE_COMPLETE'],
    ]);
    expect(Stacks![1]!.Tags).toEqual([
      { Key: 'team', Value: 'ledger' },
      { Key: 'env', Value: 'prod' },
    ]);
    expect(Stacks![0]!.Tags).toBeUndefined();
    expect(Stacks![0]!.CreationTime!.toISOString()).toMatch(ISO_TIME);

    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: 'elsewhere' })))).toEqual(notFound('elsewhere'));
    const europe = new CloudFormationClient(clientConfig(sandbox, 'eu-west-1'));
    const other = new CloudFormationClient({ ...clientConfig(sandbox), credentials: { accessKeyId: '222222222222', secretAccessKey: 'test' } });
    extraClients.push(europe, other);
    const inEurope = await describeStack('elsewhere', europe);
    expect(inEurope.StackId).toMatch(/^arn:aws:cloudformation:eu-west-1:111111111111:stack\/elsewhere\//);
    // A StackId of another Region names no stack here.
    expect(await failure(cfn.send(new DescribeStacksCommand({ StackName: inEurope.StackId! })))).toEqual(notFound(inEurope.StackId!));
    expect((await other.send(new DescribeStacksCommand({}))).Stacks!.map((stack) => stack.StackName)).toEqual(['theirs']);
  });

  it('pages the listing with NextToken (the SDK paginator follows it) and refuses a token it did not issue', async () => {
    for (let index = 0; index < 105; index++) await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: `stack-${index}` });
    const first = await cfn.send(new DescribeStacksCommand({}));
    expect(first.Stacks).toHaveLength(100);
    expect(first.NextToken).toEqual(expect.any(String));
    const names: string[] = [];
    for await (const page of paginateDescribeStacks({ client: cfn }, {})) names.push(...(page.Stacks ?? []).map((stack) => stack.StackName!));
    expect(names).toEqual(Array.from({ length: 105 }, (_, index) => `stack-${104 - index}`));

    expect(await failure(cfn.send(new DescribeStacksCommand({ NextToken: 'not-a-token' })))).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(await failure(cfn.send(new DescribeStacksCommand({ NextToken: 'x'.repeat(1025) })))).toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/^1 validation error detected: Value 'x+' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024$/),
    });
  });

  it('answers throttling as CloudFormation does', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'cloudformation', operation: 'DescribeStacks', throttleRate: 1 });
    expect(await failure(cfn.send(new DescribeStacksCommand({})))).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', status: 400 });
  });
});

describe('IAM authorises DescribeStacks on the stack', () => {
  const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/auditor/audit`;
  const KEY = 'ASIAAUDITOR000000001';
  let restricted: CloudFormationClient;

  beforeAll(() => {
    restricted = new CloudFormationClient({ ...clientConfig(sandbox), credentials: { accessKeyId: KEY, secretAccessKey: 'test' } });
    extraClients.push(restricted);
  });
  const grant = (...statements: object[]) =>
    sandbox.authorizer.register({ accessKeyId: KEY, arn: SESSION, accountId: ACCOUNT, policies: [{ Version: '2012-10-17', Statement: statements }] });
  const refused = (action: string, resource?: string) => ({
    name: 'AccessDenied',
    status: 403,
    type: 'client',
    message: `User: ${SESSION} is not authorized to perform: ${action}${resource ? ` on resource: ${resource}` : ''} because no identity-based policy allows the ${action} action`,
  });

  it('allows the stack the policy names (by name and by StackId), and refuses others in AWS words', async () => {
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: STACK });
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: 'payments-infra' });
    const { StackId } = await describeStack(STACK);
    grant({ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${STACK}/*` });

    expect((await describeStack(STACK, restricted)).StackId).toBe(StackId);
    expect((await describeStack(StackId!, restricted)).StackName).toBe(STACK);
    // IAM decides before CloudFormation looks: a stack that does not exist is not found only if allowed.
    expect(await failure(restricted.send(new DescribeStacksCommand({ StackName: 'payments-infra' })))).toEqual(
      refused('cloudformation:DescribeStacks', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/payments-infra/*`),
    );
    expect(await failure(restricted.send(new DescribeStacksCommand({})))).toEqual(refused('cloudformation:DescribeStacks'));
  });

  it('without a StackName needs ListStacks as well as DescribeStacks on *', async () => {
    await control(sandbox, 'POST', '/cloudformation/stacks', { stackName: STACK });
    grant({ Effect: 'Allow', Action: 'cloudformation:DescribeStacks', Resource: '*' });
    expect(await failure(restricted.send(new DescribeStacksCommand({})))).toEqual(refused('cloudformation:ListStacks'));
    grant({ Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'cloudformation:ListStacks'], Resource: '*' });
    expect((await restricted.send(new DescribeStacksCommand({}))).Stacks!.map((stack) => stack.StackName)).toEqual([STACK]);
  });

  it('refuses a principal with no CloudFormation permission at all', async () => {
    grant({ Effect: 'Allow', Action: 'codestar-connections:ListHosts', Resource: '*' });
    expect(await failure(restricted.send(new DescribeStacksCommand({ StackName: STACK })))).toEqual(
      refused('cloudformation:DescribeStacks', `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/${STACK}/*`),
    );
  });
});

describe('control API', () => {
  it('lists the CloudFormation routes, shows stacks in the inventory, and checks what it is given', async () => {
    const { routes } = await control<{ routes: { method: string; path: string; summary: string }[] }>(sandbox, 'GET', '/');
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', path: '/_sandbox/cloudformation/stacks' }),
        expect.objectContaining({ method: 'DELETE', path: '/_sandbox/cloudformation/stacks/:stackName' }),
      ]),
    );

    const made = await control<{ StackId: string; StackStatus: string }>(sandbox, 'POST', '/cloudformation/stacks', { stackName: STACK });
    expect(made).toMatchObject({ StackName: STACK, StackStatus: 'CREATE_COMPLETE' });
    const state = await control<{ cloudformation: Record<string, { stacks: unknown[] }> }>(sandbox, 'GET', '/state');
    expect(state.cloudformation[`${ACCOUNT}/${REGION}`]!.stacks).toEqual([{ stackId: made.StackId, stackName: STACK, status: 'CREATE_COMPLETE' }]);

    const post = (body: unknown) =>
      fetch(`${sandbox.url}/_sandbox/cloudformation/stacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ stackName: STACK })).status).toBe(409);
    expect((await post({ stackName: '1-starts-with-a-digit' })).status).toBe(400);
    expect((await post({ stackName: 'ok', status: 'DONE' })).status).toBe(400);
    expect((await post({ stackName: 'ok', tags: ['a'] })).status).toBe(400);
  });

  it('keeps stacks across a restart', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sandbox-cfn-'));
    const statePath = join(directory, 'state.json');
    try {
      const first = await startTestSandbox({ statePath });
      await control(first, 'POST', '/cloudformation/stacks', { stackName: STACK });
      await control(first, 'DELETE', `/cloudformation/stacks/${STACK}`);
      await control(first, 'POST', '/cloudformation/stacks', { stackName: STACK, status: 'UPDATE_COMPLETE' });
      await first.close();
      const second = await startTestSandbox({ statePath });
      const client = new CloudFormationClient(clientConfig(second));
      try {
        const { Stacks } = await client.send(new DescribeStacksCommand({}));
        expect(Stacks!.map((stack) => [stack.StackName, stack.StackStatus])).toEqual([[STACK, 'UPDATE_COMPLETE']]);
        const { cloudformation } = await control<{ cloudformation: Record<string, { stacks: { status: string }[] }> }>(second, 'GET', '/state');
        expect(cloudformation[`${ACCOUNT}/${REGION}`]!.stacks.map((stack) => stack.status)).toEqual(['DELETE_COMPLETE', 'UPDATE_COMPLETE']);
      } finally {
        client.destroy();
        await second.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

const cli = awsCliRequirement();
const AWS_CONFIG_FILE = fileURLToPath(new URL('../../infra/local/aws-cli.config', import.meta.url));

describe.skipIf(cli.skip)('CloudFormation through the AWS CLI', () => {
  beforeAll(cli.assertAvailable);

  it('describes a stack Git sync made, and answers a missing one with ValidationError', async () => {
    await syncConfiguration();
    await control(sandbox, 'POST', '/sync/process', { resourceName: STACK });
    const aws = (args: string[]) => runAwsCli(sandbox, ['cloudformation', 'describe-stacks', ...args], { env: { AWS_CONFIG_FILE } });

    const described = await aws(['--stack-name', STACK]);
    expect(described.code, described.stderr).toBe(0);
    const { Stacks } = described.json as { Stacks: { StackName: string; StackId: string; StackStatus: string; CreationTime: string }[] };
    expect(Stacks).toHaveLength(1);
    expect(Stacks[0]).toMatchObject({ StackName: STACK, StackStatus: 'CREATE_COMPLETE' });
    expect(Stacks[0]!.StackId).toMatch(STACK_ID);
    expect(Stacks[0]!.CreationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);

    const listed = await aws([]);
    expect(listed.code, listed.stderr).toBe(0);
    expect((listed.json as { Stacks: { StackName: string }[] }).Stacks.map((stack) => stack.StackName)).toEqual([STACK]);

    await control(sandbox, 'DELETE', `/cloudformation/stacks/${STACK}`);
    const missing = await aws(['--stack-name', STACK]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ${STACK} does not exist`);
  });
});
