/**
 * The OpenAPI side of "one place errors map to HTTP": the problem details schema, the answers API
 * Gateway gives itself (before or instead of a function), the headers every answer carries, and
 * builders for the responses of each operation. functions/request/openapi.ts and
 * functions/audit/openapi-paths.ts build their operations from these.
 */
import { PROBLEM_CODES, PROBLEM_TYPE_PREFIX, PROBLEM_TYPES } from './http-errors.ts';
import { PROBLEM_CONTENT_TYPE } from './http.ts';

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Headers on every answer of a function (json() and problem details). */
const functionHeaders = { 'Cache-Control': headerRef('CacheControl'), 'Apigw-Requestid': headerRef('RequestId') };
/** Headers on answers that may come from API Gateway itself (which sets no Cache-Control). */
const gatewayHeaders = { 'Cache-Control': headerRef('CacheControlIfFunction'), 'Apigw-Requestid': headerRef('RequestId') };

/** A JSON answer of a function, with its schema (a component name or an inline schema). */
export function jsonResponse(description: string, schema: string | Record<string, unknown>, headers: Record<string, unknown> = {}) {
  return {
    description,
    headers: { ...functionHeaders, ...headers },
    content: { 'application/json': { schema: typeof schema === 'string' ? schemaRef(schema) : schema } },
  };
}

/** A 202 whose `Location` names what was started. */
export function acceptedResponse(description: string, schema: string) {
  return jsonResponse(description, schema, { Location: headerRef('Location') });
}

/** A 201 whose `Location` names what was made. */
export function createdResponse(description: string, schema: string) {
  return jsonResponse(description, schema, { Location: headerRef('Location') });
}

/** An answer without a body (Slack reads only the status). */
export function emptyResponse(description: string) {
  return { description, headers: { 'Apigw-Requestid': headerRef('RequestId') } };
}

/** A problem details answer of a function. */
export function problemResponse(description: string) {
  return { description, headers: functionHeaders, content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') } } };
}

/** The gateway's 401 (and the function's own, for a token that names no caller). */
export const unauthorizedResponse = { $ref: '#/components/responses/Unauthorized' };
/** The gateway's 413 for a body over 10 MB. */
export const payloadTooLargeResponse = { $ref: '#/components/responses/PayloadTooLarge' };
/** Our 500, or the gateway's when the function itself failed. */
export const internalErrorResponse = { $ref: '#/components/responses/InternalError' };

/** What API Gateway (or the shell) may answer on any route: a body over 10 MB (checked before the route), a failed function. */
export const anyRouteResponses = { '413': payloadTooLargeResponse, '500': internalErrorResponse };
/** The same, on a route behind the JWT authorizer. */
export const authorizedRouteResponses = { '401': unauthorizedResponse, ...anyRouteResponses };

const GATEWAY_CONTENT_TYPE = 'application/json';

/** The components every operation's responses refer to. */
export function problemComponents() {
  return {
    schemas: {
      Problem: {
        type: 'object',
        description:
          'RFC 9457 problem details (application/problem+json): every error a function of the API answers. `type` names the problem: a URI reference, ' +
          `resolved against the API's address, into this document's \`components.x-problem-types\` (\`${PROBLEM_TYPE_PREFIX}{code}\`, e.g. ` +
          `\`${PROBLEM_TYPE_PREFIX}ConnectionNameTaken\`), which gives each code's title, statuses and meaning; \`code\` is the same name, for programs.`,
        required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'errors'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', format: 'uri-reference', pattern: `^${PROBLEM_TYPE_PREFIX.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}`, examples: [`${PROBLEM_TYPE_PREFIX}ConnectionNameTaken`] },
          title: { type: 'string', description: 'What the problem is; the same for every occurrence of the type.' },
          status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status, repeated.' },
          detail: { type: 'string', description: 'What happened this time, and what to do about it.' },
          instance: { type: 'string', format: 'uri-reference', description: 'The request path the problem occurred at.', examples: ['/v1/connection-requests'] },
          code: { type: 'string', enum: [...PROBLEM_CODES], description: 'The stable machine code; the last segment of `type`.' },
          errors: {
            type: 'array',
            description: 'Each offending input, by its path (a dotted body path such as `vpcConfiguration.subnetIds.2`, `headers.Idempotency-Key`, or a query parameter); empty when the problem is not about one.',
            items: {
              type: 'object',
              required: ['path', 'message'],
              additionalProperties: false,
              properties: { path: { type: 'string', examples: ['vpcConfiguration.subnetIds.2'] }, message: { type: 'string' } },
            },
          },
        },
      },
      GatewayUnauthorized: {
        type: 'object',
        description: 'What API Gateway\'s JWT authorizer answers for a missing, expired or invalid token, before any function runs.',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string', const: 'Unauthorized' } },
      },
      GatewayError: {
        type: 'object',
        description: 'What API Gateway answers itself: `Request Entity Too Large` for a body over 10 MB, `Internal Server Error` when the function failed.',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string', enum: ['Request Entity Too Large', 'Internal Server Error'] } },
      },
    },
    headers: {
      CacheControl: { description: 'Answers are never cached.', required: true, schema: { type: 'string', const: 'no-store' } },
      CacheControlIfFunction: { description: '`no-store` when a function answered; API Gateway\'s own answers carry none.', required: false, schema: { type: 'string', const: 'no-store' } },
      RequestId: { description: 'API Gateway\'s id of the request (quote it when asking for help).', required: true, schema: { type: 'string', minLength: 1 } },
      Location: { description: 'Where to follow what was started: the same path as the body\'s `links.self`.', required: true, schema: { type: 'string', format: 'uri-reference' } },
      WWWAuthenticate: {
        description: 'API Gateway\'s Bearer challenge when a token was sent but is not valid (`error="invalid_token"` and why).',
        required: false,
        schema: { type: 'string', pattern: '^Bearer ' },
      },
    },
    responses: {
      Unauthorized: {
        description:
          'No valid bearer token. API Gateway\'s JWT authorizer answers a missing, expired or invalid token itself, as `{"message":"Unauthorized"}` (application/json); ' +
          'a valid token that names no caller (no `sub`) gets problem details.',
        headers: { ...gatewayHeaders, 'WWW-Authenticate': headerRef('WWWAuthenticate') },
        content: { [GATEWAY_CONTENT_TYPE]: { schema: schemaRef('GatewayUnauthorized') }, [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') } },
      },
      PayloadTooLarge: {
        description: 'The body is over HTTP APIs\' 10 MB payload limit: API Gateway answers `{"message":"Request Entity Too Large"}` itself, on any route.',
        headers: { 'Apigw-Requestid': headerRef('RequestId') },
        content: { [GATEWAY_CONTENT_TYPE]: { schema: schemaRef('GatewayError') } },
      },
      InternalError: {
        description:
          'Something went wrong on our side: problem details with code InternalError (no internals; the log has them), or, when the function itself failed or ran out of time, ' +
          'API Gateway\'s `{"message":"Internal Server Error"}`.',
        headers: gatewayHeaders,
        content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') }, [GATEWAY_CONTENT_TYPE]: { schema: schemaRef('GatewayError') } },
      },
    },
    problemTypes: Object.fromEntries(
      PROBLEM_CODES.map((code) => [code, { title: PROBLEM_TYPES[code].title, statuses: [...PROBLEM_TYPES[code].statuses], description: PROBLEM_TYPES[code].description }]),
    ),
  };
}
