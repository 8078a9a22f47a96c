import { CodeBuildClient, CreateProjectCommand } from '@aws-sdk/client-codebuild';
import {
  CodePipelineClient,
  CreatePipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  StartPipelineExecutionCommand,
  type PipelineDeclaration,
} from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient, CreateConnectionCommand, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, TagRoleCommand, UntagRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * The tag-based grant mode, end to end through the SDK clients: the platform tags each pipeline
 * role `connection-broker:team=<team>` and installs one policy that lets it use connections tagged
 * managed-by=connection-broker and the role's own team (`${aws:PrincipalTag/...}`); the broker only
 * tags connections. A run's source action (and a CODEBUILD_CLONE_REF clone) is evaluated with the
 * connection's tags as aws:ResourceTag and the role's as aws:PrincipalTag, as IAM would.
 */

let sandbox: Sandbox;
let pipelines: CodePipelineClient;
let connections: CodeStarConnectionsClient;
let iam: IAMClient;
let codeBuild: CodeBuildClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  pipelines = new CodePipelineClient(clientConfig(sandbox));
  connections = new CodeStarConnectionsClient(clientConfig(sandbox));
  iam = new IAMClient(clientConfig(sandbox));
  codeBuild = new CodeBuildClient(clientConfig(sandbox));
});
afterAll(async () => {
  for (const client of [pipelines, connections, iam, codeBuild]) client.destroy();
  await sandbox.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
  await control(sandbox, 'PUT', '/config', { iamPropagationSeconds: 0 });
});

const ACCOUNT = '111111111111';
const TEAM_TAG = 'connection-broker:team';

/** The one policy the platform installs on every pipeline role in this mode. */
const TEAM_GRANT = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'UseConnectionsTaggedForThisTeam',
      Effect: 'Allow',
      Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
      Resource: [`arn:aws:codestar-connections:*:${ACCOUNT}:connection/*`, `arn:aws:codeconnections:*:${ACCOUNT}:connection/*`],
      Condition: {
        StringEquals: {
          'aws:ResourceTag/managed-by': 'connection-broker',
          [`aws:ResourceTag/${TEAM_TAG}`]: `\${aws:PrincipalTag/${TEAM_TAG}}`,
        },
      },
    },
  ],
};

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: ['codepipeline.amazonaws.com', 'codebuild.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
});

/** A role as the platform makes it: tagged with its team (or untagged), with the team grant. */
async function platformRole(roleName: string, team: string | undefined): Promise<string> {
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: TRUST, Tags: team === undefined ? undefined : [{ Key: TEAM_TAG, Value: team }] }),
  );
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'use-team-connections', PolicyDocument: JSON.stringify(TEAM_GRANT) }));
  return Role!.Arn!;
}

/** An AVAILABLE connection with the given tags (what the broker's TagResource leaves on it). */
async function connection(tags: Record<string, string>): Promise<string> {
  const { ConnectionArn } = await connections.send(new CreateConnectionCommand({ ConnectionName: 'github', ProviderType: 'GitHub' }));
  await control(sandbox, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  if (Tags.length > 0) await connections.send(new TagResourceCommand({ ResourceArn: ConnectionArn, Tags }));
  return ConnectionArn!;
}

const brokerTags = (team: string) => ({ 'managed-by': 'connection-broker', [TEAM_TAG]: team });

function pipeline(connectionArn: string, roleArn: string, format = 'CODE_ZIP'): PipelineDeclaration {
  return {
    name: 'app',
    roleArn,
    artifactStore: { type: 'S3', location: 'artifact-bucket' },
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            configuration: { ConnectionArn: connectionArn, FullRepositoryId: 'payments/ledger', BranchName: 'main', OutputArtifactFormat: format },
            outputArtifacts: [{ name: 'Src' }],
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'ledger-build' },
            inputArtifacts: [{ name: 'Src' }],
          },
        ],
      },
    ],
  };
}

/** The latest run: its status, and the failed action with its message. */
async function latestRun(): Promise<{ status: string; failedAction?: string; message?: string }> {
  const { stageStates } = await pipelines.send(new GetPipelineStateCommand({ name: 'app' }));
  const pipelineExecutionId = stageStates![0]!.latestExecution!.pipelineExecutionId!;
  const { pipelineExecution } = await pipelines.send(new GetPipelineExecutionCommand({ pipelineName: 'app', pipelineExecutionId }));
  const failed = stageStates!.flatMap((stage) => stage.actionStates ?? []).find((action) => action.latestExecution?.status === 'Failed');
  return { status: pipelineExecution!.status!, failedAction: failed?.actionName, message: failed?.latestExecution?.errorDetails?.message };
}

const refused = (connectionArn: string) => ({
  status: 'Failed',
  failedAction: 'Source',
  message: `Unable to use Connection: ${connectionArn}. The provided role does not have sufficient permissions to access CodeStar Connections (codestar-connections:UseConnection).`,
});

describe('a pipeline role with the team grant', () => {
  it("runs the source action on a connection tagged managed-by=connection-broker and the role's team", async () => {
    const roleArn = await platformRole('payments-pipeline', 'payments');
    const connectionArn = await connection(brokerTags('payments'));
    await pipelines.send(new CreatePipelineCommand({ pipeline: pipeline(connectionArn, roleArn) }));
    expect(await latestRun()).toEqual({ status: 'Succeeded', failedAction: undefined, message: undefined });
  });

  it.each([
    ["another team's tag", brokerTags('search')],
    ['no team tag', { 'managed-by': 'connection-broker' }],
    ['the team tag without managed-by', { [TEAM_TAG]: 'payments' }],
    ['no tags at all', {}],
    // Tag values compare case-sensitively under StringEquals.
    ['the team in another letter case', brokerTags('Payments')],
    // The policy variable's own text is not a value that matches.
    ['the literal policy variable as its team', brokerTags(`\${aws:PrincipalTag/${TEAM_TAG}}`)],
  ])('refuses a connection with %s', async (_, tags) => {
    const roleArn = await platformRole('payments-pipeline', 'payments');
    const connectionArn = await connection(tags);
    await pipelines.send(new CreatePipelineCommand({ pipeline: pipeline(connectionArn, roleArn) }));
    expect(await latestRun()).toEqual(refused(connectionArn));
  });

  it('refuses when the role has no team tag, and follows the tags as they change', async () => {
    const roleArn = await platformRole('payments-pipeline', undefined);
    const connectionArn = await connection(brokerTags('payments'));
    await pipelines.send(new CreatePipelineCommand({ pipeline: pipeline(connectionArn, roleArn) }));
    expect(await latestRun()).toEqual(refused(connectionArn));

    // The platform tags the role: the next run may use the connection.
    await iam.send(new TagRoleCommand({ RoleName: 'payments-pipeline', Tags: [{ Key: TEAM_TAG, Value: 'payments' }] }));
    await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect((await latestRun()).status).toBe('Succeeded');

    // The broker moves the connection to another team.
    await connections.send(new TagResourceCommand({ ResourceArn: connectionArn, Tags: [{ Key: TEAM_TAG, Value: 'search' }] }));
    await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect(await latestRun()).toEqual(refused(connectionArn));

    // Back to payments, then the role loses its team tag.
    await connections.send(new TagResourceCommand({ ResourceArn: connectionArn, Tags: [{ Key: TEAM_TAG, Value: 'payments' }] }));
    await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect((await latestRun()).status).toBe('Succeeded');
    await iam.send(new UntagRoleCommand({ RoleName: 'payments-pipeline', TagKeys: [TEAM_TAG] }));
    await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect(await latestRun()).toEqual(refused(connectionArn));

    // Nor does a connection whose team tag was removed match a tagged role.
    await iam.send(new TagRoleCommand({ RoleName: 'payments-pipeline', Tags: [{ Key: TEAM_TAG, Value: 'payments' }] }));
    await connections.send(new UntagResourceCommand({ ResourceArn: connectionArn, TagKeys: [TEAM_TAG] }));
    await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect(await latestRun()).toEqual(refused(connectionArn));
  });

  it('clones a CODEBUILD_CLONE_REF source only when the project role is of the connection team', async () => {
    const pipelineRole = await platformRole('payments-pipeline', 'payments');
    await platformRole('ledger-build-role', 'search');
    await codeBuild.send(
      new CreateProjectCommand({
        name: 'ledger-build',
        serviceRole: 'ledger-build-role',
        source: { type: 'CODEPIPELINE' },
        artifacts: { type: 'CODEPIPELINE' },
        environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
      }),
    );
    const connectionArn = await connection(brokerTags('payments'));
    await pipelines.send(new CreatePipelineCommand({ pipeline: pipeline(connectionArn, pipelineRole, 'CODEBUILD_CLONE_REF') }));
    const failed = await latestRun();
    expect(failed).toMatchObject({ status: 'Failed', failedAction: 'Build' });
    expect(failed.message).toContain(`is not authorized to perform codestar-connections:UseConnection on ${connectionArn}`);

    await iam.send(new TagRoleCommand({ RoleName: 'ledger-build-role', Tags: [{ Key: TEAM_TAG, Value: 'payments' }] }));
    await pipelines.send(new StartPipelineExecutionCommand({ name: 'app' }));
    expect((await latestRun()).status).toBe('Succeeded');
  });

  it('takes the role tags seeded through the control API', async () => {
    const { role } = await control<{ role: { arn: string } }>(sandbox, 'POST', '/roles', {
      roleName: 'seeded-pipeline',
      tags: { [TEAM_TAG]: 'payments' },
      inlinePolicies: { 'use-team-connections': TEAM_GRANT },
    });
    const connectionArn = await connection(brokerTags('payments'));
    await pipelines.send(new CreatePipelineCommand({ pipeline: pipeline(connectionArn, role.arn) }));
    expect((await latestRun()).status).toBe('Succeeded');
  });
});
