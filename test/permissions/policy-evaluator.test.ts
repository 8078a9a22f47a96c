import { describe, expect, it } from 'vitest';
import { evaluatePolicies, parsePolicyDocument, wildcardMatch } from '../../functions/permissions/policy-evaluator.ts';
import { connectionArnSpellings, missingUseConnection, parseConnectionArn, parseRoleArn, useConnectionPolicy, useConnectionPolicyName } from '../../functions/permissions/use-connection.ts';

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
