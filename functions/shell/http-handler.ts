import httpRouterHandler from '@middy/http-router';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ApiError, badRequest, notFound } from './http-errors.ts';
import { toResponse } from './http.ts';
import { lambdaHandler, type CorrelationIds } from './lambda-handler.ts';
import { logger } from './powertools.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;

/** One row of an HTTP function's route table: API Gateway's route, and what answers it. */
export interface HttpRoute<Event extends APIGatewayProxyEventV2 = APIGatewayProxyEventV2> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As in serverless.yml's httpApi events, `{id}` for a path parameter. */
  path: string;
  handler: (event: Event, context: Context) => Promise<HttpResult>;
}

/**
 * An HTTP function: the Lambda shell, @middy/http-router over its route table, and every error
 * (ours, the router's 404, anything unexpected) answered as problem details in one place.
 */
export function httpHandler<Event extends APIGatewayProxyEventV2>(routes: HttpRoute<Event>[], options: { correlate?: (event: Event) => CorrelationIds } = {}) {
  const router = httpRouterHandler<Event, HttpResult>(routes) as unknown as (event: Event, context: Context) => Promise<HttpResult>;
  return lambdaHandler<Event, HttpResult>((event, context) => router(event, context), {
    correlate: options.correlate,
    use: [problemDetails<Event>()],
  });
}

function problemDetails<Event extends APIGatewayProxyEventV2>(): MiddlewareObj<Event, HttpResult> {
  return {
    onError: (request) => {
      request.response = toResponse(asApiError(request.error), (message, cause) => logger.error(message, { error: cause as Error }), request.event?.rawPath);
    },
  };
}

/** The router's own refusals carry a status (http-errors style); ours already are ApiErrors. */
function asApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status === 404) return notFound('No such route.');
  return error;
}

/** How deeply a body may nest objects and arrays; a connection request needs 5 levels. */
export const MAX_BODY_DEPTH = 32;

/** The JSON body of a request, or a 400 naming what is wrong with it. Optional bodies may be absent. */
export function jsonBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, options: { required: boolean } = { required: true }): unknown {
  if (!event.body) {
    if (!options.required) return undefined;
    throw badRequest('A JSON body is required.', [{ path: 'body', message: 'required' }]);
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  // Before parsing: the idempotency layer hashes the body recursively (as do the validators), and
  // thousands of levels overflow the stack there.
  if (nestingDepth(text) > MAX_BODY_DEPTH) {
    throw badRequest(`The body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep.`, [
      { path: 'body', message: `nested more than ${MAX_BODY_DEPTH} levels deep` },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('The body is not valid JSON.', [{ path: 'body', message: 'not valid JSON' }]);
  }
}

/**
 * The JSON body checked against a (strict object) zod schema: its output, or a 400 naming every
 * offending field by its path (unknown fields with the ones allowed).
 */
export function validBody<Output>(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  schema: { safeParse(value: unknown): { success: true; data: Output } | { success: false; error: { issues: readonly BodyIssue[] } } },
  what: string,
  allowedFields: readonly string[],
): Output {
  const parsed = schema.safeParse(jsonBody(event));
  if (parsed.success) return parsed.data;
  throw badRequest(
    `${what} is not valid.`,
    parsed.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.code === 'unrecognized_keys' ? `Unknown field(s) ${(issue.keys ?? []).join(', ')}; allowed: ${allowedFields.join(', ')}` : issue.message,
    })),
  );
}

interface BodyIssue {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
}

/** The deepest nesting of `{` and `[` in JSON text (outside strings), read without recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === '}' || char === ']') {
      depth--;
    }
  }
  return deepest;
}
