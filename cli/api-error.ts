/**
 * How the CLI ends when something goes wrong: the exit code, the lines for people (stderr) and
 * the JSON error object `--json` prints on stdout. Pure, apart from the error class that carries it.
 *
 * Exit codes: 0 ok; 1 the API refused (4xx/5xx) or could not be reached; 2 a usage error (bad
 * flags); 3 a watched request (or audit) ended other than COMPLETED; 4 not signed in, or the token
 * was refused.
 */

export const EXIT = { ok: 0, refused: 1, usage: 2, notCompleted: 3, notSignedIn: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What `--json` prints on stdout when a command fails. */
export interface JsonFailure {
  error: {
    kind: 'api' | 'unreachable' | 'usage' | 'not-signed-in' | 'not-completed';
    message: string;
    status?: number;
    code?: string;
    title?: string;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  exitCode: ExitCode;
}

/** How a command fails: thrown by the commands, turned into output and an exit code by main.ts. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCode,
    /** For people, on stderr. */
    readonly lines: string[],
    /** For `--json`, on stdout. */
    readonly json: JsonFailure,
  ) {
    super(lines.join('\n'));
    this.name = 'CliFailure';
  }
}

/** An RFC 9457 problem as the API sends it, or API Gateway's `{ message }`. */
interface ProblemLike {
  title?: unknown;
  detail?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

const LOGIN_HINT =
  'Sign in with `connection-broker login --token <jwt>` (`--token -` reads it from stdin; on the local system: `connection-broker login --dev --sub you@example.com`), or set CONNECTION_BROKER_TOKEN.';

const HTTP_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** The problem's `errors` that have the `{ path, message }` shape. */
function fieldErrors(errors: unknown): { path: string; message: string }[] {
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error: unknown) => {
    if (typeof error !== 'object' || error === null) return [];
    const { path, message } = error as { path?: unknown; message?: unknown };
    return typeof message === 'string' ? [{ path: typeof path === 'string' ? path : '', message }] : [];
  });
}

/**
 * The failure for an API answer that is not 2xx: `<status> <title>: <detail>` and one line per
 * field error (`  <path>: <message>`); 401 means the token is missing or refused (exit 4).
 *
 * @param status - the HTTP status.
 * @param body - the parsed JSON body, or the raw text when it was not JSON.
 */
export function apiFailure(status: number, body: unknown): CliFailure {
  const problem: ProblemLike = typeof body === 'object' && body !== null ? (body as ProblemLike) : {};
  const title = text(problem.title) ?? text(problem.message) ?? HTTP_TITLES[status] ?? 'Error';
  const detail = text(problem.detail) ?? (typeof body === 'string' ? text(body.slice(0, 500)) : undefined);
  const errors = fieldErrors(problem.errors);
  const code = text(problem.code);
  const same = (a: string, b: string) => a.replace(/\.$/u, '') === b.replace(/\.$/u, '');
  const headline = detail === undefined || same(detail, title) ? `${status} ${title}` : `${status} ${title}: ${detail}`;
  const lines = [headline, ...errors.map((error) => `  ${error.path === '' ? '(body)' : error.path}: ${error.message}`)];
  const exitCode = status === 401 ? EXIT.notSignedIn : EXIT.refused;
  if (status === 401) lines.push('The API refused the token (missing, expired, or for another API). ' + LOGIN_HINT);
  return new CliFailure(exitCode, lines, {
    error: {
      kind: status === 401 ? 'not-signed-in' : 'api',
      message: headline,
      status,
      ...(code === undefined ? {} : { code }),
      title,
      ...(detail === undefined ? {} : { detail }),
      errors,
    },
    exitCode,
  });
}

/** No token: exit 4, saying how to sign in. */
export function notSignedIn(): CliFailure {
  const message = 'Not signed in.';
  return new CliFailure(EXIT.notSignedIn, [`${message} ${LOGIN_HINT}`], { error: { kind: 'not-signed-in', message: `${message} ${LOGIN_HINT}` }, exitCode: EXIT.notSignedIn });
}

/** The API could not be reached at all (exit 1). */
export function unreachable(apiUrl: string, source: string, cause: unknown): CliFailure {
  const reason = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
  const message = `Cannot reach the API at ${apiUrl} (${source}): ${reason}`;
  return new CliFailure(
    EXIT.refused,
    [message, 'Give the URL with --api or CONNECTION_BROKER_API; for the local system, start it with `npm start`.'],
    { error: { kind: 'unreachable', message }, exitCode: EXIT.refused },
  );
}

/** A usage problem the command itself found (commander reports its own): exit 2. */
export function usageFailure(problems: readonly string[]): CliFailure {
  return new CliFailure(EXIT.usage, [...problems], { error: { kind: 'usage', message: problems.join('; ') }, exitCode: EXIT.usage });
}
