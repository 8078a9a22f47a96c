import { describe, expect, it } from 'vitest';
import {
  connectionConsoleUrl,
  connectionsSettingsConsoleUrl,
  executionConsoleUrl,
  hostConsoleUrl,
  parseConnectionsArn,
  pipelineConsoleUrl,
  roleConsoleUrl,
} from './console-links.ts';
import { InvalidArnError } from './input-errors.ts';

const CONNECTION_ID = '7d2469ff-514a-4e4f-9003-5ca4a43cdc41';

describe('connectionConsoleUrl', () => {
  it('links a codestar-connections connection in its Region', () => {
    expect(connectionConsoleUrl(`arn:aws:codestar-connections:us-east-1:222222222222:connection/${CONNECTION_ID}`)).toBe(
      `https://us-east-1.console.aws.amazon.com/codesuite/settings/222222222222/us-east-1/codestar-connections/connections/${CONNECTION_ID}?region=us-east-1`,
    );
  });

  it('keeps the codeconnections prefix for codeconnections ARNs', () => {
    expect(connectionConsoleUrl(`arn:aws:codeconnections:eu-west-1:111111111111:connection/${CONNECTION_ID}`)).toBe(
      `https://eu-west-1.console.aws.amazon.com/codesuite/settings/111111111111/eu-west-1/codeconnections/connections/${CONNECTION_ID}?region=eu-west-1`,
    );
  });

  it('uses the partition console for aws-cn and aws-us-gov', () => {
    expect(connectionConsoleUrl(`arn:aws-cn:codestar-connections:cn-north-1:111111111111:connection/${CONNECTION_ID}`)).toBe(
      `https://console.amazonaws.cn/codesuite/settings/111111111111/cn-north-1/codestar-connections/connections/${CONNECTION_ID}?region=cn-north-1`,
    );
    expect(connectionConsoleUrl(`arn:aws-us-gov:codeconnections:us-gov-east-1:111111111111:connection/${CONNECTION_ID}`)).toBe(
      `https://console.amazonaws-us-gov.com/codesuite/settings/111111111111/us-gov-east-1/codeconnections/connections/${CONNECTION_ID}?region=us-gov-east-1`,
    );
  });

  it('refuses a host ARN', () => {
    expect(() => connectionConsoleUrl('arn:aws:codestar-connections:us-east-1:111111111111:host/h1-0a1b2c3d')).toThrow(
      'Expected a connection ARN, got a host ARN.',
    );
  });
});

describe('hostConsoleUrl', () => {
  it('links the host page with the URL-encoded host ARN', () => {
    const hostArn = 'arn:aws:codestar-connections:us-west-2:111111111111:host/My-Host-28aef605';
    expect(hostConsoleUrl(hostArn)).toBe(
      'https://us-west-2.console.aws.amazon.com/codesuite/settings/111111111111/us-west-2/codestar-connections/hosts/' +
        'arn%3Aaws%3Acodestar-connections%3Aus-west-2%3A111111111111%3Ahost%2FMy-Host-28aef605?region=us-west-2',
    );
  });

  it('keeps the codeconnections prefix', () => {
    expect(hostConsoleUrl('arn:aws:codeconnections:eu-central-1:111111111111:host/h-0a1b2c3d')).toMatch(
      /^https:\/\/eu-central-1\.console\.aws\.amazon\.com\/codesuite\/settings\/111111111111\/eu-central-1\/codeconnections\/hosts\/arn%3Aaws%3Acodeconnections%3A/,
    );
  });

  it('refuses a connection ARN', () => {
    expect(() => hostConsoleUrl(`arn:aws:codestar-connections:us-east-1:111111111111:connection/${CONNECTION_ID}`)).toThrow(
      'Expected a host ARN, got a connection ARN.',
    );
  });
});

describe('pipelineConsoleUrl', () => {
  it('links the pipeline view', () => {
    expect(pipelineConsoleUrl('arn:aws:codepipeline:eu-west-1:111111111111:payments.api@main_v2')).toBe(
      'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/payments.api%40main_v2/view?region=eu-west-1',
    );
    expect(pipelineConsoleUrl('arn:aws-us-gov:codepipeline:us-gov-west-1:111111111111:p')).toBe(
      'https://console.amazonaws-us-gov.com/codesuite/codepipeline/pipelines/p/view?region=us-gov-west-1',
    );
  });

  it('refuses other ARNs', () => {
    expect(() => pipelineConsoleUrl('arn:aws:codebuild:eu-west-1:111111111111:project/p')).toThrow(InvalidArnError);
  });
});

describe('roleConsoleUrl', () => {
  it('links the role in the partition’s (global) IAM console, by name whatever its path', () => {
    expect(roleConsoleUrl('arn:aws:iam::111111111111:role/service-role/payments-pipeline')).toBe(
      'https://console.aws.amazon.com/iam/home#/roles/details/payments-pipeline',
    );
    expect(roleConsoleUrl('arn:aws-cn:iam::111111111111:role/p')).toBe('https://console.amazonaws.cn/iam/home#/roles/details/p');
    expect(roleConsoleUrl('arn:aws-us-gov:iam::111111111111:role/p')).toBe('https://console.amazonaws-us-gov.com/iam/home#/roles/details/p');
  });

  it('refuses other ARNs and partitions without a console', () => {
    expect(() => roleConsoleUrl('arn:aws:iam::111111111111:user/p')).toThrow(InvalidArnError);
    expect(() => roleConsoleUrl('arn:aws-iso:iam::111111111111:role/p')).toThrow(/partition "aws-iso"/);
  });
});

describe('executionConsoleUrl', () => {
  it('links the execution in its Region', () => {
    const execution = 'arn:aws:states:eu-west-1:111111111111:execution:connection-broker-provisioning:cancel-r1';
    expect(executionConsoleUrl(execution)).toBe(`https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${execution}`);
  });

  it('refuses other ARNs', () => {
    expect(() => executionConsoleUrl('arn:aws:states:eu-west-1:111111111111:stateMachine:m')).toThrow(InvalidArnError);
  });
});

describe('connectionsSettingsConsoleUrl', () => {
  it('is the documented Settings > Connections page', () => {
    expect(connectionsSettingsConsoleUrl('us-east-1')).toBe('https://us-east-1.console.aws.amazon.com/codesuite/settings/connections?region=us-east-1');
    expect(connectionsSettingsConsoleUrl('cn-north-1', 'aws-cn')).toBe('https://console.amazonaws.cn/codesuite/settings/connections?region=cn-north-1');
  });
});

describe('parseConnectionsArn', () => {
  it('splits an ARN into its parts', () => {
    expect(parseConnectionsArn('arn:aws:codestar-connections:us-west-2:111111111111:host/My-Host-28aef605')).toEqual({
      arn: 'arn:aws:codestar-connections:us-west-2:111111111111:host/My-Host-28aef605',
      partition: 'aws',
      service: 'codestar-connections',
      region: 'us-west-2',
      accountId: '111111111111',
      resourceType: 'host',
      resourceId: 'My-Host-28aef605',
    });
  });

  it.each([
    ['', /Not a host or connection ARN/],
    ['arn:aws:codestar-connections:us-east-1:1111:connection/x', /Not a host or connection ARN/],
    ['arn:aws:codestar-connections:us-east-1:111111111111:repository-link/x', /Not a host or connection ARN/],
    ['arn:aws:codecommit:us-east-1:111111111111:connection/x', /Not a host or connection ARN/],
    ['arn:aws:codestar-connections:us-east-1:111111111111:connection/', /Not a host or connection ARN/],
    ['arn:aws-iso:codestar-connections:us-iso-east-1:111111111111:connection/x', /partition "aws-iso"/],
  ])('refuses %j', (arn, message) => {
    expect(() => parseConnectionsArn(arn)).toThrow(InvalidArnError);
    expect(() => parseConnectionsArn(arn)).toThrow(message);
  });
});
