import { describe, expect, it } from 'vitest';
import { missingUseConnectionPrefixes, parsePolicyDocument } from './use-connection-policy.ts';

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

  it('matches wildcards (actions case-insensitively), honours NotAction, lets an unconditional Deny win, and leaves conditions undecided', () => {
    const other = arn.replace('codestar-connections', 'codeconnections');
    expect(missingUseConnectionPrefixes([statement({ Action: 'Code*:Use*', Resource: ['arn:aws:codeconnections:*:*:connection/*', arn] })], arn)).toEqual([]);
    expect(missingUseConnectionPrefixes([statement({ NotAction: 'iam:*', Resource: '*' })], arn)).toEqual([]);
    const denied = [statement({ Action: '*', Resource: '*' }), { Statement: { Effect: 'Deny', Action: 'codestar-connections:UseConnection', Resource: arn } }];
    expect(missingUseConnectionPrefixes(denied, arn)).toEqual(['codestar-connections']);
    // A conditional Deny (or Allow) cannot be evaluated without a request; it is not reported as drift.
    const conditional = [statement({ Action: '*', Resource: '*' }), { Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } } } }];
    expect(missingUseConnectionPrefixes(conditional, arn)).toEqual([]);
    expect(missingUseConnectionPrefixes([statement({ Action: '*', Resource: [arn, other], Condition: { StringEquals: { 'codestar-connections:FullRepositoryId': 'o/r' } } })], arn)).toEqual([]);
  });

  it('reads documents as objects, JSON text, or URL-encoded JSON as IAM returns them', () => {
    const document = statement({ Action: 'codeconnections:UseConnection', Resource: '*' });
    expect(parsePolicyDocument(JSON.stringify(document))).toEqual(document);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(document)))).toEqual(document);
    expect(missingUseConnectionPrefixes([encodeURIComponent(JSON.stringify(document))], arn)).toEqual(['codestar-connections']);
    expect(missingUseConnectionPrefixes(['not json'], arn)).toEqual(['codestar-connections', 'codeconnections']);
  });
});
