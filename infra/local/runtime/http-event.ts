/**
 * Builds the API Gateway HTTP API payload format 2.0 event from a received request, with
 * the observed (not only documented) behaviour of API Gateway where it surprises:
 * - rawPath arrives percent-decoded, rawQueryString stays as sent;
 * - the `cookie` header moves to `cookies` and is left out of `headers`;
 * - repeated headers and query parameters are joined with commas;
 * - the body is base64-encoded unless the content type is text/*, application/json,
 *   application/xml or application/javascript: a Slack form post
 *   (application/x-www-form-urlencoded) and a request with no content type arrive
 *   base64-encoded;
 * - JWT claims arrive as strings: numbers and booleans stringified, arrays as
 *   `[a b]`, objects as JSON text, null claims left out; `scopes` is null unless the
 *   route declares authorization scopes.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

export interface ReceivedRequest {
  method: string;
  /** The request target as received (`req.url`): encoded path plus `?query`. */
  url: string;
  /** `req.rawHeaders`: alternating names and values, repeats kept. */
  rawHeaders: readonly string[];
  /** `req.httpVersion`, e.g. `1.1`. */
  httpVersion: string;
  sourceIp: string;
  localPort: number;
  body: Buffer;
}

export interface EventContext {
  routeKey: string;
  pathParameters?: Record<string, string>;
  requestId: string;
  now: Date;
  accountId: string;
  apiId: string;
  /** `Root=1-…`; added as x-amzn-trace-id when the client sent none, as API Gateway does. */
  traceId?: string;
  /** Present on JWT routes only. */
  authorizer?: { claims: Record<string, unknown>; scopes: string[] | null };
}

const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

export function buildHttpApiEvent(request: ReceivedRequest, context: EventContext): APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer {
  const { rawPath, rawQueryString } = splitTarget(request.url);
  const { headers, cookies } = collectHeaders(request, context.traceId);
  const queryStringParameters = parseQueryString(rawQueryString);
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const requestContext = {
    accountId: context.accountId,
    apiId: context.apiId,
    domainName,
    domainPrefix: domainName.split('.')[0] ?? domainName,
    http: {
      method: request.method.toUpperCase(),
      path: rawPath,
      protocol: `HTTP/${request.httpVersion}`,
      sourceIp: request.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId: context.requestId,
    routeKey: context.routeKey,
    stage: '$default',
    time: formatRequestTime(context.now),
    timeEpoch: context.now.getTime(),
  };
  const textBody = isTextContentType(headers['content-type']);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    ...(context.pathParameters === undefined ? {} : { pathParameters: context.pathParameters }),
    requestContext,
    ...(request.body.length > 0 ? { body: request.body.toString(textBody ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: request.body.length > 0 && !textBody,
  };
  if (context.authorizer === undefined) return event;
  const jwt = { claims: renderClaims(context.authorizer.claims), scopes: context.authorizer.scopes };
  return { ...event, requestContext: { ...requestContext, authorizer: { jwt } } } satisfies APIGatewayProxyEventV2WithJWTAuthorizer;
}

/** Path (percent-decoded, as HTTP APIs deliver it) and the raw query string. */
export function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  const question = url.indexOf('?');
  const encodedPath = question === -1 ? url : url.slice(0, question);
  return { rawPath: safeDecode(encodedPath), rawQueryString: question === -1 ? '' : url.slice(question + 1) };
}

export function isTextContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return mediaType.startsWith('text/') || TEXT_MEDIA_TYPES.has(mediaType);
}

/** JWT claims as API Gateway hands them to the integration: every value a string. */
export function renderClaims(claims: Record<string, unknown>): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) rendered[name] = `[${value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ')}]`;
    else if (typeof value === 'object') rendered[name] = JSON.stringify(value);
    else rendered[name] = String(value);
  }
  return rendered;
}

function collectHeaders(request: ReceivedRequest, traceId: string | undefined): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] ?? '').toLowerCase();
    const value = request.rawHeaders[index + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(...value.split(';').map((cookie) => cookie.trim()).filter((cookie) => cookie !== ''));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  // What API Gateway's front door adds before the integration sees the request.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] === undefined ? request.sourceIp : `${headers['x-forwarded-for']}, ${request.sourceIp}`;
  headers['x-forwarded-port'] = String(request.localPort);
  headers['x-forwarded-proto'] = 'http';
  if (traceId !== undefined && headers['x-amzn-trace-id'] === undefined) headers['x-amzn-trace-id'] = traceId;
  return { headers, cookies };
}

function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = safeDecode(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : safeDecode(pair.slice(equals + 1));
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
export function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
