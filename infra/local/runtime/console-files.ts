/**
 * The web console on the local system, beside the API on the same origin, as CloudFront serves it
 * on AWS (infra/resources/console.yml): the built files (console/build.ts), a path without a file
 * extension answered with index.html (the console routes it), the console's config for the local
 * issuer, and the dev sign-in, which mints a local token for a named user. The dev sign-in exists
 * only here: on AWS the console signs in with OIDC.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { ConsoleConfig } from '../../../console/config.ts';
import { ADMIN_GROUP, mintToken } from './jwt.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The policies CloudFront's response headers policies send (infra/resources/console.yml, which
 * test/deploy/console-hosting.test.ts holds to these): the console reaches only its own origin and
 * the OIDC issuer; the Redoc page (/docs) needs its inline script, data: fonts and a blob: worker.
 */
export function contentSecurityPolicy(path: string, config: ConsoleConfig): string {
  if (path === '/docs' || path.startsWith('/docs/')) {
    return "default-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'; form-action 'none'";
  }
  const connect = config.auth.mode === 'oidc' ? `'self' ${new URL(config.auth.issuer).origin}` : "'self'";
  return `default-src 'self'; connect-src ${connect}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'`;
}

/** Locally the dev sign-in; a test of the OIDC sign-in passes its own. */
export const LOCAL_CONSOLE_CONFIG: ConsoleConfig = { apiBaseUrl: '', auth: { mode: 'dev' } };
const MAX_SUBJECT = 256;

/** Whether a request is the console's rather than the API's: everything but /v1/… and /slack/…. */
export function isConsolePath(method: string, path: string): boolean {
  if (method === 'POST' && path === '/_local/dev-sign-in') return true;
  return (method === 'GET' || method === 'HEAD') && !path.startsWith('/v1/') && !path.startsWith('/slack/');
}

export function consoleFiles(directory: string, config: ConsoleConfig = LOCAL_CONSOLE_CONFIG): (req: IncomingMessage, res: ServerResponse, path: string) => void {
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', ...headers });
    res.end(body);
  };

  return (req, res, path) => {
    if (path === '/_local/dev-sign-in') {
      if (config.auth.mode !== 'dev') return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
      return void devSignIn(req, res, send);
    }
    if (path === '/console-config.json') return send(res, 200, 'application/json', JSON.stringify(config), { 'cache-control': 'no-cache' });
    if (!existsSync(join(directory, 'index.html'))) {
      return send(res, 503, 'text/plain; charset=utf-8', 'The web console is not built: run `npm run build:console` (npm start builds it).\n');
    }
    const wanted = path === '/docs' || path === '/docs/' ? '/docs/index.html' : extname(path) === '' ? '/index.html' : path;
    // `path` is already percent-decoded (splitTarget, as API Gateway does): decoding again would
    // turn %25 into another escape, and throw on a stray %.
    const file = normalize(join(directory, wanted));
    if (!file.startsWith(directory + sep) || !existsSync(file) || !statSync(file).isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    const hashed = wanted.startsWith('/assets/');
    send(res, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file), {
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(extname(file) === '.html' ? { 'content-security-policy': contentSecurityPolicy(wanted, config), 'x-frame-options': 'DENY' } : {}),
    });
  };
}

async function devSignIn(req: IncomingMessage, res: ServerResponse, send: (res: ServerResponse, status: number, type: string, body: string) => void): Promise<void> {
  const problem = (detail: string, path: string) =>
    send(res, 400, 'application/problem+json', JSON.stringify({ type: 'about:blank', title: 'Bad Request', status: 400, detail, errors: [{ path, message: detail }] }));
  let body: unknown;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return problem('The body must be JSON: { "sub": "alice@example.com", "admin": false }', '');
  }
  const { sub, admin } = (body ?? {}) as { sub?: unknown; admin?: unknown };
  if (typeof sub !== 'string' || sub.trim() === '' || sub.length > MAX_SUBJECT) return problem(`sub must be a non-empty string of at most ${MAX_SUBJECT} characters`, 'sub');
  if (admin !== undefined && typeof admin !== 'boolean') return problem('admin must be true or false', 'admin');
  const subject = sub.trim();
  const token = await mintToken({ sub: subject, ...(subject.includes('@') ? { email: subject } : {}), groups: admin === true ? [ADMIN_GROUP] : [] });
  send(res, 200, 'application/json', JSON.stringify({ token }));
}
