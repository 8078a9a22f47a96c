import type { ServerResponse } from 'node:http';
import type { AwsServiceError} from '../errors.ts';
import { SerializationError } from '../errors.ts';
import type { JsonProtocolService } from '../service.ts';

/** Finds the service and operation an `X-Amz-Target` names. */
export function resolveTarget(
  services: readonly JsonProtocolService[],
  target: string,
): { service: JsonProtocolService; operation: string } | undefined {
  const dot = target.lastIndexOf('.');
  if (dot < 0) return undefined;
  const prefix = target.slice(0, dot);
  const service = services.find((candidate) => candidate.targetPrefixes.includes(prefix));
  return service ? { service, operation: target.slice(dot + 1) } : undefined;
}

export function parseJsonBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SerializationError('Unable to parse the request body as JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SerializationError('Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

export function writeJsonSuccess(
  response: ServerResponse,
  contentType: string,
  requestId: string,
  output: unknown,
): void {
  const body = JSON.stringify(output ?? {});
  response.writeHead(200, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  response.end(body);
}

/** AWS JSON error: bare `__type`, the service's message member, model status (else 400/500). */
export function writeJsonError(
  response: ServerResponse,
  service: JsonProtocolService | undefined,
  requestId: string,
  error: AwsServiceError,
): void {
  const status =
    error.status ?? service?.model.errorStatus(error.code) ?? (service?.model.isServerFault(error.code) ? 500 : 400);
  const messageMember = error.code === 'ValidationException' ? 'message' : (service?.errorMessageMember ?? 'message');
  const body = JSON.stringify({ __type: error.code, [messageMember]: error.message, ...error.fields });
  response.writeHead(status, {
    'content-type': service?.contentType ?? 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
  response.end(body);
}
