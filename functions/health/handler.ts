import type { APIGatewayProxyHandlerV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HealthStatus {
  status: 'ok';
  service: string;
  version: string;
}

// Read at call time, not import time, so tests can set the environment per case.
function currentHealth(): HealthStatus {
  return {
    status: 'ok',
    service: process.env.SERVICE_NAME ?? 'connection-broker',
    version: process.env.SERVICE_VERSION ?? 'unknown',
  };
}

// `satisfies` keeps the Lambda contract checked while letting callers (tests, the
// local sandbox, Step Functions) invoke it without an event or context.
export const handler = (async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(currentHealth()),
})) satisfies APIGatewayProxyHandlerV2;
