import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { unauthorized } from './errors.ts';

export interface Caller {
  id: string;
  email?: string;
  /** The caller's Slack user id, when their identity provider puts it in a claim. */
  slackUserId?: string;
  isAdmin: boolean;
}

/**
 * Who is calling, from the claims the HTTP API's JWT authorizer already verified. Groups may come
 * as a JSON array, a space/comma separated string, or API Gateway's `[a b]` rendering.
 */
export function callerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer, groupsClaim: string, adminGroup: string, slackUserClaim = 'slack_user_id'): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const id = claims.sub;
  if (typeof id !== 'string' || id === '') throw unauthorized();
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  // Only a well-formed Slack user id: the value becomes a DM target and a mention.
  const slackUser = claims[slackUserClaim];
  const slackUserId = typeof slackUser === 'string' && /^[UW][A-Z0-9]{2,20}$/.test(slackUser) ? slackUser : undefined;
  return { id, email, ...(slackUserId ? { slackUserId } : {}), isAdmin: groupsOf(claims[groupsClaim]).includes(adminGroup) };
}

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
