import { fileURLToPath } from 'node:url';
import { startLocalSystem, type LocalSystem, type LocalSystemOptions } from '../../infra/local/local-system.ts';
import { mintToken } from '../../infra/local/runtime/jwt.ts';
import { control } from '../helpers/sandbox.ts';
import { ApiContract } from './api-contract.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The whole local system on free ports, in memory; tests talk to it over HTTP only. Its terminal
 * output is the default's (the functions' warnings and errors, readable) unless `options` asks for
 * the functions' JSON logs (`logFormat: 'json'`) or the lines for people (`log`: one per request step).
 * The functions run the packaged bundles, what Lambda runs (and each environment then loads one
 * file instead of transpiling the sources, which halves a suite's CPU time).
 */
export async function startSystem(
  environment: Record<string, string> = {},
  options: Pick<LocalSystemOptions, 'logFormat' | 'log' | 'functionOutput'> = {},
): Promise<LocalSystem> {
  return startLocalSystem({ root: ROOT, apiPort: 0, sandboxPort: 0, persist: false, packaged: true, environment, ...options });
}

export async function tokenFor(sub: string, admin = false): Promise<string> {
  return mintToken({ sub, email: sub, groups: admin ? ['connection-broker-admins'] : [] });
}

/** An error answer of the API: RFC 9457 problem details (application/problem+json). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors: { path: string; message: string }[];
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  /** Header names in lower case. */
  headers: Record<string, string>;
}

const contracts = new WeakMap<LocalSystem, Promise<ApiContract>>();

/** The OpenAPI document the system serves (GET /v1/openapi.json), as a contract its answers are held to; fetched once per system. */
export function contractOf(system: LocalSystem): Promise<ApiContract> {
  let contract = contracts.get(system);
  if (!contract) {
    contract = (async () => {
      const answer = await send(system, 'GET', '/v1/openapi.json', {});
      if (answer.status !== 200) throw new Error(`GET /v1/openapi.json answered ${answer.status}: ${answer.text.slice(0, 500)}`);
      const loaded = new ApiContract(JSON.parse(answer.text) as Record<string, unknown>);
      loaded.check({ method: 'GET', path: '/v1/openapi.json', status: answer.status, headers: answer.headers, body: answer.text });
      return loaded;
    })();
    contracts.set(system, contract);
    // A failed load is not cached: the next call tries again (and fails its test with the reason).
    contract.catch(() => contracts.delete(system));
  }
  return contract;
}

async function send(system: LocalSystem, method: string, path: string, init: { headers?: Record<string, string>; body?: string }) {
  const response = await fetch(`${system.apiUrl}${path}`, { method, headers: init.headers, body: init.body });
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers.entries()), text };
}

/**
 * One call of the API as a client makes it, held to the OpenAPI document: an answer whose status,
 * headers or body the document does not allow for the operation throws, failing the test.
 */
export async function rawApi(
  system: LocalSystem,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const contract = await contractOf(system);
  const answer = await send(system, method, path, init);
  contract.check({ method, path, status: answer.status, headers: answer.headers, body: answer.text });
  return answer;
}

export async function api<T = Record<string, unknown>>(
  system: LocalSystem,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<ApiAnswer<T>> {
  const answer = await rawApi(system, method, path, {
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: answer.status, headers: answer.headers, body: (answer.text ? JSON.parse(answer.text) : {}) as T };
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
