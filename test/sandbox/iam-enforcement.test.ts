import { CodeStarConnectionsClient, CreateHostCommand, GetHostCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, type LocalDynamoDb } from '../../infra/local/runtime/dynamodb.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { runAwsCli } from '../helpers/aws-cli.ts';
import { control, startTestSandbox, TEST_CREDENTIALS } from '../helpers/sandbox.ts';

/**
 * IAM enforcement on the wire, as the real AWS SDK and CLI see it: a registered principal (what a
 * function's credentials become locally) is refused in each protocol's own AccessDenied form, and
 * the ordinary dummy credentials stay unrestricted.
 */
const ROLE_SESSION = 'arn:aws:sts::111111111111:assumed-role/reader-role/reader';
const READER = { accessKeyId: 'ASIAREADER0000000001', secretAccessKey: 'x', sessionToken: 'y' };

let sandbox: Sandbox;
let dynamo: LocalDynamoDb;
let hostArn: string;

beforeAll(async () => {
  dynamo = await startDynamoDb();
  sandbox = await startTestSandbox({ dynamoDbUrl: dynamo.url });
  sandbox.authorizer.register({
    accessKeyId: READER.accessKeyId,
    arn: ROLE_SESSION,
    accountId: '111111111111',
    policies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['codestar-connections:ListHosts', 'codestar-connections:GetHost'], Resource: '*' },
          { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/open' },
          { Effect: 'Deny', Action: 'codestar-connections:GetHost', Resource: 'arn:aws:codestar-connections:*:*:host/secret-*' },
        ],
      },
    ],
  });
  const admin = new CodeStarConnectionsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  hostArn = (await admin.send(new CreateHostCommand({ Name: 'secret-ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com' }))).HostArn!;
  admin.destroy();
  const tables = new DynamoDBClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  for (const TableName of ['open', 'closed']) {
    await tables.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  tables.destroy();
});

afterAll(async () => {
  await sandbox?.close();
  await dynamo?.close();
});

const as = { region: 'us-east-1', credentials: READER, maxAttempts: 1 };

describe('IAM enforcement for registered principals', () => {
  it('serves what the policies allow and refuses the rest in CodeStar Connections’ awsJson form', async () => {
    const client = new CodeStarConnectionsClient({ ...as, endpoint: sandbox.url });
    try {
      expect((await client.send(new ListHostsCommand({}))).Hosts).toHaveLength(1);
      const refusal = await client.send(new GetHostCommand({ HostArn: hostArn })).catch((error: unknown) => error as Error & { $metadata: { httpStatusCode: number } });
      expect(refusal).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
      expect((refusal as Error).message).toBe(
        `User: ${ROLE_SESSION} is not authorized to perform: codestar-connections:GetHost on resource: ${hostArn} with an explicit deny in an identity-based policy`,
      );
    } finally {
      client.destroy();
    }
  });

  it('refuses IAM calls as IAM does (AccessDenied, 403, query protocol)', async () => {
    const client = new IAMClient({ ...as, endpoint: sandbox.url });
    try {
      const refusal = await client
        .send(new PutRolePolicyCommand({ RoleName: 'any', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }))
        .catch((error: unknown) => error as Error & { $metadata: { httpStatusCode: number } });
      expect(refusal).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      expect((refusal as Error).message).toContain(`User: ${ROLE_SESSION} is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::111111111111:role/any`);
    } finally {
      client.destroy();
    }
  });

  it('authorises DynamoDB per table before dynalite serves it', async () => {
    const client = new DynamoDBClient({ ...as, endpoint: sandbox.url });
    try {
      expect((await client.send(new GetItemCommand({ TableName: 'open', Key: { pk: { S: 'a' } } }))).Item).toBeUndefined();
      await expect(client.send(new GetItemCommand({ TableName: 'closed', Key: { pk: { S: 'a' } } }))).rejects.toMatchObject({
        name: 'AccessDeniedException',
        message: `User: ${ROLE_SESSION} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111111111111:table/closed because no identity-based policy allows the dynamodb:GetItem action`,
      });
    } finally {
      client.destroy();
    }
  });

  it('shows the AWS CLI the refusal, and lists it on the control API', async () => {
    const result = await runAwsCli(sandbox, ['codestar-connections', 'delete-host', '--host-arn', hostArn], {
      env: { AWS_ACCESS_KEY_ID: READER.accessKeyId, AWS_SECRET_ACCESS_KEY: 'x', AWS_SESSION_TOKEN: 'y' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('An error occurred (AccessDeniedException) when calling the DeleteHost operation: User: ' + ROLE_SESSION);
    const { refusals } = await control<{ refusals: { action: string }[] }>(sandbox, 'GET', '/iam/enforcement');
    expect(refusals.map((refusal) => refusal.action)).toContain('codestar-connections:DeleteHost');
  });

  it('reads a resource\'s tags for aws:ResourceTag conditions', async () => {
    const TAGGER = { accessKeyId: 'ASIATAGGED0000000001', secretAccessKey: 'x', sessionToken: 'y' };
    sandbox.authorizer.register({
      accessKeyId: TAGGER.accessKeyId,
      arn: 'arn:aws:sts::111111111111:assumed-role/team-role/team',
      accountId: '111111111111',
      policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:GetHost', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'payments' } } }] }],
    });
    const admin = new CodeStarConnectionsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const team = new CodeStarConnectionsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: TAGGER, maxAttempts: 1 });
    try {
      const tagged = (await admin.send(new CreateHostCommand({ Name: 'payments-ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com', Tags: [{ Key: 'team', Value: 'payments' }] }))).HostArn!;
      const other = (await admin.send(new CreateHostCommand({ Name: 'other-ghe', ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: 'https://ghe.example.com', Tags: [{ Key: 'team', Value: 'web' }] }))).HostArn!;
      expect((await team.send(new GetHostCommand({ HostArn: tagged }))).Name).toBe('payments-ghe');
      await expect(team.send(new GetHostCommand({ HostArn: other }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      admin.destroy();
      team.destroy();
    }
  });

  it('leaves the ordinary credentials unrestricted, and can be switched off', async () => {
    const admin = new CodeStarConnectionsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const reader = new CodeStarConnectionsClient({ ...as, endpoint: sandbox.url });
    try {
      expect((await admin.send(new GetHostCommand({ HostArn: hostArn }))).Name).toBe('secret-ghe');
      await control(sandbox, 'PUT', '/iam/enforcement', { enabled: false });
      expect((await reader.send(new GetHostCommand({ HostArn: hostArn }))).Name).toBe('secret-ghe');
    } finally {
      await control(sandbox, 'PUT', '/iam/enforcement', { enabled: true });
      admin.destroy();
      reader.destroy();
    }
  });
});
