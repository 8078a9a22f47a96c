import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/api/handler.ts';
import { setClients, type Clients } from '../../functions/shared/clients.ts';
import { resetConfig } from '../../functions/shared/config.ts';
import { startBrokerTable, TEST_TABLE } from '../helpers/broker-table.ts';

// The API handler as deployed, against the broker table as infra/resources/table.yml defines it
// (dynalite): the Powertools idempotency record it stores must expire through the table's TTL.
const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);

let table: Awaited<ReturnType<typeof startBrokerTable>>;

beforeAll(async () => {
  table = await startBrokerTable();
  // The persistence layer makes its own DynamoDB client, which finds the table through this.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', table.dynamo.url);
  vi.stubEnv('TABLE_NAME', TEST_TABLE);
  vi.stubEnv('ALLOWED_PROVIDER_ENDPOINTS', 'ghe.example.com');
  vi.stubEnv('STATE_MACHINE_ARN', 'arn:aws:states:us-east-1:111111111111:stateMachine:connection-broker-test-provisioning');
  vi.stubEnv('HOST_QUOTA', '1');
  vi.stubEnv('CONNECTION_QUOTA', '250');
  // The GHES meta check: the server cannot be reached (as often on AWS); pre-flight notes it and goes on.
  vi.stubGlobal('fetch', async () => new Response('', { status: 404 }));
  resetConfig();
  setClients({
    connections: new CodeStarConnectionsClient({}),
    pipelines: new CodePipelineClient({}),
    stepFunctions: new SFNClient({}),
    documents: table.documents,
  } as Clients);
  connections.on(ListHostsCommand).resolves({ Hosts: [] });
  connections.on(ListConnectionsCommand).resolves({ Connections: [] });
  stepFunctions.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:y', startDate: new Date() });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  setClients(undefined);
  resetConfig();
  table.client.destroy();
  await table.dynamo.close();
});

// Powertools reads the time left to bound an in-progress record.
const context = { functionName: 'connection-broker-test-api', awsRequestId: 'test', getRemainingTimeInMillis: () => 28_000 } as unknown as Context;

function create(idempotencyKey: string, providerEndpoint: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    routeKey: 'POST /v1/connection-requests',
    headers: { 'idempotency-key': idempotencyKey, 'content-type': 'application/json' },
    body: JSON.stringify({ providerEndpoint }),
    isBase64Encoded: false,
    requestContext: { authorizer: { jwt: { claims: { sub: 'alice@example.com', email: 'alice@example.com' }, scopes: [] } } },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

describe('POST /v1/connection-requests idempotency record', () => {
  it("carries its expiry in the table's TTL attribute, expiresAt (epoch seconds, a day ahead)", async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await handler(create('ttl-key', 'https://ghe.example.com'), context);
    expect(answer.statusCode, String(answer.body)).toBe(202);

    const { Items = [] } = await table.documents.send(
      new QueryCommand({ TableName: TEST_TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'IDEMPOTENCY#create-connection-request' } }),
    );
    expect(Items).toHaveLength(1);
    const [record] = Items;
    expect(record).toMatchObject({ status: 'COMPLETED' });
    expect(record).not.toHaveProperty('expiration');
    expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 24 * 3600);
    expect(record?.expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 24 * 3600);
  });

  it('measures host headroom against HOST_QUOTA', async () => {
    connections.on(ListHostsCommand).resolves({ Hosts: [{ Name: 'other', HostArn: 'arn:aws:codestar-connections:us-east-1:111111111111:host/other-1', ProviderEndpoint: 'https://other.example.com', ProviderType: 'GitHubEnterpriseServer' }] });
    const answer = await handler(create('quota-key', 'https://ghe.example.com'), context);
    expect(answer.statusCode).toBe(422);
    expect(JSON.parse(String(answer.body))).toMatchObject({ error: { code: 'HostQuotaReached', message: expect.stringContaining('1 of 1 hosts') } });
  });
});
