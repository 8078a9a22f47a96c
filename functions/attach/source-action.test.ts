import type { ActionDeclaration, PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { SourceActionSelectionError } from './errors.ts';
import {
  attachSourceConnection,
  findSourceAction,
  isAttached,
  isConnectionSource,
  pointsAtConnection,
  restoreSourceAction,
  sameConnection,
  selectSourceAction,
} from './source-action.ts';

const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const SETTINGS = { connectionArn: CONNECTION, fullRepositoryId: 'platform/payments', branchName: 'main', outputArtifactFormat: 'CODE_ZIP' as const, detectChanges: true };

function pipeline(sources: { name: string; provider: string; configuration?: Record<string, string> }[]): PipelineDeclaration {
  return {
    name: 'payments',
    version: 3,
    roleArn: 'arn:aws:iam::111111111111:role/pipeline',
    artifactStore: { type: 'S3', location: 'artifacts-bucket' },
    stages: [
      {
        name: 'Source',
        actions: sources.map((source, index) => ({
          name: source.name,
          actionTypeId: { category: 'Source', owner: source.provider === 'GitHub' ? 'ThirdParty' : 'AWS', provider: source.provider, version: '1' },
          configuration: source.configuration ?? { S3Bucket: 'b', S3ObjectKey: 'k.zip' },
          outputArtifacts: [{ name: `Out${index}` }],
          runOrder: 1,
          namespace: `SourceVariables${index}`,
        })),
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            configuration: { ProjectName: 'payments-build' },
            inputArtifacts: [{ name: 'Out0' }],
            outputArtifacts: [{ name: 'BuildOut' }],
          },
        ],
      },
    ],
  };
}

describe('choosing the source action', () => {
  it('takes the only source action, or the one named', () => {
    expect(selectSourceAction(pipeline([{ name: 'App', provider: 'S3' }]))).toEqual({ stageName: 'Source', actionName: 'App' });
    const two = pipeline([{ name: 'App', provider: 'S3' }, { name: 'Config', provider: 'S3' }]);
    expect(selectSourceAction(two, 'Config')).toEqual({ stageName: 'Source', actionName: 'Config' });
  });

  it('refuses ambiguity and unknown names with a message that lists the candidates', () => {
    const two = pipeline([{ name: 'App', provider: 'S3' }, { name: 'Config', provider: 'S3' }]);
    expect(() => selectSourceAction(two)).toThrow(new SourceActionSelectionError('Pipeline payments has 2 source actions (App, Config); name one with sourceActionName.'));
    expect(() => selectSourceAction(two, 'Nope')).toThrow(/no source action named Nope; its source actions are: App, Config/);
  });
});

describe('attaching and restoring', () => {
  it('converts an S3 source into a CodeStarSourceConnection action, keeping name, outputs, run order and namespace', () => {
    const before = pipeline([{ name: 'App', provider: 'S3' }]);
    const { declaration, previousAction } = attachSourceConnection(before, { stageName: 'Source', actionName: 'App' }, SETTINGS);
    expect(declaration.stages![0]!.actions![0]).toEqual({
      name: 'App',
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      configuration: { ConnectionArn: CONNECTION, FullRepositoryId: 'platform/payments', BranchName: 'main', OutputArtifactFormat: 'CODE_ZIP', DetectChanges: 'true' },
      outputArtifacts: [{ name: 'Out0' }],
      runOrder: 1,
      namespace: 'SourceVariables0',
    });
    expect(previousAction).toEqual(before.stages![0]!.actions![0]);
    expect(isAttached(declaration, { stageName: 'Source', actionName: 'App' }, SETTINGS)).toBe(true);
    expect(restoreSourceAction(declaration, { stageName: 'Source', actionName: 'App' }, previousAction)).toEqual(before);
  });

  it('changes nothing but the chosen action, for any pipeline shape (property)', () => {
    const names = fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,15}$/), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(names, fc.nat(), fc.constantFrom('S3', 'GitHub', 'CodeCommit', 'CodeStarSourceConnection'), (actionNames, pick, provider) => {
        const before = pipeline(actionNames.map((name) => ({ name, provider })));
        const chosen = actionNames[pick % actionNames.length]!;
        const frozen = structuredClone(before);
        const { declaration } = attachSourceConnection(before, { stageName: 'Source', actionName: chosen }, SETTINGS);
        expect(before).toEqual(frozen); // the input is not mutated
        const otherStages = (d: PipelineDeclaration) => ({ ...d, stages: d.stages!.map((stage) => ({ ...stage, actions: stage.actions!.filter((action) => action.name !== chosen || stage.name !== 'Source') })) });
        expect(otherStages(declaration)).toEqual(otherStages(before));
      }),
      { numRuns: 200 },
    );
  });
});

describe('what counts as attached', () => {
  const location = { stageName: 'Source', actionName: 'App' };
  // Made in each test, not while the file loads, so mutation testing can tell which tests use it.
  let attached: PipelineDeclaration;
  beforeEach(() => {
    attached = attachSourceConnection(pipeline([{ name: 'App', provider: 'S3' }]), location, SETTINGS).declaration;
  });

  it('needs every setting to match, with AWS defaults for the keys left out', () => {
    expect(isAttached(attached, location, SETTINGS)).toBe(true);
    expect(isAttached(attached, location, { ...SETTINGS, branchName: 'develop' })).toBe(false);
    expect(isAttached(attached, location, { ...SETTINGS, outputArtifactFormat: 'CODEBUILD_CLONE_REF' })).toBe(false);
    expect(isAttached(attached, location, { ...SETTINGS, detectChanges: false })).toBe(false);
    const withoutDefaults = structuredClone(attached);
    const configuration = withoutDefaults.stages![0]!.actions![0]!.configuration!;
    delete configuration.OutputArtifactFormat;
    delete configuration.DetectChanges;
    expect(isAttached(withoutDefaults, location, SETTINGS)).toBe(true);
    expect(isAttached(attached, { stageName: 'Source', actionName: 'Gone' }, SETTINGS)).toBe(false);
  });

  it('treats both ARN spellings as the same connection', () => {
    expect(sameConnection(CONNECTION, CONNECTION.replace(':codestar-connections:', ':codeconnections:'))).toBe(true);
    expect(sameConnection(CONNECTION, CONNECTION.replace('7d2469ff', '00000000'))).toBe(false);
    expect(pointsAtConnection(attached.stages![0]!.actions![0], CONNECTION.replace(':codestar-connections:', ':codeconnections:'))).toBe(true);
    expect(pointsAtConnection(pipeline([{ name: 'App', provider: 'S3' }]).stages![0]!.actions![0], CONNECTION)).toBe(false);
  });

  it('keeps the action role, Region and timeout of a converted action, and empties stray input artifacts', () => {
    const before = pipeline([{ name: 'App', provider: 'S3' }]);
    Object.assign(before.stages![0]!.actions![0]!, { roleArn: 'arn:aws:iam::111111111111:role/reader', region: 'us-east-1', timeoutInMinutes: 30, inputArtifacts: [{ name: 'x' }] });
    const action = attachSourceConnection(before, location, SETTINGS).declaration.stages![0]!.actions![0]!;
    expect(action).toMatchObject({ roleArn: 'arn:aws:iam::111111111111:role/reader', region: 'us-east-1', timeoutInMinutes: 30, inputArtifacts: [] });
  });
});

describe('finding actions in odd declarations', () => {
  const connectionSource = (overrides: Record<string, unknown> = {}) =>
    ({
      name: 'App',
      actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      configuration: { ConnectionArn: CONNECTION },
      ...overrides,
    }) as ActionDeclaration;

  it('finds no source action in a declaration without stages or actions, or among actions without a type', () => {
    expect(() => selectSourceAction({ name: 'p' } as PipelineDeclaration)).toThrow(SourceActionSelectionError);
    expect(() => selectSourceAction({ name: 'p', stages: [{ name: 'Empty' }] } as PipelineDeclaration)).toThrow(SourceActionSelectionError);
    const untyped = { name: 'p', stages: [{ name: 'S', actions: [{ name: 'Odd' }, connectionSource()] }] } as PipelineDeclaration;
    expect(selectSourceAction(untyped)).toEqual({ stageName: 'S', actionName: 'App' });
    expect(findSourceAction({ name: 'p' } as PipelineDeclaration, { stageName: 'S', actionName: 'App' })).toBeUndefined();
    expect(findSourceAction({ name: 'p', stages: [{ name: 'S' }] } as PipelineDeclaration, { stageName: 'S', actionName: 'App' })).toBeUndefined();
  });

  it('finds, attaches and restores the action in its own stage when another stage has one of the same name', () => {
    const twin = (stage: string, provider: string) => ({ name: stage, actions: [{ name: 'App', actionTypeId: { category: 'Source', owner: 'AWS', provider, version: '1' }, configuration: { S3Bucket: stage } }] });
    const declaration = { name: 'p', stages: [twin('First', 'S3'), twin('Second', 'S3')] } as unknown as PipelineDeclaration;
    const location = { stageName: 'Second', actionName: 'App' };
    expect(findSourceAction(declaration, location)!.configuration).toEqual({ S3Bucket: 'Second' });
    const { declaration: attached, previousAction } = attachSourceConnection(declaration, location, SETTINGS);
    expect(attached.stages![0]).toEqual(declaration.stages![0]);
    expect(pointsAtConnection(attached.stages![1]!.actions![0], CONNECTION)).toBe(true);
    expect(isAttached(attached, { stageName: 'First', actionName: 'App' }, SETTINGS)).toBe(false);
    expect(restoreSourceAction(attached, location, previousAction)).toEqual(declaration);
  });

  it('refuses to attach or restore an action that is not there', () => {
    const declaration = pipeline([{ name: 'App', provider: 'S3' }]);
    const action = declaration.stages![0]!.actions![0]!;
    expect(() => attachSourceConnection(declaration, { stageName: 'Source', actionName: 'Gone' }, SETTINGS)).toThrow(SourceActionSelectionError);
    for (const location of [
      { stageName: 'Source', actionName: 'Gone' },
      { stageName: 'Gone', actionName: 'App' },
      { stageName: 'Build', actionName: 'App' },
    ]) {
      expect(() => restoreSourceAction(declaration, location, action), JSON.stringify(location)).toThrow(SourceActionSelectionError);
    }
    expect(() => restoreSourceAction({ name: 'p' } as PipelineDeclaration, { stageName: 'Source', actionName: 'App' }, action)).toThrow(SourceActionSelectionError);
    expect(() => restoreSourceAction({ name: 'p', stages: [{ name: 'Source' }] } as PipelineDeclaration, { stageName: 'Source', actionName: 'App' }, action)).toThrow(SourceActionSelectionError);
  });

  it('counts only an AWS CodeStarSourceConnection source action with a ConnectionArn as pointing at the connection', () => {
    expect(pointsAtConnection(connectionSource(), CONNECTION)).toBe(true);
    for (const actionTypeId of [
      { category: 'Build', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
      { category: 'Source', owner: 'ThirdParty', provider: 'CodeStarSourceConnection', version: '1' },
      { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
      undefined,
    ]) {
      expect(pointsAtConnection(connectionSource({ actionTypeId }), CONNECTION), JSON.stringify(actionTypeId)).toBe(false);
      expect(isConnectionSource(connectionSource({ actionTypeId })), JSON.stringify(actionTypeId)).toBe(false);
    }
    expect(pointsAtConnection(connectionSource({ configuration: {} }), CONNECTION)).toBe(false);
    expect(pointsAtConnection(connectionSource({ configuration: undefined }), CONNECTION)).toBe(false);
    expect(pointsAtConnection(undefined, CONNECTION)).toBe(false);
  });

  it('tells connections in other partitions apart', () => {
    expect(sameConnection(CONNECTION, CONNECTION.replace('arn:aws:codestar-connections:', 'arn:aws-cn:codeconnections:'))).toBe(false);
    expect(sameConnection(CONNECTION, CONNECTION.replace('arn:aws:', 'arn:aws-us-gov:'))).toBe(false);
  });

  it('keeps the input artifacts a source action has none of, and adds none', () => {
    const withEmpty = pipeline([{ name: 'App', provider: 'S3' }]);
    withEmpty.stages![0]!.actions![0]!.inputArtifacts = [];
    expect(attachSourceConnection(withEmpty, { stageName: 'Source', actionName: 'App' }, SETTINGS).attachedAction.inputArtifacts).toEqual([]);
    const without = pipeline([{ name: 'App', provider: 'S3' }]);
    expect(attachSourceConnection(without, { stageName: 'Source', actionName: 'App' }, SETTINGS).attachedAction).not.toHaveProperty('inputArtifacts');
  });
});
