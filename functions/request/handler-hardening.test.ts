import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CodeStarConnectionsClient, ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from './handler.ts';
import { API_CONTEXT, useApiHandler, apiEvent } from '../../test/helpers/api-handler.ts';

// Inputs that once made the API answer 500 (issue 11, items 2–5), through the handler as deployed,
// against the broker table (dynalite): each must get a 4xx.
const connections = mockClient(CodeStarConnectionsClient);
const stepFunctions = mockClient(SFNClient);

useApiHandler();

beforeAll(() => {
  connections.on(ListHostsCommand).resolves({ Hosts: [] });
  connections.on(ListConnectionsCommand).resolves({ Connections: [] });
  stepFunctions.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:111111111111:execution:x:y', startDate: new Date() });
});

const context = API_CONTEXT;

function call(
  routeKey: string,
  options: { id?: string; body?: string; query?: Record<string, string>; admin?: boolean; idempotencyKey?: string } = {},
): Promise<{ statusCode?: number; body?: string }> {
  const claims = { sub: 'alice@example.com', ...(options.admin ? { groups: '[connection-broker-admins]' } : {}) };
  return handler(
    apiEvent({
      routeKey,
      headers: { 'content-type': 'application/json', ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
      pathParameters: options.id === undefined ? undefined : { id: options.id },
      queryStringParameters: options.query,
      body: options.body,
      isBase64Encoded: false,
      requestContext: { authorizer: { jwt: { claims, scopes: [] } } } }),
    context,
  );
}

function errorOf(answer: { body?: string }): { code: string; details: { path: string }[] } {
  const problem = JSON.parse(String(answer.body)) as { code: string; errors: { path: string }[] };
  return { code: problem.code, details: problem.errors };
}

describe('API hardening: 4xx, never 500', () => {
  it.each(['e30', 'bnVsbA', 'WzEsMl0', 'eyJhIjoxfQ', '!!!'])('refuses the malformed cursor %s with 400 at the field cursor', async (cursor) => {
    for (const admin of [false, true]) {
      const answer = await call('GET /v1/connection-requests', { query: { cursor }, admin });
      expect(answer.statusCode, String(answer.body)).toBe(400);
      expect(errorOf(answer).details.map((detail) => detail.path)).toEqual(['cursor']);
    }
  });

  it.each([
    ['GET /v1/connection-requests/{id}', false],
    ['POST /v1/connection-requests/{id}/cancel', false],
    ['POST /v1/connection-requests/{id}/check', false],
    ['POST /v1/connection-requests/{id}/approve', true],
    ['POST /v1/connection-requests/{id}/reject', true],
  ] as const)('answers 404 to %s with an id longer than a DynamoDB key', async (route, admin) => {
    const answer = await call(route, { id: 'x'.repeat(2100), admin });
    expect(answer.statusCode, String(answer.body)).toBe(404);
  });

  it('refuses a body nested 2,500 levels deep with 400 before hashing it', async () => {
    const body = `{"a":${'['.repeat(2500)}${']'.repeat(2500)}}`;
    const answer = await call('POST /v1/connection-requests', { body, idempotencyKey: 'deep-key' });
    expect(answer.statusCode, String(answer.body)).toBe(400);
    expect(errorOf(answer).details.map((detail) => detail.path)).toEqual(['body']);
  });

  it('gives ten parallel creates with one Idempotency-Key and a refused body the same 4xx (or 409), never 500', async () => {
    // The race that made one attempt 500: it finds the record of an attempt in progress, and looks
    // it up just after that attempt was refused and deleted it. Make every look-up that late.
    const persistence = DynamoDBPersistenceLayer.prototype as unknown as { _getRecord: (key: string) => Promise<unknown>; _deleteRecord: (record: unknown) => Promise<void> };
    const getRecord = persistence._getRecord;
    const deleteRecord = persistence._deleteRecord;
    let deleted!: () => void;
    const firstDelete = new Promise<void>((resolve) => (deleted = resolve));
    vi.spyOn(persistence, '_deleteRecord').mockImplementation(async function (this: unknown, record: unknown) {
      await deleteRecord.call(this, record);
      deleted();
    });
    vi.spyOn(persistence, '_getRecord').mockImplementation(async function (this: unknown, key: string) {
      await firstDelete;
      return getRecord.call(this, key);
    });
    const body = JSON.stringify({ providerEndpoint: 'https://not-allowed.example.org' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => call('POST /v1/connection-requests', { body, idempotencyKey: 'refused-key' })));
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses, answers.map((answer) => answer.body).join('\n')).not.toContain(500);
    expect(statuses).toContain(403);
    for (const status of statuses) expect([403, 409]).toContain(status);
    vi.restoreAllMocks();
  });
});
