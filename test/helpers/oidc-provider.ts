/**
 * A minimal OpenID provider on loopback for the console's sign-in test: discovery, an authorization
 * endpoint that signs in a fixed user at once (no login page), and a token endpoint that insists on
 * PKCE (S256), the registered redirect URI and single-use codes, as a real provider does. The
 * access token comes from the local issuer, so the local API accepts it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintToken } from '../../infra/local/runtime/jwt.ts';

export interface TestOidcProvider {
  issuer: string;
  /** Every authorization request and token exchange, for the test's assertions. */
  authorizations: URLSearchParams[];
  exchanges: { grant_type: string | null; code_verifier: string | null; accepted: boolean }[];
  close(): Promise<void>;
}

export async function startOidcProvider(options: { clientId: string; redirectUri: string; user: { sub: string; email: string; groups?: string[] } }): Promise<TestOidcProvider> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const authorizations: URLSearchParams[] = [];
  const exchanges: TestOidcProvider['exchanges'] = [];
  let issuer = '';

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      if (req.method === 'OPTIONS') return send(res, 204, undefined, { 'access-control-allow-methods': 'GET, POST' });
      if (url.pathname === '/.well-known/openid-configuration') {
        return send(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['none'],
        });
      }
      if (url.pathname === '/authorize') {
        const query = url.searchParams;
        authorizations.push(query);
        const valid =
          query.get('client_id') === options.clientId &&
          query.get('redirect_uri') === options.redirectUri &&
          query.get('response_type') === 'code' &&
          query.get('code_challenge_method') === 'S256' &&
          (query.get('code_challenge') ?? '').length >= 43;
        if (!valid) return send(res, 400, { error: 'invalid_request' });
        const code = randomBytes(16).toString('hex');
        codes.set(code, { challenge: query.get('code_challenge') ?? '', redirectUri: options.redirectUri });
        const back = new URL(options.redirectUri);
        back.searchParams.set('code', code);
        back.searchParams.set('state', query.get('state') ?? '');
        res.writeHead(302, { location: back.href });
        return res.end();
      }
      if (url.pathname === '/token' && req.method === 'POST') {
        const form = await readBody(req);
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier');
        const accepted =
          code !== undefined &&
          form.get('grant_type') === 'authorization_code' &&
          form.get('client_id') === options.clientId &&
          form.get('redirect_uri') === code.redirectUri &&
          verifier !== null &&
          createHash('sha256').update(verifier).digest('base64url') === code.challenge;
        exchanges.push({ grant_type: form.get('grant_type'), code_verifier: verifier, accepted });
        if (!accepted) return send(res, 400, { error: 'invalid_grant' });
        const accessToken = await mintToken({ sub: options.user.sub, email: options.user.email, groups: options.user.groups ?? [] });
        return send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 }, { 'cache-control': 'no-store' });
      }
      send(res, 404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    authorizations,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
