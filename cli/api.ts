/**
 * The CLI's HTTP calls to the broker's API: bearer token, JSON in and out, and every answer that
 * is not 2xx turned into a {@link CliFailure} (cli/api-error.ts) with its exit code.
 */
import { apiFailure, notSignedIn, unreachable } from './api-error.ts';

export interface ApiCall {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** Send without a token (the local dev sign-in). */
  anonymous?: boolean;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    /** Where the URL came from, for the "cannot reach" message. */
    readonly source: string,
    private readonly token: string | undefined,
  ) {}

  /** Whether a token will be sent. */
  get signedIn(): boolean {
    return this.token !== undefined;
  }

  /** Calls the API; resolves to the parsed JSON body of a 2xx answer, throws a CliFailure otherwise. */
  async call<T>(method: string, path: string, call: ApiCall = {}): Promise<T> {
    if (!call.anonymous && this.token === undefined) throw notSignedIn();
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(call.anonymous || this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, this.source, error);
    }
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      // Not JSON (a proxy's HTML page): apiFailure shows the start of the text.
    }
    if (!response.ok) throw apiFailure(response.status, body);
    return body as T;
  }
}
