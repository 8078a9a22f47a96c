import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { unauthorized } from '../shell/http-errors.ts';

export interface Caller {
  id: string;
  email?: string;
  /** The caller's Slack user id, when their identity provider puts it in a claim. */
  slackUserId?: string;
  isAdmin: boolean;
  /** The teams the caller belongs to (the team claim, one name or a list): the spoke accounts they may ask for. */
  teams: string[];
}

/**
 * Who is calling, from the claims the HTTP API's JWT authorizer already verified. Groups are read
 * exactly: never split a group name in two (see {@link groupsOf}).
 */
export function callerOf(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  groupsClaim: string,
  adminGroup: string,
  slackUserClaim = 'slack_user_id',
  teamClaim = 'team',
): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const id = claims.sub;
  if (typeof id !== 'string' || id === '') throw unauthorized();
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  // Only a well-formed Slack user id: the value becomes a DM target and a mention.
  const slackUser = claims[slackUserClaim];
  const slackUserId = typeof slackUser === 'string' && /^[UW][A-Z0-9]{2,20}$/.test(slackUser) ? slackUser : undefined;
  return {
    id,
    email,
    ...(slackUserId ? { slackUserId } : {}),
    isAdmin: groupsOf(event, claims, groupsClaim).includes(adminGroup),
    // Read exactly as the groups are (an array claim arrives flattened).
    teams: groupsOf(event, claims, teamClaim),
  };
}

/**
 * The caller's groups. API Gateway hands array claims over flattened (`["a","b"]` becomes `"[a b]"`),
 * which cannot tell `["a b"]` from `["a","b"]`; so the groups are read from the verified token itself
 * (the authorizer's identity source, the Authorization header) whenever it is the token the claims
 * came from. Otherwise the flattened claim is parsed exactly: `[` members joined by single spaces `]`;
 * any other string is one group name, never split on spaces or commas.
 */
function groupsOf(event: APIGatewayProxyEventV2WithJWTAuthorizer, claims: Record<string, unknown>, groupsClaim: string): string[] {
  const claim = claims[groupsClaim];
  const fromToken = tokenClaim(event.headers?.authorization, groupsClaim);
  // Only when the token's claim renders to what the authorizer passed on: then it is the same token.
  if (fromToken !== undefined && typeof claim === 'string' && renderClaim(fromToken) === claim) return exactGroups(fromToken);
  return flattenedGroups(claim);
}

/** A claim's members as sent: an array's string members, or a string as one group. */
function exactGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** How API Gateway renders a claim for the integration (every value a string, arrays as `[a b]`). */
function renderClaim(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** A claim of the bearer token's payload (its signature was checked by the authorizer), if readable. */
function tokenClaim(authorization: string | undefined, name: string): unknown {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>)[name] : undefined;
  } catch {
    return undefined;
  }
}

/** The groups in a claim as API Gateway passes it on: a real array, `[a b]`, or one group name. */
export function flattenedGroups(value: unknown): string[] {
  if (Array.isArray(value)) return exactGroups(value);
  if (typeof value !== 'string' || value === '') return [];
  if (value.length >= 2 && value.startsWith('[') && value.endsWith(']')) {
    const json = jsonArray(value);
    if (json !== undefined) return exactGroups(json);
    const members = value.slice(1, -1);
    return members === '' ? [] : members.split(' ').filter((member) => member !== '');
  }
  return [value];
}

function jsonArray(text: string): unknown[] | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
