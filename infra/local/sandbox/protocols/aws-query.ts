import type { ServerResponse } from 'node:http';
import type { AwsServiceError } from '../errors.ts';
import type { QueryProtocolService } from '../service.ts';

/**
 * Turns query-protocol form parameters into a nested input:
 * `Tags.member.2.Key=a` → `{ Tags: [undefined, { Key: 'a' }] }` (lists are `member.N`, 1-based).
 */
export function unflattenQueryParameters(form: URLSearchParams): { action: string | undefined; input: Record<string, unknown> } {
  const input: Record<string, unknown> = {};
  let action: string | undefined;
  for (const [key, value] of form) {
    if (key === 'Action') action = value;
    else if (key !== 'Version') assignPath(input, key.split('.'), value);
  }
  return { action, input: compactLists(input) as Record<string, unknown> };
}

function assignPath(target: Record<string, unknown>, path: string[], value: string): void {
  let cursor: Record<string, unknown> = target;
  for (let index = 0; index < path.length - 1; index++) {
    const segment = path[index]!;
    if (segment === 'member') continue;
    const next = path[index + 1] === 'member' ? path[index + 2] : path[index + 1];
    cursor[segment] ??= /^\d+$/.test(next ?? '') && path[index + 1] === 'member' ? { __list: true } : {};
    cursor = cursor[segment] as Record<string, unknown>;
  }
  cursor[path[path.length - 1]!] = value;
}

function compactLists(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if (object.__list) {
    return Object.keys(object)
      .filter((key) => key !== '__list')
      .sort((a, b) => Number(a) - Number(b))
      .map((key) => compactLists(object[key]));
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, compactLists(item)]));
}

export function writeQuerySuccess(
  response: ServerResponse,
  service: QueryProtocolService,
  action: string,
  requestId: string,
  result: unknown,
): void {
  const resultXml = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  const body =
    `<${action}Response xmlns="${service.xmlNamespace}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  writeXml(response, 200, requestId, body);
}

export function writeQueryError(
  response: ServerResponse,
  service: QueryProtocolService | undefined,
  requestId: string,
  error: AwsServiceError,
): void {
  const status = error.status ?? 400;
  const body =
    `<ErrorResponse xmlns="${service?.xmlNamespace ?? ''}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
    `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  writeXml(response, status, requestId, body);
}

function writeXml(response: ServerResponse, status: number, requestId: string, body: string): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

/** Objects become elements, arrays become `<member>` lists, as in every query-protocol response. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `<${key}>${toXml(item)}</${key}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[char]};`);
}
