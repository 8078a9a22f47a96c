import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { SyncConfigurationFacts } from '../model.ts';
import { markStacksGone } from './stacks.ts';

const cloudFormation = new CloudFormationClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const mock = mockClient(cloudFormation);
afterAll(() => mock.restore());
beforeEach(() => mock.reset());

const link = { id: 'link-1', arn: 'arn:aws:codestar-connections:eu-west-1:111111111111:repository-link/link-1', connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/c1', ownerId: 'acme', repositoryName: 'infra' };
const sync = (stackName: string, succeededBefore = true): SyncConfigurationFacts => ({
  stackName,
  repositoryLinkId: 'link-1',
  repository: 'acme/infra',
  branch: 'main',
  roleArn: 'arn:aws:iam::111111111111:role/sync',
  succeededBefore,
  openBlockers: [],
});
const queryError = (name: string, message: string, status: number) =>
  new CloudFormationServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });
const options = { call: <T>(send: () => Promise<T>) => send(), concurrency: 2 };

describe('whether the stacks Git sync made still exist', () => {
  it('marks a once-synced stack CloudFormation does not know by name as gone, keeps a live one, and does not ask about one never synced', async () => {
    mock
      .on(DescribeStacksCommand, { StackName: 'ledger-infra' })
      .resolves({ Stacks: [{ StackName: 'ledger-infra', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] })
      .on(DescribeStacksCommand, { StackName: 'orders-infra' })
      .rejects(queryError('ValidationError', 'Stack with id orders-infra does not exist', 400));
    const { syncConfigurations, unreadable } = await markStacksGone(cloudFormation, { repositoryLinks: [link], syncConfigurations: [sync('ledger-infra'), sync('orders-infra'), sync('new-infra', false)] }, options);
    expect(syncConfigurations.map((found) => [found.stackName, found.stackGone ?? false])).toEqual([
      ['ledger-infra', false],
      ['orders-infra', true],
      ['new-infra', false],
    ]);
    expect(unreadable).toEqual([]);
    expect(mock.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input.StackName).sort()).toEqual(['ledger-infra', 'orders-infra']);
  });

  it('records a refusal as unreadable, naming the stack ARN a policy must allow, and concludes nothing', async () => {
    mock.on(DescribeStacksCommand).rejects(queryError('AccessDenied', 'User: arn:aws:sts::111111111111:assumed-role/auditor/x is not authorized to perform: cloudformation:DescribeStacks', 403));
    const { syncConfigurations, unreadable } = await markStacksGone(cloudFormation, { repositoryLinks: [link], syncConfigurations: [sync('ledger-infra')] }, options);
    expect(syncConfigurations[0]!.stackGone).toBeUndefined();
    expect(unreadable).toEqual([
      expect.objectContaining({
        resource: 'ledger-infra',
        resourceKind: 'sync-configuration',
        action: 'cloudformation:DescribeStacks',
        policyResource: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/ledger-infra/*',
      }),
    ]);
  });

  it('fails on any other error rather than calling the stack gone', async () => {
    mock.on(DescribeStacksCommand).rejects(queryError('ValidationError', '1 validation error detected', 400));
    await expect(markStacksGone(cloudFormation, { repositoryLinks: [link], syncConfigurations: [sync('ledger-infra')] }, options)).rejects.toThrow('1 validation error');
  });
});
