import * as oauth from 'oauth4webapi';
import type { ConsoleAuth, ConsoleConfig } from '../config.ts';

/**
 * Who is signed in. The token lives in sessionStorage (gone with the tab, never in a URL). On AWS
 * the console signs in with OIDC authorization code + PKCE against the API's issuer and audience;
 * locally the dev sign-in asks the local system to mint a token for a named user.
 */

const TOKEN_KEY = 'connection-broker.token';
const PKCE_KEY = 'connection-broker.pkce';
export const ADMIN_GROUP = 'connection-broker-admins';
export const CALLBACK_PATH = '/signin/callback';

export interface Session {
  token: string;
  /** The token's `sub`: the API's requester id. */
  id: string;
  /** What the console shows: the email, else the subject. */
  subject: string;
  isAdmin: boolean;
  expiresAt: number;
}

export function currentSession(): Session | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return undefined;
  const session = sessionFromToken(token);
  if (session === undefined || session.expiresAt * 1000 <= Date.now()) {
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
  return session;
}

export function sessionFromToken(token: string): Session | undefined {
  try {
    const payload = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'] : Array.isArray(payload.groups) ? payload.groups : [];
    return {
      token,
      id: String(payload.sub ?? ''),
      subject: String(payload.email ?? payload.sub ?? 'unknown'),
      isAdmin: groups.includes(ADMIN_GROUP),
      expiresAt: Number(payload.exp ?? 0),
    };
  } catch {
    return undefined;
  }
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Local only: the local system mints a token for `subject` (admin or requester). */
export async function devSignIn(config: ConsoleConfig, subject: string, admin: boolean): Promise<Session> {
  const response = await fetch(`${config.apiBaseUrl}/_local/dev-sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sub: subject, admin }),
  });
  if (!response.ok) throw new Error(`The dev sign-in answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return keep(token);
}

function keep(token: string): Session {
  const session = sessionFromToken(token);
  if (session === undefined) throw new Error('The identity provider returned a token the console cannot read');
  sessionStorage.setItem(TOKEN_KEY, token);
  return session;
}

type OidcAuth = Extract<ConsoleAuth, { mode: 'oidc' }>;

/**
 * Plain http only to an issuer on this machine's loopback (RFC 8252 allows it for native apps; here
 * it is what a local identity provider in a test uses); anything else must be https.
 */
function requestOptions(auth: OidcAuth): { [oauth.allowInsecureRequests]?: boolean } {
  const issuer = new URL(auth.issuer);
  const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
  return loopback ? { [oauth.allowInsecureRequests]: true } : {};
}

async function discover(auth: OidcAuth): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(auth.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions(auth) }));
}

/** Sends the browser to the identity provider; it comes back to /signin/callback. */
export async function startOidcSignIn(auth: OidcAuth, returnTo: string): Promise<void> {
  const server = await discover(auth);
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(server.authorization_endpoint ?? '');
  url.searchParams.set('client_id', auth.clientId);
  url.searchParams.set('redirect_uri', `${location.origin}${CALLBACK_PATH}`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', ['openid', ...auth.scopes].join(' '));
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  // Issuers that mint access tokens per API (Auth0, Okta) need the audience named.
  url.searchParams.set('audience', auth.audience);
  location.assign(url.href);
}

/** Back from the identity provider: exchanges the code (PKCE) for the access token the API takes. */
export async function finishOidcSignIn(auth: OidcAuth): Promise<{ session: Session; returnTo: string }> {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  const callback = new URL(location.href);
  // Leave no code in the address bar or history, whether the exchange works or not.
  history.replaceState(null, '', saved?.returnTo ?? '/');
  if (saved === null) throw new Error('No sign-in was started in this tab; sign in again.');
  const server = await discover(auth);
  const client: oauth.Client = { client_id: auth.clientId };
  const parameters = oauth.validateAuthResponse(server, client, callback, saved.state);
  const response = await oauth.authorizationCodeGrantRequest(server, client, oauth.None(), parameters, `${location.origin}${CALLBACK_PATH}`, saved.verifier, requestOptions(auth));
  const result = await oauth.processAuthorizationCodeResponse(server, client, response);
  return { session: keep(result.access_token), returnTo: saved.returnTo };
}
