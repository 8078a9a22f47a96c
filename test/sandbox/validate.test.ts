import { describe, expect, it } from 'vitest';
import type { AwsServiceError } from '../../infra/local/sandbox/errors.ts';
import { SmithyModel } from '../../infra/local/sandbox/model/smithy-model.ts';
import { validateOperationInput } from '../../infra/local/sandbox/model/validate.ts';

const codestar = SmithyModel.load(new URL('../../infra/local/sandbox/models/codestar-connections.smithy.json', import.meta.url));
const codepipeline = SmithyModel.load(new URL('../../infra/local/sandbox/models/codepipeline.smithy.json', import.meta.url));

function failure(run: () => void): AwsServiceError {
  try {
    run();
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error('expected a validation failure');
}

describe('model-driven validation', () => {
  it('accepts a valid input', () => {
    expect(() =>
      validateOperationInput(codestar, 'CreateConnection', { ConnectionName: 'ok', ProviderType: 'GitHub', Tags: [{ Key: 'a', Value: '' }] }),
    ).not.toThrow();
  });

  it('names list items by 1-based index with .member, and nested members lower-camel-cased', () => {
    const error = failure(() =>
      validateOperationInput(codestar, 'CreateHost', {
        Name: 'h',
        ProviderType: 'GitHubEnterpriseServer',
        ProviderEndpoint: 'https://x',
        VpcConfiguration: { VpcId: 'vpc-0123abcd', SubnetIds: ['subnet-0123abcd', 'bad'], SecurityGroupIds: ['sg-0123abcd'] },
      }),
    );
    expect(error.code).toBe('ValidationException');
    expect(error.message).toContain("Value 'bad' at 'vpcConfiguration.subnetIds.2.member' failed to satisfy constraint: Member must have length greater than or equal to 15");
  });

  it('reports missing required members of nested structures as null', () => {
    const error = failure(() => validateOperationInput(codestar, 'TagResource', { ResourceArn: 'arn:aws:x:us-east-1:111111111111:y', Tags: [{ Key: 'k' }] }));
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports map values without the value, and applies overrides where AWS differs from its model', () => {
    const input = {
      pipeline: {
        name: 'p',
        roleArn: 'arn:aws:iam::111111111111:role/r',
        stages: [{ name: 's', actions: [{ name: 'a', actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' }, configuration: { Key: 'x'.repeat(2000) } }] }],
      },
    };
    const error = failure(() => validateOperationInput(codepipeline, 'UpdatePipeline', input));
    expect(error.message).toBe(
      "1 validation error detected: Value at 'pipeline.stages.1.member.actions.1.member.configuration' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 1000, Member must have length greater than or equal to 1]",
    );
    const overrides = { 'com.amazonaws.codepipeline#ActionConfigurationValue': { 'smithy.api#length': { min: 1, max: 50_000 } } };
    expect(() => validateOperationInput(codepipeline, 'UpdatePipeline', input, overrides)).not.toThrow();
  });

  it('turns wrong JSON types into SerializationException, not a validation message', () => {
    const error = failure(() => validateOperationInput(codestar, 'ListHosts', { MaxResults: '5' }));
    expect(error.code).toBe('SerializationException');
  });
});
