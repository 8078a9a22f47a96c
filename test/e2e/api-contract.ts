/**
 * Holds every answer of the API to the OpenAPI document it serves: the status must be declared for
 * the operation, the body must match the schema declared for that status and content type (an
 * undeclared body, or a body where none is declared, is a mismatch), and every required header must
 * be there and match its schema. JSON Schema 2020-12 (OpenAPI 3.1) with ajv and ajv-formats.
 *
 * The end-to-end helpers (local-system.ts) run it on each call, so a mismatch fails the test that
 * made the call.
 */
import { appendFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

export interface ApiResponse {
  method: string;
  /** The path as called, query string allowed. */
  path: string;
  status: number;
  /** Header names in any case. */
  headers: Record<string, string>;
  /** The body as text ('' when there is none). */
  body: string;
}

export interface OperationMatch {
  operationId: string;
  template: string;
  operation: Json;
}

const DOCUMENT_ID = 'https://connection-broker.invalid/openapi.json';

export class ApiContract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes: { method: string; template: string; pattern: RegExp; literalSegments: number; operation: Json }[] = [];
  /** How many answers this contract has checked. */
  checked = 0;

  constructor(readonly document: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    for (const [template, item] of Object.entries(document.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item)) {
        const segments = template.split('/');
        const pattern = new RegExp(`^${segments.map((segment) => (/^\{.+\}$/u.test(segment) ? '[^/]+' : escapeRegExp(segment))).join('/')}$`, 'u');
        this.routes.push({ method: method.toUpperCase(), template, pattern, literalSegments: segments.filter((segment) => !segment.startsWith('{')).length, operation: operation as Json });
      }
    }
    // A literal route wins over a template (`/v1/audits/latest` before `/v1/audits/{id}`), as in API Gateway.
    this.routes.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** The documented operation a call goes to, or undefined. */
  operationFor(method: string, path: string): OperationMatch | undefined {
    const bare = path.split('?')[0] ?? path;
    const route = this.routes.find((candidate) => candidate.method === method.toUpperCase() && candidate.pattern.test(bare));
    return route && { operationId: String(route.operation.operationId), template: route.template, operation: route.operation };
  }

  /** Every way `response` departs from the document; [] when it conforms. */
  problems(response: ApiResponse): string[] {
    const match = this.operationFor(response.method, response.path);
    if (!match) return [`${response.method} ${response.path} is not an operation of the document`];
    const responses = match.operation.responses as Json;
    const key = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((candidate) => candidate in responses);
    if (key === undefined) return [`${match.operationId} does not declare status ${response.status} (declared: ${Object.keys(responses).join(', ')})`];
    const declared = this.resolve(responses[key] as Json);
    const problems: string[] = [];

    const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name.toLowerCase(), value]));
    for (const [name, header] of Object.entries((declared.headers ?? {}) as Json)) {
      const definition = this.resolve(header as Json);
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (definition.required === true) problems.push(`header ${name} is required but missing`);
        continue;
      }
      const validate = this.validator(`header:${JSON.stringify(definition.schema)}`, definition.schema as Json);
      if (!validate(value)) problems.push(`header ${name}: ${this.ajv.errorsText(validate.errors)}`);
    }

    const content = declared.content as Record<string, Json> | undefined;
    const contentType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!content) {
      if (response.body !== '') problems.push(`status ${response.status} declares no body, but one came (${contentType || 'no content type'})`);
      return problems;
    }
    const media = content[contentType];
    if (!media) {
      problems.push(`content type ${contentType || '(none)'} is not declared for status ${response.status} (declared: ${Object.keys(content).join(', ')})`);
      return problems;
    }
    let body: unknown;
    try {
      body = JSON.parse(response.body) as unknown;
    } catch {
      problems.push(`the body is not JSON: ${response.body.slice(0, 200)}`);
      return problems;
    }
    const validate = this.validator(`${match.operationId} ${key} ${contentType}`, media.schema as Json);
    if (!validate(body)) {
      for (const error of validate.errors ?? []) problems.push(`body${error.instancePath} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
    }
    return problems;
  }

  /** Throws, naming every mismatch, unless `response` conforms. */
  check(response: ApiResponse): void {
    const problems = this.problems(response);
    this.checked++;
    if (process.env.API_CONTRACT_LOG) {
      appendFileSync(process.env.API_CONTRACT_LOG, `${response.method} ${response.path.split('?')[0]} ${response.status} ${problems.length === 0 ? 'ok' : 'MISMATCH'}\n`);
    }
    if (problems.length > 0) {
      throw new Error(
        `${response.method} ${response.path} answered ${response.status}, which the OpenAPI document does not allow:\n  ${problems.slice(0, 20).join('\n  ')}\nbody: ${response.body.slice(0, 1500)}`,
      );
    }
  }

  /** A response, header or parameter object, following a `#/components/...` reference. */
  private resolve(value: Json): Json {
    let current = value;
    for (let depth = 0; typeof current.$ref === 'string' && depth < 10; depth++) {
      const pointer = (current.$ref as string).replace(/^#\//u, '').split('/').map((segment) => segment.replace(/~1/gu, '/').replace(/~0/gu, '~'));
      current = pointer.reduce<unknown>((node, segment) => (node as Json | undefined)?.[segment], this.document) as Json;
    }
    return current;
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema));
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** The schema with its `#/...` references pointing into the document (they are relative to it, not to the schema). */
function rebase(schema: unknown): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith('#') ? `${DOCUMENT_ID}${value}` : walk(value)]));
  };
  return walk(schema) as Json;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}
