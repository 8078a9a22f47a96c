import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { unauthorized } from './errors.ts';

export interface Caller {
  id: string;
  email?: string;
  isAdmin: boolean;
}

/**
 * Who is calling, from the claims the HTTP API's JWT authorizer already verified. Groups may come
 * as a JSON array, a space/comma separated string, or API Gateway's `[a b]` rendering.
 */
export function callerOf(event: APIGatewayProxyEventV2WithJWTAuthorizer, groupsClaim: string, adminGroup: string): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const id = claims.sub;
  if (typeof id !== 'string' || id === '') throw unauthorized();
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  return { id, email, isAdmin: groupsOf(claims[groupsClaim]).includes(adminGroup) };
}

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}
