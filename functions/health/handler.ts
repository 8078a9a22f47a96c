import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { httpHandler, type HttpRoute } from '../shell/http-handler.ts';

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

async function health(): Promise<APIGatewayProxyStructuredResultV2> {
  return { statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(currentHealth()) };
}

/** The route table: the same routes serverless.yml gives this function (test/deploy checks both). */
export const healthRoutes: HttpRoute[] = [{ method: 'GET', path: '/v1/health', handler: health }];

/** No AWS client: one answer, in the same shell and router as every HTTP function. */
export const handler = httpHandler(healthRoutes);
