import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, ensureTables, startDynamoDb, type LocalDynamoDb } from '../../infra/local/runtime/dynamodb.ts';
import type { LocalTable } from '../../infra/local/runtime/service-config.ts';

// The broker table as serverless.yml's resources declare it (infra/resources/table.yml).
const BROKER_TABLE: LocalTable = {
  logicalId: 'BrokerTable',
  properties: {
    TableName: 'connection-broker-local',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
        ContributorInsightsSpecification: { Enabled: true },
      },
    ],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    SSESpecification: { SSEEnabled: true },
    // Not a CreateTable member dynalite knows; left out locally, and not reported as ignored.
    DeletionProtectionEnabled: true,
  },
};

const clientFor = (db: LocalDynamoDb) =>
  new DynamoDBClient({ endpoint: db.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

describe('local DynamoDB (dynalite in memory)', () => {
  let db: LocalDynamoDb;
  let client: DynamoDBClient;
  beforeAll(async () => {
    db = await startDynamoDb();
    client = clientFor(db);
  });
  afterAll(async () => {
    client.destroy();
    await db.close();
  });

  it('starts on a free loopback port quickly', () => {
    expect(db.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(db.startedInMs).toBeLessThan(1000);
  });

  it('creates missing tables with their GSIs, reports what dynalite cannot apply, and is idempotent', async () => {
    const first = await ensureTables(client, [BROKER_TABLE], (logicalId) => `broker-${logicalId}`);
    expect(first).toEqual({ created: ['broker-BrokerTable'], existing: [], ignored: { 'broker-BrokerTable': ['TimeToLiveSpecification'] }, mismatched: [] });
    const second = await ensureTables(client, [BROKER_TABLE], (logicalId) => `broker-${logicalId}`);
    expect(second).toMatchObject({ created: [], existing: ['broker-BrokerTable'], mismatched: [] });
  });

  it('serves conditional writes and GSI queries through lib-dynamodb', async () => {
    const documents = DynamoDBDocumentClient.from(client);
    const item = { pk: 'REQUEST#r1', sk: 'META', gsi1pk: 'OWNER#alice', gsi1sk: '2026-01-01', status: 'PENDING' };
    const put = () => documents.send(new PutCommand({ TableName: 'broker-BrokerTable', Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    await put();
    await expect(put()).rejects.toBeInstanceOf(ConditionalCheckFailedException);

    const { Items } = await documents.send(
      new QueryCommand({ TableName: 'broker-BrokerTable', IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :owner', ExpressionAttributeValues: { ':owner': 'OWNER#alice' } }),
    );
    expect(Items).toEqual([item]);
  });

  it('has no transactions (dynalite): TransactWriteItems is an unknown operation', async () => {
    const documents = DynamoDBDocumentClient.from(client);
    await expect(
      documents.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'broker-BrokerTable', Item: { pk: 'x', sk: 'y' } } }] })),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it('reports an existing table whose schema no longer matches serverless.yml', async () => {
    const changed: LocalTable = {
      logicalId: 'BrokerTable',
      properties: {
        ...BROKER_TABLE.properties,
        AttributeDefinitions: ['pk', 'sk', 'gsi2pk', 'gsi2sk'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        GlobalSecondaryIndexes: [{ IndexName: 'gsi2', KeySchema: [{ AttributeName: 'gsi2pk', KeyType: 'HASH' }, { AttributeName: 'gsi2sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
      },
    };
    const result = await ensureTables(client, [changed], (logicalId) => `broker-${logicalId}`);
    expect(result.mismatched).toEqual([{ tableName: 'broker-BrokerTable', reason: 'global secondary indexes are [gsi1(gsi1pk HASH, gsi1sk RANGE)], serverless.yml says [gsi2(gsi2pk HASH, gsi2sk RANGE)]' }]);
  });
});

describe('local DynamoDB on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-ddb-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps tables and items across restarts and refuses a second runtime on the same store', async () => {
    const path = join(dir, 'nested', 'ddb');
    const first = await startDynamoDb({ path });
    await expect(startDynamoDb({ path })).rejects.toThrow(new RegExp(`is in use by process ${process.pid}`));
    const client = clientFor(first);
    await ensureTables(client, [BROKER_TABLE], () => 'broker');
    await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: 'broker', Item: { pk: 'p', sk: 's' } }));
    client.destroy();
    await first.close();

    const second = await startDynamoDb({ path });
    const again = clientFor(second);
    try {
      expect(await ensureTables(again, [BROKER_TABLE], () => 'broker')).toMatchObject({ created: [], existing: ['broker'] });
      const { Items } = await DynamoDBDocumentClient.from(again).send(new QueryCommand({ TableName: 'broker', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' } }));
      expect(Items).toEqual([{ pk: 'p', sk: 's' }]);
    } finally {
      again.destroy();
      await second.close();
    }
  });
});

describe('createTableInput', () => {
  it('keeps what CreateTable understands and drops CloudFormation-only members', () => {
    const { input, ignored } = createTableInput('t', { ...BROKER_TABLE.properties, StreamSpecification: { StreamViewType: 'NEW_IMAGE' }, Tags: [] });
    expect(input).toEqual({
      TableName: 't',
      AttributeDefinitions: BROKER_TABLE.properties.AttributeDefinitions,
      KeySchema: BROKER_TABLE.properties.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        { IndexName: 'gsi1', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
      ],
    });
    expect(ignored).toEqual(['TimeToLiveSpecification', 'StreamSpecification']);
  });
});
