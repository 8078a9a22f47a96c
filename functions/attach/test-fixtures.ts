import type { ActionDeclaration, ActionTypeId, PipelineDeclaration } from '@aws-sdk/client-codepipeline';

/**
 * Pipeline declarations as GetPipeline returns them, of the shapes platform teams have: V1 and V2,
 * one or several source actions of every provider we convert, cross-Region artifact stores and
 * actions, namespaces, variables, triggers, stage conditions, action roles, masked secrets.
 */

export const ACCOUNT = '111111111111';
export const CONNECTION = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41`;
export const OTHER_CONNECTION = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:connection/0b6f1e7a-2c3d-4e5f-8a9b-0c1d2e3f4a5b`;

const type = (category: string, owner: string, provider: string): ActionTypeId => ({ category, owner, provider, version: '1' }) as ActionTypeId;

export const SOURCES: Record<string, (name: string, output: string) => ActionDeclaration> = {
  S3: (name, output) => ({
    name,
    actionTypeId: type('Source', 'AWS', 'S3'),
    runOrder: 1,
    configuration: { S3Bucket: 'source-bucket', S3ObjectKey: `${name}.zip`, PollForSourceChanges: 'false' },
    outputArtifacts: [{ name: output }],
    inputArtifacts: [],
  }),
  GitHub: (name, output) => ({
    name,
    actionTypeId: type('Source', 'ThirdParty', 'GitHub'),
    runOrder: 1,
    configuration: { Owner: 'platform', Repo: name.toLowerCase(), Branch: 'main', OAuthToken: '****', PollForSourceChanges: 'false' },
    outputArtifacts: [{ name: output }],
    inputArtifacts: [],
  }),
  CodeCommit: (name, output) => ({
    name,
    actionTypeId: type('Source', 'AWS', 'CodeCommit'),
    runOrder: 1,
    configuration: { RepositoryName: name.toLowerCase(), BranchName: 'main', PollForSourceChanges: 'false', OutputArtifactFormat: 'CODE_ZIP' },
    outputArtifacts: [{ name: output }],
    inputArtifacts: [],
    namespace: `${name}Vars`,
  }),
  ECR: (name, output) => ({
    name,
    actionTypeId: type('Source', 'AWS', 'ECR'),
    runOrder: 1,
    configuration: { RepositoryName: 'base-image', ImageTag: 'latest' },
    outputArtifacts: [{ name: output }],
    inputArtifacts: [],
  }),
  CodeStarSourceConnection: (name, output) => ({
    name,
    actionTypeId: type('Source', 'AWS', 'CodeStarSourceConnection'),
    runOrder: 1,
    configuration: { ConnectionArn: OTHER_CONNECTION, FullRepositoryId: `platform/${name.toLowerCase()}`, BranchName: 'develop', OutputArtifactFormat: 'CODE_ZIP' },
    outputArtifacts: [{ name: output }],
    inputArtifacts: [],
    namespace: `${name}Source`,
  }),
};

function build(name: string, inputs: string[], extra: Partial<ActionDeclaration> = {}): ActionDeclaration {
  return {
    name,
    actionTypeId: type('Build', 'AWS', 'CodeBuild'),
    runOrder: 1,
    configuration: { ProjectName: `${name.toLowerCase()}-project`, EnvironmentVariables: '[{"name":"STAGE","value":"prod","type":"PLAINTEXT"}]' },
    inputArtifacts: inputs.map((artifact) => ({ name: artifact })),
    outputArtifacts: [{ name: `${name}Out` }],
    ...extra,
  };
}

export interface Fixture {
  title: string;
  declaration: PipelineDeclaration;
}

export const FIXTURES: Fixture[] = [
  {
    title: 'V1, one S3 source, one build',
    declaration: {
      name: 'v1-simple',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/service-role/v1-simple`,
      artifactStore: { type: 'S3', location: 'codepipeline-us-east-1-artifacts' },
      stages: [
        { name: 'Source', actions: [SOURCES.S3!('App', 'SourceArtifact')] },
        { name: 'Build', actions: [build('Build', ['SourceArtifact'])] },
      ],
      version: 4,
      executionMode: 'SUPERSEDED',
      pipelineType: 'V1',
    },
  },
  {
    title: 'V1 with a GitHub (OAuth) source whose token GetPipeline masks, and a KMS-encrypted store',
    declaration: {
      name: 'v1-github',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/v1-github`,
      artifactStore: { type: 'S3', location: 'artifacts', encryptionKey: { id: 'alias/pipeline', type: 'KMS' } },
      stages: [
        { name: 'Source', actions: [SOURCES.GitHub!('Code', 'CodeOut')] },
        { name: 'Test', actions: [build('UnitTests', ['CodeOut'], { actionTypeId: type('Test', 'AWS', 'CodeBuild') })] },
        {
          name: 'Approve',
          actions: [{ name: 'Manual', actionTypeId: type('Approval', 'AWS', 'Manual'), runOrder: 1, configuration: { CustomData: 'ship it?' }, inputArtifacts: [], outputArtifacts: [] }],
        },
      ],
      version: 12,
      executionMode: 'SUPERSEDED',
      pipelineType: 'V1',
    },
  },
  {
    title: 'V2, several sources (CodeCommit, S3, ECR), namespaces, variables, QUEUED',
    declaration: {
      name: 'v2-multi-source',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/v2-multi-source`,
      artifactStore: { type: 'S3', location: 'artifacts' },
      stages: [
        {
          name: 'Sources',
          actions: [SOURCES.CodeCommit!('Service', 'ServiceSrc'), SOURCES.S3!('Config', 'ConfigSrc'), SOURCES.ECR!('BaseImage', 'ImageSrc')],
        },
        {
          name: 'Build',
          actions: [
            build('Compile', ['ServiceSrc', 'ConfigSrc'], { namespace: 'CompileVars' }),
            build('Package', ['CompileOut', 'ImageSrc'], { runOrder: 2 }),
          ],
        },
      ],
      variables: [{ name: 'Environment', defaultValue: 'staging', description: 'where to deploy' }],
      version: 7,
      executionMode: 'QUEUED',
      pipelineType: 'V2',
    },
  },
  {
    title: 'V2, cross-Region artifact stores and a cross-Region CodeBuild action, with an action role',
    declaration: {
      name: 'v2-cross-region',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/v2-cross-region`,
      artifactStores: {
        'us-east-1': { type: 'S3', location: 'artifacts-use1' },
        'eu-west-1': { type: 'S3', location: 'artifacts-euw1', encryptionKey: { id: 'arn:aws:kms:eu-west-1:111111111111:key/abc', type: 'KMS' } },
      },
      stages: [
        { name: 'Source', actions: [{ ...SOURCES.S3!('App', 'AppSrc'), roleArn: `arn:aws:iam::${ACCOUNT}:role/source-reader` }] },
        {
          name: 'Build',
          actions: [build('BuildUs', ['AppSrc']), build('BuildEu', ['AppSrc'], { region: 'eu-west-1', roleArn: `arn:aws:iam::${ACCOUNT}:role/eu-builder` })],
        },
      ],
      version: 2,
      executionMode: 'PARALLEL',
      pipelineType: 'V2',
    },
  },
  {
    title: 'V2 already on a connection, with triggers for two source actions and stage conditions',
    declaration: {
      name: 'v2-triggers',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/v2-triggers`,
      artifactStore: { type: 'S3', location: 'artifacts' },
      stages: [
        { name: 'Source', actions: [SOURCES.CodeStarSourceConnection!('Api', 'ApiSrc'), SOURCES.CodeStarSourceConnection!('Web', 'WebSrc')] },
        {
          name: 'Build',
          actions: [build('Build', ['ApiSrc', 'WebSrc'])],
          onFailure: { result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' } },
        },
      ],
      triggers: [
        {
          providerType: 'CodeStarSourceConnection',
          gitConfiguration: { sourceActionName: 'Api', push: [{ branches: { includes: ['develop'] }, filePaths: { includes: ['api/**'] } }] },
        },
        {
          providerType: 'CodeStarSourceConnection',
          gitConfiguration: { sourceActionName: 'Web', pullRequest: [{ branches: { includes: ['main'] }, events: ['OPEN', 'UPDATED'] }] },
        },
      ],
      version: 31,
      executionMode: 'QUEUED',
      pipelineType: 'V2',
    },
  },
  {
    title: 'V2, one source feeding several CodeBuild actions (full clone consumers) and a Lambda',
    declaration: {
      name: 'v2-fanout',
      roleArn: `arn:aws:iam::${ACCOUNT}:role/v2-fanout`,
      artifactStore: { type: 'S3', location: 'artifacts' },
      stages: [
        { name: 'Source', actions: [SOURCES.S3!('Repo', 'RepoSrc')] },
        {
          name: 'Checks',
          actions: [
            build('Lint', ['RepoSrc']),
            build('Test', ['RepoSrc'], { actionTypeId: type('Test', 'AWS', 'CodeBuild') }),
            build('Dynamic', ['RepoSrc'], { configuration: { ProjectName: '#{variables.Project}' } }),
            {
              name: 'Notify',
              actionTypeId: type('Invoke', 'AWS', 'Lambda'),
              runOrder: 2,
              configuration: { FunctionName: 'notify' },
              inputArtifacts: [{ name: 'RepoSrc' }],
              outputArtifacts: [],
            },
          ],
        },
      ],
      variables: [{ name: 'Project', defaultValue: 'dynamic-project' }],
      version: 3,
      executionMode: 'SUPERSEDED',
      pipelineType: 'V2',
    },
  },
];

export const SETTINGS = {
  connectionArn: CONNECTION,
  fullRepositoryId: 'platform/payments',
  branchName: 'main',
  outputArtifactFormat: 'CODE_ZIP' as const,
  detectChanges: true,
};

/** Every source action of a fixture, as a location. */
export function sourceLocations(declaration: PipelineDeclaration): { stageName: string; actionName: string }[] {
  return (declaration.stages ?? []).flatMap((stage) =>
    (stage.actions ?? []).filter((action) => action.actionTypeId?.category === 'Source').map((action) => ({ stageName: stage.name!, actionName: action.name! })),
  );
}
