import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import { planRepoint } from './repoint.ts';

const OLD = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/aaaaaaaa-0000-0000-0000-000000000001';
const OLD_NEW_PREFIX = OLD.replace(':codestar-connections:', ':codeconnections:');
const NEW = 'arn:aws:codeconnections:us-east-1:111111111111:connection/bbbbbbbb-0000-0000-0000-000000000002';

const source = (name: string, connectionArn: string, extra: Record<string, string> = {}): ActionDeclaration => ({
  name,
  actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
  configuration: { ConnectionArn: connectionArn, FullRepositoryId: 'platform/app', BranchName: 'main', ...extra },
  outputArtifacts: [{ name: `${name}Out` }],
});

const pipeline = (): PipelineDeclaration => ({
  name: 'app',
  roleArn: 'arn:aws:iam::111111111111:role/app-pipeline',
  artifactStore: { type: 'S3', location: 'bucket' },
  stages: [
    { name: 'Source', actions: [source('App', OLD), source('Docs', OLD_NEW_PREFIX, { OutputArtifactFormat: 'CODEBUILD_CLONE_REF' }), source('Other', NEW.replace('bbbbbbbb', 'cccccccc'))] },
    { name: 'Build', actions: [{ name: 'Build', actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' }, configuration: { ProjectName: 'app' } }] },
  ],
});

describe('repointing a pipeline from one connection to another', () => {
  it('moves every source action on the old connection, by either ARN prefix, and nothing else', () => {
    const plan = planRepoint(pipeline(), OLD, NEW);
    expect(plan.actions).toEqual([
      { stageName: 'Source', actionName: 'App', outputArtifactFormat: 'CODE_ZIP' },
      { stageName: 'Source', actionName: 'Docs', outputArtifactFormat: 'CODEBUILD_CLONE_REF' },
    ]);
    const [app, docs, other] = plan.declaration!.stages![0]!.actions!;
    expect(app!.configuration).toEqual({ ConnectionArn: NEW, FullRepositoryId: 'platform/app', BranchName: 'main' });
    expect(docs!.configuration!.ConnectionArn).toBe(NEW);
    expect(other).toEqual(pipeline().stages![0]!.actions![2]);
    expect(plan.declaration!.stages![1]).toEqual(pipeline().stages![1]);
  });

  it('changes nothing where the old connection is not used, and undoes itself with from and to swapped', () => {
    expect(planRepoint(pipeline(), 'arn:aws:codestar-connections:us-east-1:111111111111:connection/dddddddd-0000-0000-0000-000000000004', NEW)).toEqual({ actions: [] });
    const moved = planRepoint(pipeline(), OLD, NEW).declaration!;
    const back = planRepoint(moved, NEW, OLD).declaration!;
    expect(back.stages![0]!.actions!.map((action) => action.configuration!.ConnectionArn)).toEqual([OLD, OLD, NEW.replace('bbbbbbbb', 'cccccccc')]);
  });
});
