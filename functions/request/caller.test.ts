import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { callerOf, flattenedGroups } from './caller.ts';

function event(claims: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer {
  return { requestContext: { authorizer: { jwt: { claims, scopes: [] } } } } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

describe('callerOf', () => {
  it('reads the requester’s Slack user id from its claim, so the outcome can reach them as a DM', () => {
    expect(callerOf(event({ sub: 'alice', slack_user_id: 'U0ALICE' }), 'groups', 'admins')).toEqual({ id: 'alice', slackUserId: 'U0ALICE', isAdmin: false, teams: [] });
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

describe('callerOf: who is calling', () => {
  const raw = (claims: Record<string, unknown> | undefined, authorizer = true) =>
    ({ requestContext: authorizer ? { authorizer: claims === undefined ? {} : { jwt: { claims, scopes: [] } } } : {} }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

  it('answers 401 without a subject, whatever is missing', () => {
    for (const event of [raw(undefined, false), raw(undefined), raw({}), raw({ sub: '' }), raw({ sub: 42 }), raw({ sub: ['alice'] })]) {
      expect(() => callerOf(event, 'groups', 'admins')).toThrow(expect.objectContaining({ status: 401, code: 'Unauthorized' }));
    }
  });

  it('takes the e-mail only when the claim is a string', () => {
    expect(callerOf(raw({ sub: 'alice', email: 'alice@example.com' }), 'groups', 'admins').email).toBe('alice@example.com');
    expect(callerOf(raw({ sub: 'alice', email: ['alice@example.com'] }), 'groups', 'admins').email).toBeUndefined();
    expect(callerOf(raw({ sub: 'alice' }), 'groups', 'admins').email).toBeUndefined();
  });

  it('treats a group called "undefined" like any other group', () => {
    expect(callerOf(raw({ sub: 'alice', groups: 'undefined' }), 'groups', 'undefined').isAdmin).toBe(true);
  });

  it('takes only a whole Slack user id, as a string', () => {
    for (const value of [['U0ALICE'], 'xU0ALICE', 'U0ALICE!', 'U0ALICE <!channel>']) {
      expect(callerOf(raw({ sub: 'alice', slack_user_id: value }), 'groups', 'admins'), JSON.stringify(value)).not.toHaveProperty('slackUserId');
    }
  });
});

describe('callerOf: groups from the token', () => {
  const ADMIN = 'connection-broker-admins';
  function withToken(flattened: unknown, tokenGroups: unknown, authorization = (token: string) => `Bearer ${token}`): APIGatewayProxyEventV2WithJWTAuthorizer {
    const payload = Buffer.from(JSON.stringify({ sub: 'mallory', groups: tokenGroups })).toString('base64url');
    return {
      requestContext: { authorizer: { jwt: { claims: { sub: 'mallory', groups: flattened }, scopes: [] } } },
      headers: { authorization: authorization(`eyJhbGciOiJSUzI1NiJ9.${payload}.c2ln`) },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
  }
  const isAdmin = (event: APIGatewayProxyEventV2WithJWTAuthorizer) => callerOf(event, 'groups', ADMIN).isAdmin;

  it('keeps a group with a space whole however many groups the token has', () => {
    expect(isAdmin(withToken(`[platform ${ADMIN} x]`, [`platform ${ADMIN}`, 'x']))).toBe(false);
    expect(isAdmin(withToken(`[platform ${ADMIN} {"team":"x"}]`, [`platform ${ADMIN}`, { team: 'x' }]))).toBe(false);
    expect(isAdmin(withToken(`[x ${ADMIN}]`, ['x', ADMIN]))).toBe(true);
  });

  it('reads a token whose groups claim is one string', () => {
    expect(isAdmin(withToken(ADMIN, ADMIN))).toBe(true);
    expect(isAdmin(withToken(`platform ${ADMIN}`, `platform ${ADMIN}`))).toBe(false);
  });

  it('reads the bearer token whatever the case and spacing of its scheme', () => {
    expect(isAdmin(withToken(`[platform ${ADMIN}]`, [`platform ${ADMIN}`], (token) => `bearer   ${token} `))).toBe(false);
  });
});

describe('flattenedGroups: the groups claim as API Gateway passes it on', () => {
  it('splits only a bracketed list, on single spaces, and keeps any other string whole', () => {
    expect(flattenedGroups('[a b]')).toEqual(['a', 'b']);
    expect(flattenedGroups('[a  b]')).toEqual(['a', 'b']);
    expect(flattenedGroups('[]')).toEqual([]);
    expect(flattenedGroups('["a b","c"]')).toEqual(['a b', 'c']);
    for (const whole of ['a b]', '[a b', 'a b', '[', ']', '[x']) expect(flattenedGroups(whole), whole).toEqual([whole]);
    expect(flattenedGroups('')).toEqual([]);
  });

  it('takes the strings of a real array and nothing from other values', () => {
    expect(flattenedGroups(['a', 1, 'b c'])).toEqual(['a', 'b c']);
    expect(flattenedGroups(undefined)).toEqual([]);
    expect(flattenedGroups(42)).toEqual([]);
    expect(flattenedGroups('[1,"a"]')).toEqual(['a']);
  });
});

describe('callerOf: the team claim', () => {
  it('reads one team or a list of teams from the configured claim', () => {
    expect(callerOf(event({ sub: 'alice', team: 'payments' }), 'groups', 'admins').teams).toEqual(['payments']);
    // API Gateway hands an array claim over flattened, as `[a b]`.
    expect(callerOf(event({ sub: 'alice', squads: '[payments search]' }), 'groups', 'admins', 'slack_user_id', 'squads').teams).toEqual(['payments', 'search']);
    expect(callerOf(event({ sub: 'alice' }), 'groups', 'admins').teams).toEqual([]);
  });
});
