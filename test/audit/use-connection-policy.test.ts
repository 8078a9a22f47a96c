import { describe, expect, it } from 'vitest';
import { isAllowed, missingUseConnectionPrefixes, parsePolicyDocument } from '../../functions/audit/use-connection-policy.ts';

const arn = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc';
const statement = (fields: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...fields }] });

describe('UseConnection under both prefixes', () => {
  it('needs both prefixes, each on the ARN of its own prefix', () => {
    expect(missingUseConnectionPrefixes([statement({ Action: 'codestar-connections:UseConnection', Resource: arn })], arn)).toEqual(['codeconnections']);
    const both = statement({ Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'], Resource: [arn, arn.replace('codestar-connections', 'codeconnections')] });
    expect(missingUseConnectionPrefixes([both], arn)).toEqual([]);
    // The right actions on the wrong resource grant nothing.
    expect(missingUseConnectionPrefixes([statement({ Action: 'code*:UseConnection', Resource: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/other' })], arn)).toEqual([
      'codestar-connections',
      'codeconnections',
    ]);
  });

  it('matches wildcards (actions case-insensitively), honours NotAction, and lets an unconditional Deny win', () => {
    expect(isAllowed([statement({ Action: 'CodeConnections:Use*', Resource: 'arn:aws:codeconnections:*:*:connection/*' })], 'codeconnections:UseConnection', arn.replace('codestar-connections', 'codeconnections'))).toBe(true);
    expect(isAllowed([statement({ NotAction: 'iam:*', Resource: '*' })], 'codeconnections:UseConnection', arn)).toBe(true);
    const denied = [statement({ Action: '*', Resource: '*' }), { Statement: { Effect: 'Deny', Action: 'codestar-connections:UseConnection', Resource: arn } }];
    expect(isAllowed(denied, 'codestar-connections:UseConnection', arn)).toBe(false);
    // A conditional Deny cannot be evaluated without a request; it is not taken as a denial.
    const conditional = [statement({ Action: '*', Resource: '*' }), { Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } } } }];
    expect(isAllowed(conditional, 'codestar-connections:UseConnection', arn)).toBe(true);
  });

  it('reads documents as objects, JSON text, or URL-encoded JSON as IAM returns them', () => {
    const document = statement({ Action: 'codeconnections:UseConnection', Resource: '*' });
    expect(parsePolicyDocument(JSON.stringify(document))).toEqual(document);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(document)))).toEqual(document);
    expect(isAllowed([encodeURIComponent(JSON.stringify(document))], 'codeconnections:UseConnection', arn)).toBe(true);
    expect(isAllowed(['not json'], 'codeconnections:UseConnection', arn)).toBe(false);
  });
});
