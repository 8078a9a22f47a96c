import { CodeStarConnectionsClient, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from './handler.ts';
import { TEST_TABLE } from '../../test/helpers/broker-table.ts';
import { API_CONTEXT, useApiHandler, apiEvent } from '../../test/helpers/api-handler.ts';

// The API handler as deployed, against the broker table as infra/resources/table.yml defines it
// (dynalite): the Powertools idempotency record it stores must expire through the table's TTL.
const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);

const api = useApiHandler({ HOST_QUOTA: '1', CONNECTION_QUOTA: '250' });

beforeAll(() => {
  connections.on(ListHostsCommand).resolves({ Hosts: [] });
  connections.on(ListConnectionsCommand).resolves({ Connections: [] });
  stepFunctions.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:y', startDate: new Date() });
});

const context = API_CONTEXT;

function create(idempotencyKey: string, providerEndpoint: string): APIGatewayProxyEventV2WithJWTAuthorizer {
  return apiEvent({
    routeKey: 'POST /v1/connection-requests',
    headers: { 'idempotency-key': idempotencyKey, 'content-type': 'application/json' },
    body: JSON.stringify({ providerEndpoint }),
    isBase64Encoded: false,
    requestContext: { authorizer: { jwt: { claims: { sub: 'alice@example.com', email: 'alice@example.com' }, scopes: [] } } } });
}

describe('POST /v1/connection-requests idempotency record', () => {
  it("carries its expiry in the table's TTL attribute, expiresAt (epoch seconds, a day ahead)", async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await handler(create('ttl-key', 'https://ghe.example.com'), context);
    expect(answer.statusCode, String(answer.body)).toBe(202);

    const { Items = [] } = await api.table.documents.send(
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
    expect(JSON.parse(String(answer.body))).toMatchObject({ code: 'HostQuotaReached', detail: expect.stringContaining('1 of 1 hosts') });
  });
});
