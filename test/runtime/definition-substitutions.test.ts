import { describe, expect, it } from 'vitest';
import { substituteDefinition } from '../../infra/local/runtime/definition-substitutions.ts';

const resolveArn = (value: unknown) => {
  const [logicalId] = (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  return `arn:aws:lambda:us-east-1:111111111111:function:${logicalId}`;
};

describe('substituteDefinition', () => {
  const definition = {
    StartAt: 'Check',
    States: {
      Check: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: '${HealthFunctionArn}', 'Payload.$': '$', Note: 'table ${TableName} in ${TableName}' },
        Next: 'Done',
      },
      Done: { Type: 'Succeed', Comment: 'no placeholders here: {} $ $.x' },
    },
  };
  const substitutions = { HealthFunctionArn: { 'Fn::GetAtt': ['HealthLambdaFunction', 'Arn'] }, TableName: 'broker-local' };

  it('replaces every placeholder in string values, resolving CloudFormation values once each', () => {
    const calls: unknown[] = [];
    const result = substituteDefinition(definition, substitutions, (value) => {
      calls.push(value);
      return resolveArn(value);
    });
    expect(result).toEqual({
      ...definition,
      States: {
        ...definition.States,
        Check: {
          ...definition.States.Check,
          Parameters: {
            FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:HealthLambdaFunction',
            'Payload.$': '$',
            Note: 'table broker-local in broker-local',
          },
        },
      },
    });
    expect(calls).toEqual([{ 'Fn::GetAtt': ['HealthLambdaFunction', 'Arn'] }]);
  });

  it('does not modify its input', () => {
    const before = structuredClone(definition);
    substituteDefinition(definition, substitutions, resolveArn);
    expect(definition).toEqual(before);
  });

  it('substitutes keys and array items too, as CloudFormation substitutes the whole text', () => {
    expect(substituteDefinition({ list: ['${A}', 1, true, null], '${A}Key': { n: 2 } }, { A: 'x' }, resolveArn)).toEqual({ list: ['x', 1, true, null], xKey: { n: 2 } });
  });

  it('keeps a substituted value containing quotes intact', () => {
    expect(substituteDefinition({ v: '${Q}' }, { Q: 'say "hi"' }, resolveArn)).toEqual({ v: 'say "hi"' });
  });

  it('uses numbers and booleans as text', () => {
    expect(substituteDefinition({ v: '${N}-${B}' }, { N: 3, B: false }, resolveArn)).toEqual({ v: '3-false' });
  });

  it('fails on placeholders that have no substitution, naming them', () => {
    expect(() => substituteDefinition({ a: '${Missing}', b: '${AlsoMissing} ${A}' }, { A: 'x' }, resolveArn)).toThrow(
      'State machine definition uses placeholders with no DefinitionSubstitutions entry: ${Missing}, ${AlsoMissing}',
    );
  });
});
