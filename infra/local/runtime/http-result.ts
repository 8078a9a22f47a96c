/**
 * Maps what a handler returned to the HTTP response API Gateway (payload format 2.0)
 * would send:
 * - an object with `statusCode` is a structured response: headers, `cookies` as
 *   separate Set-Cookie headers, a base64 body decoded when `isBase64Encoded`;
 * - anything else (an object without statusCode, an array, a string, nothing) is the
 *   body itself: 200, `content-type: application/json`, the value JSON-encoded;
 * - a structured response API Gateway cannot use (non-numeric statusCode, a body that is
 *   not a string, a header value that is an object) is a 500, as on AWS.
 */

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export function gatewayError(statusCode: number, message: string, headers: Record<string, string> = {}): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message })),
  };
}

export function internalServerError(): GatewayResponse {
  return gatewayError(500, 'Internal Server Error');
}

export function mapHandlerResult(result: unknown): GatewayResponse {
  if (result === null || typeof result !== 'object' || Array.isArray(result) || !('statusCode' in result)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(JSON.stringify(result ?? null)),
    };
  }
  const structured = result as Record<string, unknown>;
  const { statusCode, body } = structured;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return internalServerError();
  if (body !== undefined && body !== null && typeof body !== 'string') return internalServerError();
  const headers = stringHeaders(structured.headers);
  const cookies = structured.cookies ?? [];
  if (headers === undefined || !Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) return internalServerError();

  const bytes = typeof body === 'string' ? Buffer.from(body, structured.isBase64Encoded === true ? 'base64' : 'utf8') : Buffer.alloc(0);
  // Public reports of HTTP APIs show text/plain when the function names no content type.
  if (bytes.length > 0 && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'text/plain; charset=utf-8';
  }
  return { statusCode, headers, cookies, body: bytes };
}

function stringHeaders(raw: unknown): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
    headers[name] = String(value);
  }
  return headers;
}
