import type { IncomingMessage, ServerResponse } from 'node:http';
import { ControlApiError } from '../errors.ts';
import type { ControlRequest, ControlRoute, SandboxConfig } from '../service.ts';

interface CompiledRoute extends ControlRoute {
  pattern: RegExp;
  names: string[];
}

/**
 * The control API: plain JSON over HTTP below `/_sandbox`, for the steps only a human can take in
 * the console and for test set-up. Errors are `{error: {code, message, details: [{path, message}]}}`.
 */
export class ControlRouter {
  private readonly routes: CompiledRoute[];

  constructor(
    private readonly config: SandboxConfig,
    routes: ControlRoute[],
  ) {
    this.routes = routes.map((route) => {
      const names: string[] = [];
      const source = route.path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { ...route, names, pattern: new RegExp(`^${source}$`) };
    });
  }

  describe(): { method: string; path: string; summary: string }[] {
    return this.routes.map(({ method, path, summary }) => ({ method, path: `/_sandbox${path}`, summary }));
  }

  async handle(request: IncomingMessage, response: ServerResponse, path: string, rawBody: string): Promise<void> {
    try {
      const matching = this.routes.filter((route) => route.pattern.test(path));
      if (matching.length === 0) throw new ControlApiError(404, 'NotFound', `No control route at ${path}`);
      const route = matching.find((candidate) => candidate.method === request.method);
      if (!route) throw new ControlApiError(405, 'MethodNotAllowed', `${request.method} is not allowed on ${path}`);
      const match = route.pattern.exec(path)!;
      const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1]!)]));
      const query = new URL(request.url ?? '/', 'http://sandbox').searchParams;
      const body = parseBody(rawBody);
      const controlRequest: ControlRequest = {
        params,
        query,
        body,
        accountId: stringOr(body.account ?? query.get('account'), this.config.defaultAccountId, 'account', /^\d{12}$/),
        region: stringOr(body.region ?? query.get('region'), this.config.defaultRegion, 'region', /^[a-z]{2}(-[a-z]+)+-\d$/),
      };
      const result = await route.handle(controlRequest);
      const text = JSON.stringify(result ?? { ok: true });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    } catch (error) {
      const failure =
        error instanceof ControlApiError ? error : new ControlApiError(500, 'InternalError', (error as Error).message);
      const text = JSON.stringify({
        error: {
          code: failure.code,
          message: failure.message,
          details: failure.field ? [{ path: failure.field, message: failure.message }] : [],
        },
      });
      response.writeHead(failure.status, { 'content-type': 'application/json' });
      response.end(text);
    }
  }
}

function parseBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ControlApiError(400, 'InvalidJson', 'The request body must be a JSON object', 'body');
}

function stringOr(value: unknown, fallback: string, field: string, pattern: RegExp): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ControlApiError(400, 'InvalidParameter', `${field} must match ${pattern.source}`, field);
  }
  return value;
}

/** Field readers for control-route bodies: each names the field it rejects. */
export function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new ControlApiError(400, 'InvalidParameter', `${field} is required and must be a non-empty string`, field);
  }
  return value;
}

export function optionalNumber(
  body: Record<string, unknown>,
  field: string,
  { min = -Infinity, max = Infinity }: { min?: number; max?: number } = {},
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ControlApiError(400, 'InvalidParameter', `${field} must be a number from ${min} to ${max}`, field);
  }
  return value;
}
