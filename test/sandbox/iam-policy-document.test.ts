import { describe, expect, it } from 'vitest';
import {
  checkPolicyDocument,
  countedPolicySize,
  urlEncodePolicyDocument,
} from '../../infra/local/sandbox/services/iam/policy-document.ts';

const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' };
const trust = { Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' };

function identity(...statements: unknown[]) {
  return checkPolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity');
}
function trustPolicy(...statements: unknown[]) {
  return checkPolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'trust');
}
function messageOf(verdict: ReturnType<typeof checkPolicyDocument>): string | undefined {
  return verdict.valid ? undefined : verdict.message;
}

describe('identity (inline) policy documents', () => {
  it('accepts the common shapes and returns the parsed document', () => {
    const verdict = identity(allow, { Sid: 'two', Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], NotResource: '*' });
    expect(verdict).toEqual({ valid: true, document: { Version: '2012-10-17', Statement: [allow, expect.any(Object)] } });
    expect(identity({ ...allow, Action: '*' }).valid).toBe(true);
    expect(identity({ ...allow, Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*'] }, Bool: { 'aws:SecureTransport': true } } }).valid).toBe(true);
    expect(checkPolicyDocument(JSON.stringify({ Version: '2008-10-17', Id: 'x', Statement: allow }), 'identity').valid).toBe(true);
  });

  it('reports grammar problems as syntax errors', () => {
    for (const text of ['', '[]', 'null', '"text"', '{"Statement": {}}', '{"Statement": [1]}']) {
      expect(messageOf(checkPolicyDocument(text, 'identity')), text).toBe('Syntax errors in policy.');
    }
    expect(messageOf(identity({ ...allow, NotAction: 's3:*' }))).toBe('Syntax errors in policy.');
    expect(messageOf(identity({ ...allow, Effect: 'Maybe' }))).toBe('Syntax errors in policy.');
    expect(messageOf(identity({ ...allow, Action: [1] }))).toBe('Syntax errors in policy.');
    expect(messageOf(identity({ ...allow, Condition: { MadeUpOperator: { k: 'v' } } }))).toBe('Syntax errors in policy.');
    expect(messageOf(identity({ ...allow, Condition: { StringEquals: 'v' } }))).toBe('Syntax errors in policy.');
    expect(messageOf(identity({ ...allow, Sid: 7 }))).toBe('Syntax errors in policy.');
  });

  it('checks vendors and colons in actions', () => {
    expect(messageOf(identity({ ...allow, Action: 's3:Get:Object' }))).toBe('Actions/Condition can contain only one colon.');
    expect(messageOf(identity({ ...allow, Action: 's 3:GetObject' }))).toBe('Vendor s 3 is not valid');
  });
});

describe('trust policy documents', () => {
  it('accepts service, account and federated principals', () => {
    expect(trustPolicy(trust).valid).toBe(true);
    expect(trustPolicy({ ...trust, Principal: { AWS: ['123456789012', 'arn:aws:iam::123456789012:root'] } }).valid).toBe(true);
    expect(trustPolicy({ ...trust, Principal: '*' }).valid).toBe(true);
    expect(
      trustPolicy({ ...trust, Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }).valid,
    ).toBe(true);
    expect(trustPolicy({ ...trust, Action: ['sts:AssumeRole', 'sts:TagSession'] }).valid).toBe(true);
  });

  it('rejects what a trust policy may not hold', () => {
    expect(messageOf(trustPolicy({ ...trust, Principal: { AWS: 'someone' } }))).toBe('Invalid principal in policy: "AWS":"someone"');
    expect(messageOf(trustPolicy({ ...trust, Principal: { Service: 'not a service' } }))).toBe('Invalid principal in policy: "SERVICE":"not a service"');
    expect(messageOf(trustPolicy({ ...trust, Principal: {} }))).toMatch(/statement with no principals/);
    expect(messageOf(trustPolicy({ ...trust, Action: 's3:GetObject' }))).toBe(
      'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity',
    );
    expect(messageOf(trustPolicy({ Effect: 'Allow', Principal: trust.Principal }))).toBe('Policy statement must contain actions.');
  });
});

describe('policy document helpers', () => {
  it('counts size without whitespace', () => {
    expect(countedPolicySize('{ "a" :\n\t"b c" }')).toBe('{"a":"bc"}'.length);
  });

  it('percent-encodes every reserved character, spaces as %20', () => {
    expect(urlEncodePolicyDocument('{"a": "b*(c)!\'~"}')).toBe('%7B%22a%22%3A%20%22b%2A%28c%29%21%27~%22%7D');
    expect(decodeURIComponent(urlEncodePolicyDocument('ä é + & %'))).toBe('ä é + & %');
  });
});
