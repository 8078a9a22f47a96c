import type { ConsoleConfig } from '../config.ts';
import { currentSession, signOut } from './session.ts';

/** An error answer of the API (RFC 9457 problem details) or of API Gateway itself. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(`${title}: ${detail}`);
  }
}

export type Api = <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<T>;

export function apiClient(config: ConsoleConfig, onSignedOut: () => void): Api {
  return async <T,>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const session = currentSession();
    const response = await fetch(`${config.apiBaseUrl}${path}`, {
      method,
      headers: {
        ...(session ? { authorization: `Bearer ${session.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    if (response.status === 401) {
      signOut();
      onSignedOut();
    }
    if (!response.ok) {
      const problem = parsed ?? {};
      throw new ApiProblem(
        response.status,
        String(problem.title ?? problem.message ?? response.statusText),
        String(problem.detail ?? ''),
        Array.isArray(problem.errors) ? (problem.errors as { path: string; message: string }[]) : [],
      );
    }
    return parsed as T;
  };
}
