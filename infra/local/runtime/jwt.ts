/**
 * The local stand-in for the identity provider: mints ES256 tokens for developers and
 * checks them the way API Gateway's JWT authorizer does (signature by a known key id,
 * iss, aud — or client_id when aud is absent — exp, nbf and iat). Rejections carry
 * API Gateway-style descriptions for the www-authenticate header; only the audience one
 * is documented by AWS, the others follow its wording.
 *
 * Deployed stages verify tokens from the real issuer (JWT_ISSUER_URL). ES256 is a local
 * choice: API Gateway's JWT authorizer documents "Currently, only RSA-based algorithms
 * are supported", so a real issuer must sign RS256; handlers never see the difference.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { loadSigningKey } from './jwt-keys.ts';

export const LOCAL_JWT_ISSUER = 'http://127.0.0.1/connection-broker-local';
/** serverless.yml's default `jwtAudience` param; pass the loaded config's audience when it differs. */
export const LOCAL_JWT_AUDIENCE = 'connection-broker';
export const LOCAL_JWT_ALGORITHM = 'ES256';
/** The claim that lists a user's groups (Cognito calls it `cognito:groups`). */
export const GROUPS_CLAIM = 'groups';
export const ADMIN_GROUP = 'connection-broker-admins';
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60;
/** <repo>/.local/jwt, wherever the process was started from. */
export const DEFAULT_KEY_DIR = fileURLToPath(new URL('../../../.local/jwt', import.meta.url));

export interface LocalIssuerOptions {
  keyDir?: string;
  issuer?: string;
  audience?: string;
  now?: () => Date;
}

export interface MintTokenInput {
  sub: string;
  email?: string;
  groups?: string[];
  /** OAuth scopes, written space-separated in `scope` as Cognito access tokens do. */
  scopes?: string[];
  /** The requester's Slack user id, in `slack_user_id` (the broker's default JWT_SLACK_USER_CLAIM). */
  slackUserId?: string;
  /** The requester's teams, in `team` (the broker's default JWT_TEAM_CLAIM): the spoke accounts they may ask for. */
  teams?: string[];
  expiresInSeconds?: number;
}

export interface LocalTokenClaims extends JWTPayload {
  sub: string;
  email?: string;
  [GROUPS_CLAIM]?: string[];
}

/** Thrown by verifyToken; the message is the www-authenticate error_description. */
export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

export async function mintToken(input: MintTokenInput, options: LocalIssuerOptions = {}): Promise<string> {
  const key = await loadSigningKey(options.keyDir ?? DEFAULT_KEY_DIR);
  const issuedAt = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const claims: JWTPayload = {
    ...(input.email === undefined ? {} : { email: input.email }),
    ...(input.groups === undefined || input.groups.length === 0 ? {} : { [GROUPS_CLAIM]: input.groups }),
    ...(input.scopes === undefined || input.scopes.length === 0 ? {} : { scope: input.scopes.join(' ') }),
    ...(input.slackUserId === undefined ? {} : { slack_user_id: input.slackUserId }),
    ...(input.teams === undefined || input.teams.length === 0 ? {} : { team: input.teams }),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: LOCAL_JWT_ALGORITHM, typ: 'JWT', kid: key.kid })
    .setSubject(input.sub)
    .setIssuer(options.issuer ?? LOCAL_JWT_ISSUER)
    .setAudience(options.audience ?? LOCAL_JWT_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (input.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS))
    .setJti(randomUUID())
    .sign(key.privateKey);
}

export async function verifyToken(token: string, options: LocalIssuerOptions = {}): Promise<LocalTokenClaims> {
  const key = await loadSigningKey(options.keyDir ?? DEFAULT_KEY_DIR);
  const now = options.now?.() ?? new Date();
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw new TokenRejectedError('the token is malformed');
  }
  if (kid !== key.kid) throw new TokenRejectedError('the token was not signed by a known key');

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [LOCAL_JWT_ALGORITHM],
      issuer: options.issuer ?? LOCAL_JWT_ISSUER,
      requiredClaims: ['exp', 'sub'],
      currentDate: now,
    }));
  } catch (error) {
    throw new TokenRejectedError(describeRejection(error), { cause: error });
  }
  if (typeof payload.iat === 'number' && payload.iat > now.getTime() / 1000) {
    throw new TokenRejectedError('the token was issued in the future');
  }
  const audience = options.audience ?? LOCAL_JWT_AUDIENCE;
  // "API Gateway validates client_id only if aud is not present."
  const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
  if (!audiences.includes(audience)) throw new TokenRejectedError('the token does not have a valid audience');
  return payload as LocalTokenClaims;
}

function describeRejection(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'the token does not have a valid issuer';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token is missing a valid ${error.claim} claim`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token signing algorithm is not allowed';
  return 'the token is malformed';
}
