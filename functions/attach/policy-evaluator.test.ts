import { describe, expect, it } from 'vitest';
import { evaluatePolicies, parsePolicyDocument, wildcardMatch } from './policy-evaluator.ts';
import { connectionArnSpellings, missingUseConnection, parseConnectionArn, parseRoleArn, useConnectionPolicy, useConnectionPolicyName } from './use-connection.ts';

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const NEW_SPELLING = CONNECTION.replace(':codestar-connections:', ':codeconnections:');
const allow = (Action: unknown, Resource: unknown, extra: Record<string, unknown> = {}) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, ...extra }] });

describe('policy evaluation (inline policies)', () => {
  it('allows on a matching Allow, with case-insensitive actions and wildcards', () => {
    expect(evaluatePolicies([allow('codestar-connections:UseConnection', CONNECTION)], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([allow('CodeStar-Connections:use*', 'arn:aws:codestar-connections:*:111111111111:connection/*')], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([allow('*', '*')], 'codeconnections:UseConnection', NEW_SPELLING)).toBe('allowed');
    expect(evaluatePolicies([allow('codestar-connections:UseConnection', CONNECTION)], 'codeconnections:UseConnection', NEW_SPELLING)).toBe('not-allowed');
    // The plural typo from the docs (awsdocs/aws-codepipeline-user-guide#34) allows nothing.
    expect(evaluatePolicies([allow('codestar-connections:UseConnections', CONNECTION)], 'codestar-connections:UseConnection', CONNECTION)).toBe('not-allowed');
  });

  it('lets an explicit Deny win, honours NotAction/NotResource, and does not guess about conditions', () => {
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'codestar-connections:*', Resource: '*' }] };
    expect(evaluatePolicies([allow('*', '*'), deny], 'codestar-connections:UseConnection', CONNECTION)).toBe('explicitly-denied');
    expect(evaluatePolicies([allow('*', '*', { NotAction: undefined }), { Statement: { Effect: 'Allow', NotAction: 's3:*', Resource: '*' } }], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    // NotAction alone: everything but s3 is allowed, everything but codestar-connections is not.
    expect(evaluatePolicies([{ Statement: { Effect: 'Allow', NotAction: 's3:*', Resource: '*' } }], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([{ Statement: { Effect: 'Allow', NotAction: 'codestar-connections:*', Resource: '*' } }], 'codestar-connections:UseConnection', CONNECTION)).toBe('not-allowed');
    expect(evaluatePolicies([{ Statement: [{ Effect: 'Allow', Action: '*', NotResource: CONNECTION.replace('7d2469ff', 'aaaaaaaa') }] }], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([{ Statement: [{ Effect: 'Allow', Action: '*', NotResource: CONNECTION }] }], 'codestar-connections:UseConnection', CONNECTION)).toBe('not-allowed');
    const conditional = allow('codestar-connections:UseConnection', CONNECTION, { Condition: { 'ForAllValues:StringEquals': { 'codestar-connections:FullRepositoryId': 'org/repo' } } });
    expect(evaluatePolicies([conditional], 'codestar-connections:UseConnection', CONNECTION)).toBe('conditional');
    const conditionalDeny = { Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    expect(evaluatePolicies([allow('*', '*'), conditionalDeny], 'codestar-connections:UseConnection', CONNECTION)).toBe('conditional');
  });

  it('reads documents as objects, JSON text, or URL-encoded as IAM returns them', () => {
    const text = JSON.stringify(allow('codestar-connections:UseConnection', CONNECTION));
    expect(evaluatePolicies([text], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([encodeURIComponent(text)], 'codestar-connections:UseConnection', CONNECTION)).toBe('allowed');
    expect(parsePolicyDocument('not json')).toBeUndefined();
    expect(evaluatePolicies(['not json', null, 42], 'codestar-connections:UseConnection', CONNECTION)).toBe('not-allowed');
    expect(wildcardMatch('a?c*', 'abcdef', false)).toBe(true);
    expect(wildcardMatch('a.c', 'abc', false)).toBe(false);
  });
});

describe('policy evaluation: each part of a statement decides', () => {
  const USE = 'codestar-connections:UseConnection';
  const OTHER_CONNECTION = CONNECTION.replace('7d2469ff', 'aaaaaaaa');
  const statement = (fields: Record<string, unknown>) => ({ Statement: [{ Effect: 'Allow', ...fields }] });

  it('checks the Resource: an Allow for another connection (same action) allows nothing here', () => {
    expect(evaluatePolicies([allow(USE, OTHER_CONNECTION)], USE, CONNECTION)).toBe('not-allowed');
    expect(evaluatePolicies([allow(USE, [OTHER_CONNECTION, CONNECTION])], USE, CONNECTION)).toBe('allowed');
    // ARNs are case-sensitive, actions are not.
    expect(evaluatePolicies([allow(USE, CONNECTION.toUpperCase())], USE, CONNECTION)).toBe('not-allowed');
    expect(evaluatePolicies([allow(USE.toUpperCase(), CONNECTION)], USE, CONNECTION)).toBe('allowed');
  });

  it('checks the Resource of a Deny too: a Deny on another connection does not deny this one', () => {
    const denyOther = { Statement: [{ Effect: 'Deny', Action: USE, Resource: OTHER_CONNECTION }] };
    expect(evaluatePolicies([allow(USE, CONNECTION), denyOther], USE, CONNECTION)).toBe('allowed');
  });

  it('negates NotAction: an Allow of everything but these actions does not allow them', () => {
    expect(evaluatePolicies([statement({ NotAction: 'codestar-connections:*', Resource: '*' })], USE, CONNECTION)).toBe('not-allowed');
    expect(evaluatePolicies([statement({ NotAction: ['s3:*', USE], Resource: '*' })], USE, CONNECTION)).toBe('not-allowed');
    // Matched ignoring case, as Action is.
    expect(evaluatePolicies([statement({ NotAction: 'CODESTAR-CONNECTIONS:USECONNECTION', Resource: '*' })], USE, CONNECTION)).toBe('not-allowed');
    expect(evaluatePolicies([statement({ NotAction: 's3:*', Resource: '*' })], USE, CONNECTION)).toBe('allowed');
  });

  it('negates NotResource: an Allow on everything but this connection does not allow it, on anything else it does', () => {
    expect(evaluatePolicies([statement({ Action: USE, NotResource: OTHER_CONNECTION })], USE, CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([statement({ Action: USE, NotResource: [OTHER_CONNECTION, CONNECTION] })], USE, CONNECTION)).toBe('not-allowed');
    // Matched case-sensitively, as Resource is: an upper-cased ARN is another resource.
    expect(evaluatePolicies([statement({ Action: USE, NotResource: CONNECTION.toUpperCase() })], USE, CONNECTION)).toBe('allowed');
  });

  it('skips what is not a string in Action and Resource lists instead of failing', () => {
    expect(evaluatePolicies([allow([42, null, USE], [{}, CONNECTION])], USE, CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([allow(42, CONNECTION)], USE, CONNECTION)).toBe('not-allowed');
  });

  it('tells an Allow behind a Condition from an unconditional one, and ignores an empty Condition', () => {
    const conditional = allow(USE, CONNECTION, { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a' } } });
    expect(evaluatePolicies([conditional, allow(USE, CONNECTION)], USE, CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([allow(USE, CONNECTION, { Condition: {} })], USE, CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([allow(USE, CONNECTION, { Condition: null })], USE, CONNECTION)).toBe('allowed');
    const conditionalDeny = { Statement: [{ Effect: 'Deny', Action: USE, Resource: CONNECTION, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    expect(evaluatePolicies([conditionalDeny], USE, CONNECTION)).toBe('not-allowed');
  });

  it('reads a single statement object as well as a list, and a document without statements as none', () => {
    expect(evaluatePolicies([{ Statement: { Effect: 'Allow', Action: USE, Resource: CONNECTION } }], USE, CONNECTION)).toBe('allowed');
    expect(evaluatePolicies([{ Version: '2012-10-17' }, { Statement: [null, 'text'] }], USE, CONNECTION)).toBe('not-allowed');
  });

  it('matches wildcards literally otherwise: dots and other regular expression characters are plain', () => {
    expect(wildcardMatch('a.c', 'a.c', false)).toBe(true);
    expect(wildcardMatch('a+c', 'a+c', false)).toBe(true);
    expect(wildcardMatch('a+c', 'aac', false)).toBe(false);
    expect(wildcardMatch('(a)', '(a)', false)).toBe(true);
    expect(wildcardMatch('a*', 'a\nb', false)).toBe(true);
    expect(wildcardMatch('a?b', 'a\nb', false)).toBe(true);
    expect(wildcardMatch('A*', 'abc', false)).toBe(false);
    expect(wildcardMatch('A*', 'abc', true)).toBe(true);
  });
});

describe('the UseConnection grant', () => {
  it('names both actions and both ARN spellings of this connection only, in a policy named for it', () => {
    expect(useConnectionPolicy(NEW_SPELLING)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'UseConnectionBothPrefixes',
          Effect: 'Allow',
          Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
          Resource: [CONNECTION, NEW_SPELLING],
        },
      ],
    });
    expect(useConnectionPolicyName(CONNECTION)).toBe('UseConnection-7d2469ff-514a-4e4f-9003-5ca4a43cdc41');
    expect(connectionArnSpellings(CONNECTION)).toEqual({ 'codestar-connections': CONNECTION, codeconnections: NEW_SPELLING });
    expect(parseConnectionArn('arn:aws:codestar-connections:us-east-1:111111111111:host/abc')).toBeUndefined();
    expect(() => useConnectionPolicyName('nope')).toThrow(/not a connection ARN/);
  });

  it('is exactly what missingUseConnection wants, and a one-prefix policy misses the other prefix', () => {
    expect(missingUseConnection([useConnectionPolicy(CONNECTION)], CONNECTION)).toEqual([]);
    expect(missingUseConnection([allow('codestar-connections:UseConnection', CONNECTION)], CONNECTION)).toEqual([
      { action: 'codeconnections:UseConnection', resource: NEW_SPELLING, verdict: 'not-allowed' },
    ]);
  });

  it('reads role ARNs with paths', () => {
    expect(parseRoleArn('arn:aws:iam::111111111111:role/service-role/AWSCodePipelineServiceRole-x')).toEqual({
      accountId: '111111111111',
      roleName: 'AWSCodePipelineServiceRole-x',
      path: '/service-role/',
    });
    expect(parseRoleArn('arn:aws:iam::111111111111:role/plain')).toEqual({ accountId: '111111111111', roleName: 'plain', path: '/' });
    expect(parseRoleArn('arn:aws:iam::111111111111:user/someone')).toBeUndefined();
  });
});

describe('reading connection and role ARNs', () => {
  it('reads only a whole connection ARN', () => {
    expect(parseConnectionArn(NEW_SPELLING)).toEqual({ partition: 'aws', prefix: 'codeconnections', region: 'us-east-1', accountId: '111111111111', connectionId: '7d2469ff-514a-4e4f-9003-5ca4a43cdc41' });
    for (const arn of [`x${CONNECTION}`, `${CONNECTION}/extra`, `${CONNECTION} `, CONNECTION.replace(':111111111111:', ':1111:')]) {
      expect(parseConnectionArn(arn), arn).toBeUndefined();
    }
    expect(() => connectionArnSpellings('nope')).toThrow(/not a connection ARN/);
  });

  it('reads only a whole role ARN', () => {
    for (const arn of ['xarn:aws:iam::111111111111:role/plain', 'arn:aws:iam::111111111111:role/plain!', 'arn:aws:iam::111111111111:role/path/plain name']) {
      expect(parseRoleArn(arn), arn).toBeUndefined();
    }
  });
});

describe('policy evaluation: conditions decided from the request context', () => {
  const USE = 'codeconnections:UseConnection';
  const allowIf = (Condition: unknown, Version = '2012-10-17') => ({ Version, Statement: [{ Effect: 'Allow', Action: USE, Resource: '*', Condition }] });
  const verdict = (document: unknown, context: Record<string, string>) => evaluatePolicies([document], USE, NEW_SPELLING, context);

  it('compares ignoring case only with StringEqualsIgnoreCase', () => {
    const condition = (operator: string) => allowIf({ [operator]: { 'aws:ResourceTag/team': 'Payments' } });
    expect(verdict(condition('StringEqualsIgnoreCase'), { 'aws:ResourceTag/team': 'payments' })).toBe('allowed');
    expect(verdict(condition('StringEqualsIgnoreCase'), { 'aws:ResourceTag/team': 'orders' })).toBe('not-allowed');
    expect(verdict(condition('StringEquals'), { 'aws:ResourceTag/team': 'payments' })).toBe('not-allowed');
    expect(verdict(condition('StringLike'), { 'aws:ResourceTag/team': 'payments' })).toBe('not-allowed');
  });

  it('compares ARNs exactly or with wildcards, case-sensitively', () => {
    const source = 'arn:aws:codepipeline:us-east-1:111111111111:payments';
    for (const operator of ['ArnEquals', 'ArnLike']) {
      expect(verdict(allowIf({ [operator]: { 'aws:SourceArn': 'arn:aws:codepipeline:*:111111111111:*' } }), { 'aws:SourceArn': source }), operator).toBe('allowed');
      expect(verdict(allowIf({ [operator]: { 'aws:SourceArn': 'arn:aws:codepipeline:*:222222222222:*' } }), { 'aws:SourceArn': source }), operator).toBe('not-allowed');
      expect(verdict(allowIf({ [operator]: { 'aws:SourceArn': source.toUpperCase() } }), { 'aws:SourceArn': source }), operator).toBe('not-allowed');
    }
  });

  it('lets any listed value match, and needs every key and operator to hold', () => {
    const context = { 'aws:ResourceTag/team': 'payments', 'aws:PrincipalTag/team': 'payments' };
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': ['orders', 'payments'] } }), context)).toBe('allowed');
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'payments', 'aws:PrincipalTag/team': 'orders' } }), context)).toBe('not-allowed');
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'payments' }, StringLike: { 'aws:PrincipalTag/team': 'ord*' } }), context)).toBe('not-allowed');
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'payments' }, StringLike: { 'aws:PrincipalTag/team': 'pay*' } }), context)).toBe('allowed');
  });

  it('reads tag keys with slashes in them, the key name ignoring case and the tag key not', () => {
    const condition = allowIf({ StringEquals: { 'AWS:ResourceTag/org/team': 'payments' } });
    expect(verdict(condition, { 'aws:resourcetag/org/team': 'payments' })).toBe('allowed');
    expect(verdict(condition, { 'aws:ResourceTag/org/Team': 'payments' })).toBe('not-allowed');
    expect(verdict(condition, { 'aws:ResourceTag/orgteam': 'payments' })).toBe('not-allowed');
  });

  it('treats an absent tag as matching nothing, and any other absent key as unknown', () => {
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'payments' } }), {})).toBe('not-allowed');
    expect(verdict(allowIf({ StringEquals: { 'custom:aws:ResourceTag/team': 'payments' } }), {})).toBe('conditional');
  });

  it('resolves policy variables: IAM’s escapes, an absent tag matches nothing, an unknown variable is unknown', () => {
    const context = { 'aws:ResourceTag/team': 'a*?$', 'aws:PrincipalTag/team': 'payments' };
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'a${*}${?}${$}' } }), context)).toBe('allowed');
    const like = (value: string) => allowIf({ StringLike: { 'aws:PrincipalTag/team': value } });
    expect(verdict(like('pay${aws:PrincipalTag/absent}*'), context)).toBe('not-allowed');
    expect(verdict(like('${aws:username}'), context)).toBe('conditional');
    expect(verdict(like('${aws:username}-${aws:PrincipalTag/absent}'), context)).toBe('conditional');
    expect(verdict(like('${aws:PrincipalTag/absent}-${aws:username}'), context)).toBe('conditional');
    expect(verdict(like('${aws:PrincipalTag/team}'), context)).toBe('allowed');
  });

  it('does not guess about a condition block it cannot read', () => {
    expect(verdict(allowIf({ StringEquals: null }), { 'aws:ResourceTag/team': 'payments' })).toBe('conditional');
    expect(verdict(allowIf({ StringEquals: 'payments' }), { 'aws:ResourceTag/team': 'payments' })).toBe('conditional');
  });

  it('reads IAM’s URL-encoded documents with + for spaces', () => {
    const encoded = encodeURIComponent(JSON.stringify(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'team a' } }))).replace(/%20/g, '+');
    expect(verdict(encoded, { 'aws:ResourceTag/team': 'team a' })).toBe('allowed');
  });
});
