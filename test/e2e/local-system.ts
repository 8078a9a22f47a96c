import { fileURLToPath } from 'node:url';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '../../infra/local/local-system.ts';
import { mintToken } from '../../infra/local/runtime/jwt.ts';
import { control } from '../helpers/sandbox.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The whole local system on free ports, in memory; tests talk to it over HTTP only. Its terminal
 * output is the default's (the functions' warnings and errors, readable) unless `options` asks for
 * the functions' JSON logs (`logFormat: 'json'`) or the lines for people (`log`: one per request step).
 */
export async function startSystem(
  environment: Record<string, string> = {},
  options: Pick<LocalSystemOptions, 'logFormat' | 'log'> = {},
): Promise<LocalSystem> {
  return startLocalSystem({ root: ROOT, apiPort: 0, sandboxPort: 0, persist: false, environment, ...options });
}

export async function tokenFor(sub: string, admin = false): Promise<string> {
  return mintToken({ sub, email: sub, groups: admin ? ['connection-broker-admins'] : [] });
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function api<T = Record<string, unknown>>(
  system: LocalSystem,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<ApiAnswer<T>> {
  const response = await fetch(`${system.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
}

export async function sandboxControl<T = Record<string, unknown>>(
  system: LocalSystem,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  return control<T>(system.sandbox, method, path, body);
}

/** Polls until `accept` holds (real time; the workflow itself runs on the sandbox clock). */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await read();
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 2000)}`);
}
