import { describe, expect, it } from 'vitest';
import { checkForm, EMPTY_FORM, fieldOf, type RequestFormValues } from './request-form.ts';

const form = (values: Partial<RequestFormValues>): RequestFormValues => ({ ...EMPTY_FORM, ...values });

describe('checkForm', () => {
  it('builds the body the API takes from a filled form', () => {
    const checked = checkForm(
      form({
        providerEndpoint: 'https://ghe.example.com',
        usePipeline: true,
        pipelineName: 'payments',
        sourceActionName: 'Source',
        fullRepositoryId: 'platform/payments-api',
        branchName: 'main',
        trigger: 'branch',
        tags: 'team=payments\ncost-centre = 42',
      }),
    );
    expect(checked).toEqual({
      ok: true,
      body: {
        providerEndpoint: 'https://ghe.example.com',
        pipeline: { name: 'payments', sourceActionName: 'Source', fullRepositoryId: 'platform/payments-api', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true, trigger: true },
        tags: { team: 'payments', 'cost-centre': '42' },
      },
    });
  });

  it('puts each problem next to its field, in the API’s words', () => {
    const checked = checkForm(form({ providerEndpoint: 'ftp://ghe.example.com', useVpc: true, vpcId: 'vpc-1', subnetIds: 'subnet-0123456789abcdef0 nope', securityGroupIds: 'sg-0123456789abcdef0', tags: 'no-equals' }));
    if (checked.ok) throw new Error('expected problems');
    expect(Object.keys(checked.errors).sort()).toEqual(['providerEndpoint', 'tags', 'vpcConfiguration.subnetIds', 'vpcConfiguration.vpcId'].sort());
    expect(checked.errors['vpcConfiguration.vpcId']?.[0]).toMatch(/VPC id/);
    expect(checked.errors.tags).toEqual(['"no-equals" is not key=value']);
  });

  it('refuses trigger filters that are not JSON', () => {
    const checked = checkForm(form({ providerEndpoint: 'https://ghe.example.com', usePipeline: true, pipelineName: 'p', sourceActionName: 'Source', fullRepositoryId: 'a/b', branchName: 'main', trigger: 'filters', triggerFilters: '{push' }));
    expect(checked.ok ? [] : checked.errors['pipeline.trigger']).toEqual([expect.stringMatching(/Must be JSON/)]);
  });
});

describe('the Git sync section', () => {
  const gitSync = { useGitSync: true, gitSyncStackName: 'payments-infra', gitSyncRepository: 'acme/infra', gitSyncBranch: 'main', gitSyncConfigFile: 'deploy/payments.yaml', gitSyncRoleArn: 'arn:aws:iam::111111111111:role/service-role/payments-sync' };

  it('sends gitSync with the toggles left out at Git sync’s default, and with those chosen', () => {
    const target = { stackName: 'payments-infra', repository: 'acme/infra', branch: 'main', configFile: 'deploy/payments.yaml', roleArn: 'arn:aws:iam::111111111111:role/service-role/payments-sync' };
    expect(checkForm(form({ providerEndpoint: 'https://ghe.example.com', ...gitSync }))).toEqual({ ok: true, body: { providerEndpoint: 'https://ghe.example.com', gitSync: target } });
    const chosen = checkForm(form({ providerEndpoint: 'https://ghe.example.com', ...gitSync, gitSyncPublishDeploymentStatus: 'DISABLED', gitSyncPullRequestComment: 'ENABLED', gitSyncTriggerResourceUpdateOn: 'FILE_CHANGE' }));
    expect(chosen).toEqual({ ok: true, body: { providerEndpoint: 'https://ghe.example.com', gitSync: { ...target, publishDeploymentStatus: 'DISABLED', pullRequestComment: 'ENABLED', triggerResourceUpdateOn: 'FILE_CHANGE' } } });
  });

  it('sends nothing of Git sync while its box is unticked, whatever the hidden fields hold', () => {
    expect(checkForm(form({ providerEndpoint: 'https://ghe.example.com', ...gitSync, useGitSync: false, gitSyncStackName: '1 bad' }))).toEqual({ ok: true, body: { providerEndpoint: 'https://ghe.example.com' } });
  });

  it('shows each problem at its Git sync field, in the API’s words', () => {
    const checked = checkForm(form({ providerEndpoint: 'https://ghe.example.com', ...gitSync, gitSyncStackName: '9-not-a-stack', gitSyncRepository: 'no-slash', gitSyncConfigFile: '/absolute.yaml', gitSyncRoleArn: 'payments-sync' }));
    if (checked.ok) throw new Error('expected problems');
    expect(Object.keys(checked.errors).sort()).toEqual(['gitSync.configFile', 'gitSync.repository', 'gitSync.roleArn', 'gitSync.stackName']);
    expect(checked.errors['gitSync.stackName']).toEqual([expect.stringMatching(/CloudFormation stack name/)]);
    expect(checked.errors['gitSync.roleArn']).toEqual([expect.stringMatching(/IAM role ARN/)]);
  });

  it('puts the API’s rules about Git sync as a whole where the person can act: the section, or the connection strategy', () => {
    const azure = checkForm(form({ providerType: 'AzureDevOps', ...gitSync }));
    expect(azure.ok ? {} : azure.errors).toEqual({ gitSync: ['Git sync does not support Azure DevOps repositories'] });
    const shared = checkForm(form({ providerEndpoint: 'https://ghe.example.com', connectionStrategy: 'shared', ...gitSync }));
    expect(shared.ok ? {} : Object.keys(shared.errors)).toEqual(['connectionStrategy']);
  });
});

describe('a cloud provider', () => {
  it('sends no server URL or VPC, whatever the hidden fields hold', () => {
    const checked = checkForm(form({ providerType: 'Bitbucket', providerEndpoint: 'https://left.example.com', useVpc: true, vpcId: 'vpc-1' }));
    expect(checked).toEqual({ ok: true, body: { providerType: 'Bitbucket' } });
  });
});

describe('fieldOf', () => {
  it('maps an item of a list to its list field, and an unknown path to the form', () => {
    expect(fieldOf('vpcConfiguration.subnetIds.2')).toBe('vpcConfiguration.subnetIds');
    expect(fieldOf('pipeline.trigger.push.0.branches')).toBe('pipeline.trigger');
    expect(fieldOf('headers.Idempotency-Key')).toBe('form');
    expect(fieldOf('gitSync.stackName')).toBe('gitSync.stackName');
    expect(fieldOf('gitSync')).toBe('gitSync');
  });
});
