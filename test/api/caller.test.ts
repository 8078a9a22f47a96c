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

describe('callerOf: the admin group', () => {
  const ADMIN = 'connection-broker-admins';
  function withToken(flattened: string, tokenGroups: unknown): APIGatewayProxyEventV2WithJWTAuthorizer {
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', groups: tokenGroups })).toString('base64url');
    const base = event({ sub: 'mallory', groups: flattened });
    return { ...base, headers: { authorization: `Bearer eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln` } } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  }

  it.each(['platform connection-broker-admins', 'x,connection-broker-admins', ' connection-broker-admins', '[x,connection-broker-admins]'])(
    'never splits the one group name %j into an admin group',
    (group) => {
      expect(callerOf(event({ sub: 'mallory', groups: group }), 'groups', ADMIN).isAdmin).toBe(false);
    },
  );

  it('reads the groups from the verified token when API Gateway flattened a group with a space into "[a b]"', () => {
    expect(callerOf(withToken('[platform connection-broker-admins]', ['platform connection-broker-admins']), 'groups', ADMIN).isAdmin).toBe(false);
    expect(callerOf(withToken('[x,connection-broker-admins]', ['x,connection-broker-admins']), 'groups', ADMIN).isAdmin).toBe(false);
    expect(callerOf(withToken('[platform connection-broker-admins]', ['platform', ADMIN]), 'groups', ADMIN).isAdmin).toBe(true);
  });

  it('ignores a token that is not the one the claims came from', () => {
    expect(callerOf(withToken('[platform]', ['platform', ADMIN]), 'groups', ADMIN).isAdmin).toBe(false);
  });

  it('accepts the admin group as a member of an array claim, flattened or not', () => {
    expect(callerOf(event({ sub: 'alice', groups: `[${ADMIN}]` }), 'groups', ADMIN).isAdmin).toBe(true);
    expect(callerOf(event({ sub: 'alice', groups: `[platform ${ADMIN}]` }), 'groups', ADMIN).isAdmin).toBe(true);
    expect(callerOf(event({ sub: 'alice', groups: JSON.stringify(['platform', ADMIN]) }), 'groups', ADMIN).isAdmin).toBe(true);
    const arrayClaim = { requestContext: { authorizer: { jwt: { claims: { sub: 'alice', groups: ['platform', ADMIN] }, scopes: [] } } } };
    expect(callerOf(arrayClaim as unknown as APIGatewayProxyEventV2WithJWTAuthorizer, 'groups', ADMIN).isAdmin).toBe(true);
    expect(callerOf(event({ sub: 'alice', groups: ADMIN }), 'groups', ADMIN).isAdmin).toBe(true);
    expect(callerOf(event({ sub: 'alice', groups: '[]' }), 'groups', ADMIN).isAdmin).toBe(false);
  });
});
