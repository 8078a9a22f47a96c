/**
 * The HTTP API JWT authorizer's request-side steps: find the token, check it, check the
 * route's scopes. Refusals carry API Gateway's bodies and www-authenticate header; the
 * handler is never invoked for them.
 */
import { gatewayError, type GatewayResponse } from './http-result.ts';

export type AuthorizerOutcome =
  | { allowed: true; claims: Record<string, unknown>; scopes: string[] | null }
  | { allowed: false; response: GatewayResponse };

export async function authorizeJwt(
  authorizationHeader: string | undefined,
  routeScopes: readonly string[] | undefined,
  verifyJwt: (token: string) => Promise<Record<string, unknown>>,
): Promise<AuthorizerOutcome> {
  const token = bearerToken(authorizationHeader);
  if (token === undefined) return { allowed: false, response: gatewayError(401, 'Unauthorized') };

  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(token);
  } catch (error) {
    return { allowed: false, response: gatewayError(401, 'Unauthorized', { 'www-authenticate': bearerChallenge(error) }) };
  }

  if (routeScopes === undefined || routeScopes.length === 0) return { allowed: true, claims, scopes: null };
  const tokenScopes = scopesOf(claims);
  if (!routeScopes.some((scope) => tokenScopes.includes(scope))) {
    return { allowed: false, response: gatewayError(403, 'Forbidden') };
  }
  return { allowed: true, claims, scopes: tokenScopes };
}

/** "The identitySource can include only the token, or the token prefixed with Bearer." (API Gateway docs) */
export function bearerToken(header: string | undefined): string | undefined {
  const value = header?.trim() ?? '';
  const token = /^Bearer\s+(.*)$/i.exec(value)?.[1]?.trim() ?? value;
  return token === '' ? undefined : token;
}

/** OAuth `scope` (space-separated) or `scp` (list or space-separated), as API Gateway reads them. */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === 'string' ? raw.split(' ').filter((scope) => scope !== '') : [];
}

// API Gateway documents this header form: Bearer scope="" error="invalid_token"
// error_description="the token does not have a valid audience".
function bearerChallenge(error: unknown): string {
  const description = error instanceof Error ? error.message.replace(/["\\\r\n]/g, ' ') : 'the token is invalid';
  return `Bearer scope="" error="invalid_token" error_description="${description}"`;
}
