import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerOf } from '../../functions/api/caller.ts';

function event(claims: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer {
  return { requestContext: { authorizer: { jwt: { claims, scopes: [] } } } } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

describe('callerOf', () => {
  it('reads the requester’s Slack user id from its claim, so the outcome can reach them as a DM', () => {
    expect(callerOf(event({ sub: 'alice', slack_user_id: 'U0ALICE' }), 'groups', 'admins')).toEqual({ id: 'alice', slackUserId: 'U0ALICE', isAdmin: false });
    expect(callerOf(event({ sub: 'alice', slack: 'W0GRID' }), 'groups', 'admins', 'slack').slackUserId).toBe('W0GRID');
  });

  it('ignores a claim that is not a Slack user id (it would become a DM target and a mention)', () => {
    for (const value of ['alice', '<!channel>', 'C0CHANNEL', '']) {
      expect(callerOf(event({ sub: 'alice', slack_user_id: value }), 'groups', 'admins')).not.toHaveProperty('slackUserId');
    }
  });
});
