import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterAll, beforeAll, vi } from 'vitest';
import { setClients, type Clients } from '../../functions/adapters/aws-clients.ts';
import { resetConfig } from '../../functions/shell/config.ts';
import { resetWorkflowContext } from '../../functions/workflow/context.ts';
import { startBrokerTable, TEST_TABLE } from './broker-table.ts';

/** Powertools reads the time left to bound an in-progress idempotency record. */
export const API_CONTEXT = { functionName: 'connection-broker-test-api', awsRequestId: 'test', getRemainingTimeInMillis: () => 28_000 } as unknown as Context;

/**
 * The API handler as deployed, against the broker table as infra/resources/table.yml defines it
 * (dynalite), with its settings in the environment (plus `environment`), the GHES meta check
 * unreachable (as often on AWS; pre-flight notes it and goes on), and SDK clients the test mocks
 * with aws-sdk-client-mock. Registers its own beforeAll/afterAll; `table` is set before the tests run.
 */
export function useApiHandler(environment: Record<string, string> = {}): { table: Awaited<ReturnType<typeof startBrokerTable>> } {
  const handle = {} as { table: Awaited<ReturnType<typeof startBrokerTable>> };
  beforeAll(async () => {
    handle.table = await startBrokerTable();
    // The idempotency layer makes its own DynamoDB client, which finds the table through this.
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', handle.table.dynamo.url);
    vi.stubEnv('TABLE_NAME', TEST_TABLE);
    vi.stubEnv('ALLOWED_PROVIDER_ENDPOINTS', 'ghe.example.com');
    vi.stubEnv('STATE_MACHINE_ARN', 'arn:aws:states:us-east-1:111111111111:stateMachine:connection-broker-test-provisioning');
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
    vi.stubGlobal('fetch', async () => new Response('', { status: 404 }));
    resetConfig();
    resetWorkflowContext();
    setClients({
      connections: new CodeStarConnectionsClient({}),
      pipelines: new CodePipelineClient({}),
      stepFunctions: new SFNClient({}),
      documents: handle.table.documents,
    } as Clients);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
    setClients(undefined);
    resetConfig();
    resetWorkflowContext();
    handle.table.client.destroy();
    await handle.table.dynamo.close();
  });
  return handle;
}

/**
 * An API Gateway HTTP API (payload 2.0) event for a route key, as the gateway sends it: the
 * router reads the method and the path, so both are filled from the route and its path parameters.
 */
export function apiEvent(fields: { routeKey: string; pathParameters?: Record<string, string> } & Record<string, unknown>): APIGatewayProxyEventV2WithJWTAuthorizer {
  const [method, template] = fields.routeKey.split(' ') as [string, string];
  const rawPath = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(fields.pathParameters?.[name] ?? ''));
  const requestContext = (fields.requestContext ?? {}) as Record<string, unknown>;
  return {
    version: '2.0',
    rawPath,
    rawQueryString: '',
    ...fields,
    requestContext: { ...requestContext, http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}
