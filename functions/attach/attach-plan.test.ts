import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAttachment, planRestore, type AttachTarget, type AttachmentPlan, type AttachmentToUndo } from './attach-plan.ts';
import { diffDeclarations } from './declaration-diff.ts';
import { SourceActionSelectionError } from './errors.ts';
import { TriggerNotPossibleError, type TriggerFilters } from './triggers.ts';
import { CONNECTION, FIXTURES, OTHER_CONNECTION, SETTINGS, sourceLocations } from './test-fixtures.ts';

/** What the attach step records, as it would come back from DynamoDB (plain JSON). */
function recorded(plan: AttachmentPlan): AttachmentToUndo {
  return JSON.parse(JSON.stringify({ ...plan.location, actionChanged: plan.actionChanged, previousAction: plan.previousAction, trigger: plan.trigger })) as AttachmentToUndo;
}

const indexOf = (declaration: PipelineDeclaration, location: { stageName: string; actionName: string }) => {
  const stage = declaration.stages!.findIndex((candidate) => candidate.name === location.stageName);
  return { stage, action: declaration.stages![stage]!.actions!.findIndex((candidate) => candidate.name === location.actionName) };
};

const branch = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}(\/[a-z0-9-]{1,8})?$/);
const pattern = fc.stringMatching(/^[a-z*][a-z0-9*/.-]{0,15}$/);
const criteria = fc.record({ includes: fc.array(pattern, { minLength: 1, maxLength: 8 }) });
const triggerFilters: fc.Arbitrary<TriggerFilters> = fc.oneof(
  fc.record({ push: fc.array(fc.record({ branches: criteria }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ push: fc.array(fc.record({ tags: criteria }), { minLength: 1, maxLength: 3 }), pullRequest: fc.array(fc.record({ branches: criteria }), { minLength: 1, maxLength: 3 }) }),
);

const scenario = fc
  .record({
    fixture: fc.constantFrom(...FIXTURES),
    pick: fc.nat(),
    branchName: branch,
    repository: fc.constantFrom('platform/payments', 'team.a/service_b', 'Org-1/repo.js'),
    outputArtifactFormat: fc.constantFrom('CODE_ZIP' as const, 'CODEBUILD_CLONE_REF' as const),
    detectChanges: fc.boolean(),
    trigger: fc.option(triggerFilters, { nil: undefined }),
  })
  .map(({ fixture, pick, branchName, repository, outputArtifactFormat, detectChanges, trigger }) => {
    const locations = sourceLocations(fixture.declaration);
    const location = locations[pick % locations.length]!;
    const wantsTrigger = trigger !== undefined && fixture.declaration.pipelineType === 'V2';
    const target: AttachTarget = {
      connectionArn: CONNECTION,
      fullRepositoryId: repository,
      branchName,
      outputArtifactFormat,
      detectChanges,
      sourceActionName: location.actionName,
      ...(wantsTrigger ? { trigger } : {}),
    };
    return { declaration: fixture.declaration, location, target };
  });

describe('attaching: property tests over the fixture pipelines', () => {
  it('changes only the chosen source action (and its trigger), byte for byte everything else', () => {
    fc.assert(
      fc.property(scenario, ({ declaration, location, target }) => {
        const frozen = JSON.stringify(declaration);
        const plan = planAttachment(declaration, target);
        expect(JSON.stringify(declaration)).toBe(frozen); // the input is not mutated
        const after = plan.declaration!;
        expect(after).toBeDefined();

        const { stage, action } = indexOf(declaration, location);
        const ours = `/stages/${stage}/actions/${action}/`;
        for (const change of diffDeclarations(declaration, after)) {
          const allowed = change.path.startsWith(ours) || (target.trigger !== undefined && change.path.startsWith('/triggers'));
          expect(allowed, change.path).toBe(true);
        }
        // Every other stage and action serialises exactly as before.
        declaration.stages!.forEach((before, index) => {
          before.actions!.forEach((other, otherIndex) => {
            if (index === stage && otherIndex === action) return;
            expect(JSON.stringify(after.stages![index]!.actions![otherIndex])).toBe(JSON.stringify(other));
          });
          const { actions: _a, ...stageRest } = before;
          const { actions: _b, ...afterRest } = after.stages![index]!;
          expect(JSON.stringify(afterRest)).toBe(JSON.stringify(stageRest));
        });
        const { stages: _s, triggers: _t, ...rest } = declaration;
        const { stages: _s2, triggers: _t2, ...restAfter } = after;
        expect(JSON.stringify(restAfter)).toBe(JSON.stringify(rest));

        // The action keeps its identity and wiring.
        const converted = after.stages![stage]!.actions![action]!;
        const original = declaration.stages![stage]!.actions![action]!;
        expect(converted.name).toBe(original.name);
        expect(converted.outputArtifacts).toEqual(original.outputArtifacts);
        expect([converted.runOrder, converted.namespace, converted.roleArn, converted.region]).toEqual([original.runOrder, original.namespace, original.roleArn, original.region]);
        expect(converted.actionTypeId).toEqual({ category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' });
        expect(converted.configuration).toEqual({
          ConnectionArn: CONNECTION,
          FullRepositoryId: target.fullRepositoryId,
          BranchName: target.branchName,
          OutputArtifactFormat: target.outputArtifactFormat,
          DetectChanges: String(target.detectChanges),
        });

        // Triggers: exactly one for our action, the others untouched and in place.
        if (target.trigger) {
          const ourTriggers = after.triggers!.filter((trigger) => trigger.gitConfiguration?.sourceActionName === location.actionName);
          expect(ourTriggers).toHaveLength(1);
          const others = (triggers: PipelineDeclaration['triggers']) => JSON.stringify((triggers ?? []).filter((trigger) => trigger.gitConfiguration?.sourceActionName !== location.actionName));
          expect(others(after.triggers)).toBe(others(declaration.triggers));
        } else {
          expect(JSON.stringify(after.triggers)).toBe(JSON.stringify(declaration.triggers));
        }

        // Attaching again changes nothing.
        expect(planAttachment(after, target).declaration).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('restores the declaration exactly, byte for byte, from what the record keeps', () => {
    fc.assert(
      fc.property(scenario, ({ declaration, target }) => {
        const plan = planAttachment(declaration, target);
        const restored = planRestore(plan.declaration!, recorded(plan), CONNECTION);
        expect(restored.notes).toEqual([]);
        expect(JSON.stringify(restored.declaration)).toBe(JSON.stringify(declaration));
      }),
      { numRuns: 300 },
    );
  });

  it("restores only what is still ours: someone else's later change to the action or trigger stays", () => {
    fc.assert(
      fc.property(scenario, fc.boolean(), ({ declaration, location, target }, editTrigger) => {
        const plan = planAttachment(declaration, target);
        const edited = structuredClone(plan.declaration!);
        const { stage, action } = indexOf(declaration, location);
        if (editTrigger && target.trigger) {
          const trigger = edited.triggers!.find((candidate) => candidate.gitConfiguration?.sourceActionName === location.actionName)!;
          trigger.gitConfiguration!.push = [{ branches: { includes: ['someone-else'] } }];
          delete trigger.gitConfiguration!.pullRequest;
        } else {
          edited.stages![stage]!.actions![action]!.configuration!.ConnectionArn = CONNECTION.replace('7d2469ff', 'aaaaaaaa');
        }
        const restored = planRestore(edited, recorded(plan), CONNECTION);
        const movedAway = !(editTrigger && target.trigger);
        // An action moved to another connection keeps its trigger too (a note for each).
        expect(restored.notes).toHaveLength(movedAway && target.trigger ? 2 : 1);
        const result = restored.declaration ?? edited;
        if (editTrigger && target.trigger) {
          // The action came back; their trigger stayed.
          expect(result.stages![stage]!.actions![action]).toEqual(declaration.stages![stage]!.actions![action]);
          expect(result.triggers).toEqual(edited.triggers);
        } else {
          expect(result.stages![stage]!.actions![action]).toEqual(edited.stages![stage]!.actions![action]);
          expect(result.triggers).toEqual(edited.triggers);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('attaching: examples', () => {
  const v2 = FIXTURES.find((fixture) => fixture.title.startsWith('V2 already on a connection'))!.declaration;

  it('replaces the trigger of an action that had one where it stands, and leaves the other trigger alone', () => {
    const plan = planAttachment(v2, { ...SETTINGS, sourceActionName: 'Api', trigger: { push: [{ branches: { includes: ['main'] } }] } });
    expect(plan.declaration!.triggers!.map((trigger) => trigger.gitConfiguration!.sourceActionName)).toEqual(['Api', 'Web']);
    expect(plan.declaration!.triggers![0]!.gitConfiguration!.push).toEqual([{ branches: { includes: ['main'] } }]);
    expect(plan.trigger).toEqual({ previous: v2.triggers![0], attached: plan.declaration!.triggers![0], changed: true });
  });

  it('reports an action already attached as unchanged, so rollback leaves it alone', () => {
    const attached = planAttachment(v2, { ...SETTINGS, sourceActionName: 'Web' }).declaration!;
    const again = planAttachment(attached, { ...SETTINGS, sourceActionName: 'Web' });
    expect(again).toMatchObject({ actionChanged: false, declaration: undefined });
    expect(planRestore(attached, recorded(again), CONNECTION)).toEqual({ notes: [] });
  });

  it('refuses a trigger on a V1 pipeline and an ambiguous source action', () => {
    const v1 = FIXTURES[0]!.declaration;
    expect(() => planAttachment(v1, { ...SETTINGS, trigger: { push: [{ branches: { includes: ['main'] } }] } })).toThrow(TriggerNotPossibleError);
    expect(() => planAttachment(v2, SETTINGS)).toThrow(SourceActionSelectionError);
  });

  it('says so when the action is gone at rollback', () => {
    const plan = planAttachment(FIXTURES[0]!.declaration, SETTINGS);
    const renamed = structuredClone(plan.declaration!);
    renamed.stages![0]!.actions![0]!.name = 'Renamed';
    expect(planRestore(renamed, recorded(plan), CONNECTION)).toEqual({ notes: ['The source action Source/App is gone; nothing to restore.'] });
  });
});

describe('attaching: a trigger on an action that is already attached', () => {
  const v2 = FIXTURES.find((fixture) => fixture.title.startsWith('V2 already on a connection'))!.declaration;
  // The Api action already is a connection source with these settings (DetectChanges left to its default).
  const api: AttachTarget = { connectionArn: OTHER_CONNECTION, fullRepositoryId: 'platform/api', branchName: 'develop', outputArtifactFormat: 'CODE_ZIP', detectChanges: true, sourceActionName: 'Api' };
  const apiTrigger = { push: [{ branches: { includes: ['develop'] }, filePaths: { includes: ['api/**'] } }] };

  it('applies a trigger-only change, leaving the action exactly as it was', () => {
    const plan = planAttachment(v2, { ...api, trigger: { push: [{ branches: { includes: ['main'] } }] } });
    expect(plan).toMatchObject({ actionChanged: false, trigger: { changed: true } });
    expect(plan.declaration).toBeDefined();
    expect(JSON.stringify(plan.declaration!.stages)).toBe(JSON.stringify(v2.stages));
    expect(plan.declaration!.triggers!.map((trigger) => [trigger.gitConfiguration!.sourceActionName, trigger.gitConfiguration!.push])).toEqual([
      ['Api', [{ branches: { includes: ['main'] } }]],
      ['Web', undefined],
    ]);
    // Undoing it puts back the trigger only.
    const restored = planRestore(plan.declaration!, recorded(plan), OTHER_CONNECTION);
    expect(restored.notes).toEqual([]);
    expect(JSON.stringify(restored.declaration)).toBe(JSON.stringify(v2));
  });

  it('changes nothing when the action and its trigger already are as requested, however the filters are spelled', () => {
    expect(planAttachment(v2, { ...api, trigger: apiTrigger })).toMatchObject({ declaration: undefined, actionChanged: false, trigger: { changed: false } });
    // Parsed requests can carry members set to undefined, which AWS never returns.
    const spelled = { push: [{ branches: { includes: ['develop'], excludes: undefined }, filePaths: { includes: ['api/**'] }, tags: undefined }] };
    expect(planAttachment(v2, { ...api, trigger: spelled })).toMatchObject({ declaration: undefined, trigger: { changed: false } });
  });

  it('leaves a trigger that already is as requested byte for byte when only the action changes', () => {
    const reordered = structuredClone(v2);
    reordered.triggers![0] = { gitConfiguration: { push: apiTrigger.push, sourceActionName: 'Api' }, providerType: 'CodeStarSourceConnection' };
    const plan = planAttachment(reordered, { ...SETTINGS, sourceActionName: 'Api', trigger: apiTrigger });
    expect(plan).toMatchObject({ actionChanged: true, trigger: { changed: false } });
    expect(JSON.stringify(plan.declaration!.triggers)).toBe(JSON.stringify(reordered.triggers));
  });

  it('leaves the trigger alone, with a note, when the record does not say what trigger it set', () => {
    const plan = planAttachment(v2, { ...api, trigger: { push: [{ branches: { includes: ['main'] } }] } });
    const { attached: _attached, ...withoutAttached } = recorded(plan).trigger!;
    const restored = planRestore(plan.declaration!, { ...recorded(plan), trigger: withoutAttached as AttachmentToUndo['trigger'] }, OTHER_CONNECTION);
    expect(restored.declaration).toBeUndefined();
    expect(restored.notes).toHaveLength(1);
  });
});
