import type { ServerResponse } from 'node:http';
import { AwsServiceError, SerializationError } from '../errors.ts';
import type { SmithyModel } from '../model/smithy-model.ts';
import { validateOperationInput } from '../model/validate.ts';
import type { RestJsonProtocolService } from '../service.ts';


/**
 * AWS's restJson1 protocol (RAM and other newer services): each operation has its own HTTP method
 * and path (the model's `smithy.api#http` trait), the input is a JSON body plus members bound to
 * the query string (`smithy.api#httpQuery`), and an error is the model's `httpError` status with
 * the code in the `x-amzn-errortype` header and `{"message": ...}` as the body.
 *
 * The server dispatches restJson1 calls itself, as it does awsJson and query calls (server.ts,
 * `handleRestJson`): this module finds the operation a method and path name, reads and validates
 * its input, and writes its answers; the server's common path adds what every call gets (SigV4
 * account and Region, authentication of temporary credentials, IAM authorisation, fault
 * injection, the store's change tracking and the call log).
 */

export interface HttpBinding {
  operation: string;
  method: string;
  uri: string;
  queryMembers: Record<string, string>;
}

/** What a request's method and path name: an operation, or a path of the service with the wrong method. */
export type RestJsonResolution =
  | { service: RestJsonProtocolService; operation: string; binding: HttpBinding }
  | { service: RestJsonProtocolService; operation: undefined; binding: undefined };

const bindingsByModel = new WeakMap<SmithyModel, HttpBinding[]>();

/**
 * The operation whose `http` trait is this method and path (restJson1 paths are exact), or the
 * service that owns the path when no operation takes this method on it; undefined when no
 * restJson1 service serves the path.
 */
export function resolveRestJsonOperation(services: readonly RestJsonProtocolService[], method: string, path: string): RestJsonResolution | undefined {
  let owner: RestJsonProtocolService | undefined;
  for (const service of services) {
    for (const binding of httpBindings(service.model)) {
      if (binding.uri !== path) continue;
      if (binding.method === method) return { service, operation: binding.operation, binding };
      owner ??= service;
    }
  }
  return owner ? { service: owner, operation: undefined, binding: undefined } : undefined;
}

function httpBindings(model: SmithyModel): HttpBinding[] {
  const cached = bindingsByModel.get(model);
  if (cached) return cached;
  const bindings = model.operationNames().flatMap((operation) => {
    const shape = model.shape(`${model.namespace}#${operation}`);
    const http = shape.traits?.['smithy.api#http'] as { method: string; uri: string } | undefined;
    if (!http) return [];
    const inputShape = model.inputShapeOf(operation);
    const members = inputShape ? (model.shape(inputShape).members ?? {}) : {};
    const queryMembers = Object.fromEntries(
      Object.entries(members)
        .filter(([, member]) => typeof member.traits?.['smithy.api#httpQuery'] === 'string')
        .map(([name, member]) => [member.traits!['smithy.api#httpQuery'] as string, name]),
    );
    return [{ operation, method: http.method, uri: http.uri, queryMembers }];
  });
  bindingsByModel.set(model, bindings);
  return bindings;
}

/** The operation's input: the JSON body and the query-string members, checked against the model. */
export function readRestJsonInput(service: RestJsonProtocolService, binding: HttpBinding, body: string, query: string): Record<string, unknown> {
  const input = { ...parseBody(body), ...queryInput(query, binding) };
  try {
    validateOperationInput(service.model, binding.operation, input);
  } catch (error) {
    if (error instanceof AwsServiceError && service.validationError) throw service.validationError(error);
    throw error;
  }
  return input;
}

function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SerializationError('Unable to parse the request body as JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SerializationError('Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

function queryInput(query: string, binding: HttpBinding): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const member = binding.queryMembers[name];
    if (member) input[member] = value;
  }
  return input;
}

/** restJson1 success: 200 with the output as the JSON body. */
export function writeRestJsonSuccess(response: ServerResponse, requestId: string, output: unknown): void {
  const text = JSON.stringify(output ?? {});
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId });
  response.end(text);
}

/** restJson1 error: the model's status, the code in `x-amzn-errortype`, `{"message"}` as the body. */
export function writeRestJsonError(response: ServerResponse, service: RestJsonProtocolService, requestId: string, error: AwsServiceError): void {
  const status = error.status ?? service.model.errorStatus(error.code) ?? (service.model.isServerFault(error.code) ? 500 : 400);
  const text = JSON.stringify({ message: error.message, ...error.fields });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.code,
  });
  response.end(text);
}
