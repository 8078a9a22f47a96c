import { CodeStarConnectionsClient, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from './handler.ts';
import { rollBackRequest } from '../workflow/roll-back.ts';
import { API_CONTEXT, useApiHandler, apiEvent } from '../../test/helpers/api-handler.ts';

// Issue 11, item 12a: pre-flight sees only the connections AWS already has, so two requests for the
// same connectionName were both accepted while the first one's connection did not exist yet. The
// name is now reserved in the broker table when the request is accepted, and given back when the
// request ends without a connection.
const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);

useApiHandler({ SLACK_SECRET_ID: '', SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' });

beforeAll(() => {
  connections.on(ListHostsCommand).resolves({ Hosts: [] });
  // AWS has no such connection yet, whatever is asked.
  connections.on(ListConnectionsCommand).resolves({ Connections: [] });
  stepFunctions.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:y', startDate: new Date() });
});

const context = API_CONTEXT;

async function create(connectionName: string, idempotencyKey: string, sub = 'alice@example.com'): Promise<{ status?: number; body: Record<string, unknown> }> {
  const answer = await handler(
    apiEvent({
      routeKey: 'POST /v1/connection-requests',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({ providerEndpoint: 'https://ghe.example.com', connectionName }),
      isBase64Encoded: false,
      requestContext: { authorizer: { jwt: { claims: { sub }, scopes: [] } } } }),
    context,
  );
  return { status: answer.statusCode, body: JSON.parse(String(answer.body)) as Record<string, unknown> };
}

describe('connection name reservation', () => {
  it('refuses a second request for a name another request is creating (409 at connectionName), from anyone', async () => {
    const first = await create('ghe-reserved', 'key-1');
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    for (const [key, sub] of [['key-2', 'alice@example.com'], ['key-3', 'bob@example.com']] as const) {
      const second = await create('ghe-reserved', key, sub);
      expect(second.status, JSON.stringify(second.body)).toBe(409);
      expect(second.body).toMatchObject({ status: 409, code: 'ConnectionNameTaken', errors: [{ path: 'connectionName' }] });
    }
  });

  it('answers an idempotent retry of the same create with the same 202', async () => {
    const first = await create('ghe-retried', 'key-retry');
    const again = await create('ghe-retried', 'key-retry');
    expect(first.status).toBe(202);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.body.requestId).toBe(first.body.requestId);
  });

  it('gives the name back when the request is rolled back, so it can be asked for again', async () => {
    const first = await create('ghe-released', 'key-released-1');
    expect((await create('ghe-released', 'key-released-2')).status).toBe(409);
    const rolledBack = await rollBackRequest(String(first.body.requestId), { Error: 'HostCreationFailed', Cause: 'the host could not be created' });
    expect(rolledBack.status).toBe('FAILED');
    const again = await create('ghe-released', 'key-released-3');
    expect(again.status, JSON.stringify(again.body)).toBe(202);
  });

  it('gives the name back when the workflow could not be started', async () => {
    stepFunctions.on(StartExecutionCommand).rejects(new Error('Step Functions is down'));
    expect((await create('ghe-not-started', 'key-not-started-1')).status).toBe(500);
    stepFunctions.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:z', startDate: new Date() });
    const again = await create('ghe-not-started', 'key-not-started-2');
    expect(again.status, JSON.stringify(again.body)).toBe(202);
  });
});
