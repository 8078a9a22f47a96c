import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError, isProblemCode, PROBLEM_TYPES, problemTypeUri, type ErrorDetail } from './http-errors.ts';

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** RFC 9457's media type for problem details. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An error answer (RFC 9457 problem details): `type` names the problem ({@link problemTypeUri}),
 * `title` says what it is (the same for every occurrence), `detail` what happened this time,
 * `instance` the request path, `code` the stable machine code, `errors` each offending input.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors: ErrorDetail[];
}

/** What a problem's `instance` is taken from: the request path, or the event (its `rawPath`). */
export type ProblemInstance = string | { rawPath?: string | undefined } | undefined;

/** The problem details of an error (an {@link ApiError}, or the same fields). */
export function problemDetails(
  error: { status: number; code: string; message: string; details?: readonly ErrorDetail[] },
  instance?: ProblemInstance,
): ProblemDetails {
  const path = typeof instance === 'string' ? instance : instance?.rawPath;
  return {
    type: problemTypeUri(error.code),
    title: isProblemCode(error.code) ? PROBLEM_TYPES[error.code].title : error.code,
    status: error.status,
    detail: error.message,
    ...(path ? { instance: path } : {}),
    code: error.code,
    errors: [...(error.details ?? [])],
  };
}

export function problem(body: ProblemDetails, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return json(body.status, body, { 'content-type': PROBLEM_CONTENT_TYPE, ...headers });
}

/**
 * The one place errors map to HTTP: every error becomes problem details (application/problem+json).
 * Anything that is not an ApiError is our fault: 500 with no internals in the body (the log has
 * them, without secrets). Pass the event (or its path) to fill in `instance`.
 */
export function toResponse(
  error: unknown,
  log: (message: string, error: unknown) => void,
  instance?: ProblemInstance,
): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ApiError) return problem(problemDetails(error, instance));
  log('unhandled error', error);
  return problem(problemDetails({ status: 500, code: 'InternalError', message: 'Something went wrong on our side; try again later.' }, instance));
}
