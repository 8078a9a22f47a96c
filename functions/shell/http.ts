import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from './http-errors.ts';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Every error becomes `{error: {code, message, details}}`. Anything that is not an ApiError is
 * our fault: 500 with no internals in the body (the log has them, without secrets).
 */
export function toResponse(error: unknown, log: (message: string, error: unknown) => void): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ApiError) {
    return json(error.status, { error: { code: error.code, message: error.message, details: error.details } });
  }
  log('unhandled error', error);
  return json(500, { error: { code: 'InternalError', message: 'Something went wrong on our side; try again later.', details: [] } });
}
