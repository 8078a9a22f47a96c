import type { ActionDeclaration, PipelineDeclaration, PipelineType } from '@aws-sdk/client-codepipeline';

/**
 * The short form the control API accepts for seeding: a two-stage pipeline (a source action of the
 * chosen provider, then a CodeBuild build), as the console's "Create pipeline" wizard makes it.
 */

export const TEMPLATE_SOURCE_PROVIDERS = ['CodeStarSourceConnection', 'GitHub', 'S3', 'CodeCommit'] as const;
export type TemplateSourceProvider = (typeof TEMPLATE_SOURCE_PROVIDERS)[number];

export interface PipelineTemplate {
  name: string;
  roleArn?: string;
  sourceActionName?: string;
  provider?: TemplateSourceProvider;
  pipelineType?: PipelineType;
  connectionArn?: string;
  fullRepositoryId?: string;
  branchName?: string;
}

export const DEFAULT_REPOSITORY = 'example-org/example-repo';

export function templateDeclaration(template: PipelineTemplate, accountId: string, region: string): PipelineDeclaration {
  const { name } = template;
  return {
    name,
    roleArn: template.roleArn ?? `arn:aws:iam::${accountId}:role/service-role/AWSCodePipelineServiceRole-${region}-${name}`.slice(0, 1024),
    artifactStore: { type: 'S3', location: `codepipeline-${region}-${accountId}` },
    stages: [
      { name: 'Source', actions: [sourceAction(template)] },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            runOrder: 1,
            configuration: { ProjectName: `${name}-build`.slice(0, 255) },
            inputArtifacts: [{ name: 'SourceArtifact' }],
            outputArtifacts: [{ name: 'BuildArtifact' }],
          },
        ],
      },
    ],
    executionMode: 'SUPERSEDED',
    pipelineType: template.pipelineType ?? 'V2',
  };
}

function sourceAction(template: PipelineTemplate): ActionDeclaration {
  const repository = template.fullRepositoryId ?? DEFAULT_REPOSITORY;
  const [owner, repo] = splitRepository(repository);
  const branch = template.branchName ?? 'main';
  const common = { name: template.sourceActionName ?? 'Source', runOrder: 1, outputArtifacts: [{ name: 'SourceArtifact' }] };
  switch (templateProvider(template)) {
    case 'CodeStarSourceConnection':
      return {
        ...common,
        actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
        configuration: { ConnectionArn: template.connectionArn!, FullRepositoryId: repository, BranchName: branch, OutputArtifactFormat: 'CODE_ZIP' },
      };
    case 'GitHub':
      return {
        ...common,
        actionTypeId: { category: 'Source', owner: 'ThirdParty', provider: 'GitHub', version: '1' },
        configuration: { Owner: owner, Repo: repo, Branch: branch, OAuthToken: 'sandbox-oauth-token', PollForSourceChanges: 'false' },
      };
    case 'S3':
      return {
        ...common,
        actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
        configuration: {
          S3Bucket: `${owner}-${repo}`.toLowerCase().slice(0, 63),
          S3ObjectKey: `${branch}/source.zip`,
          PollForSourceChanges: 'false',
        },
      };
    case 'CodeCommit':
      return {
        ...common,
        actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeCommit', version: '1' },
        configuration: { RepositoryName: repo, BranchName: branch, PollForSourceChanges: 'false' },
      };
  }
}

/**
 * With a connection ARN the source is a CodeStarSourceConnection action; without one it is the
 * GitHub (version 1, OAuth) action that connections replace: a pipeline waiting to be attached.
 */
export function templateProvider(template: Pick<PipelineTemplate, 'provider' | 'connectionArn'>): TemplateSourceProvider {
  return template.provider ?? (template.connectionArn === undefined ? 'GitHub' : 'CodeStarSourceConnection');
}

function splitRepository(repository: string): [string, string] {
  const slash = repository.indexOf('/');
  return slash < 0 ? [repository, repository] : [repository.slice(0, slash), repository.slice(slash + 1)];
}
