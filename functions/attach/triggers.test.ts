import type { PipelineDeclaration, PipelineTriggerDeclaration } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import {
  branchPushFilters,
  MAX_TRIGGERS_PER_PIPELINE,
  restoreSourceTrigger,
  setSourceTrigger,
  sourceTrigger,
  triggerOf,
  triggerProblem,
  TriggerNotPossibleError,
} from './triggers.ts';

const trigger = (sourceActionName: string, branch = 'main'): PipelineTriggerDeclaration => ({
  providerType: 'CodeStarSourceConnection',
  gitConfiguration: { sourceActionName, push: [{ branches: { includes: [branch] } }] },
});
const v2 = (triggers?: PipelineTriggerDeclaration[]): PipelineDeclaration => ({ name: 'p', roleArn: 'arn:aws:iam::111111111111:role/r', stages: [], pipelineType: 'V2', ...(triggers ? { triggers } : {}) });

describe('V2 triggers for the attached source action', () => {
  it('appends a trigger, or replaces the one the action has in place (one per source action)', () => {
    const added = setSourceTrigger(v2(), 'App', branchPushFilters('main'));
    expect(added.triggers).toEqual([trigger('App')]);
    const replaced = setSourceTrigger(v2([trigger('Other'), trigger('App', 'old'), trigger('Last')]), 'App', branchPushFilters('main'));
    expect(replaced.triggers).toEqual([trigger('Other'), trigger('App'), trigger('Last')]);
    const duplicates = setSourceTrigger(v2([trigger('App', 'a'), trigger('App', 'b')]), 'App', branchPushFilters('main'));
    expect(duplicates.triggers).toEqual([trigger('App')]);
  });

  it('stays within AWS limits: V2 only, at most 50 triggers, 3 push and 3 pull-request filters', () => {
    expect(triggerProblem({ ...v2(), pipelineType: 'V1' }, 'App', branchPushFilters('main'))).toMatch(/is V1; triggers need a V2 pipeline/);
    expect(triggerProblem({ ...v2(), pipelineType: undefined }, 'App', branchPushFilters('main'))).toMatch(/is V1/);
    const full = v2(Array.from({ length: MAX_TRIGGERS_PER_PIPELINE }, (_, index) => trigger(`S${index}`)));
    expect(triggerProblem(full, 'App', branchPushFilters('main'))).toMatch(/already has 50 triggers/);
    expect(triggerProblem(full, 'S3', branchPushFilters('main'))).toBeUndefined(); // replacing one is fine
    const four = { push: Array.from({ length: 4 }, () => ({ branches: { includes: ['x'] } })) };
    expect(triggerProblem(v2(), 'App', four)).toMatch(/at most 3 push/);
    const fourPullRequests = { pullRequest: Array.from({ length: 4 }, () => ({ branches: { includes: ['x'] } })) };
    expect(triggerProblem(v2(), 'App', fourPullRequests)).toBeDefined();
    expect(triggerProblem(v2(), 'App', { pullRequest: fourPullRequests.pullRequest.slice(1) })).toBeUndefined();
    expect(triggerProblem(v2(), 'App', {})).toMatch(/at least one/);
    expect(() => setSourceTrigger({ ...v2(), pipelineType: 'V1' }, 'App', branchPushFilters('main'))).toThrow(TriggerNotPossibleError);
  });

  it('restores the previous trigger, or removes ours (and the list when it was not there)', () => {
    const before = v2([trigger('Other'), trigger('App', 'old')]);
    const after = setSourceTrigger(before, 'App', branchPushFilters('main'));
    expect(restoreSourceTrigger(after, 'App', triggerOf(before, 'App'))).toEqual(before);
    const none = v2();
    const added = setSourceTrigger(none, 'App', branchPushFilters('main'));
    expect(restoreSourceTrigger(added, 'App', null)).toEqual(none);
    expect(JSON.stringify(restoreSourceTrigger(added, 'App', null))).toBe(JSON.stringify(none));
  });
});

describe('V2 triggers: filters and neighbours', () => {
  const pullRequests = [{ events: ['OPEN' as const, 'UPDATED' as const], branches: { includes: ['main'] } }];
  const pushes = [{ branches: { includes: ['main'] }, filePaths: { excludes: ['docs/**'] } }];
  // As a declaration read back without it: the type says AWS always sends gitConfiguration.
  const notGit = { providerType: 'CodeStarSourceConnection' } as PipelineTriggerDeclaration;

  it('keeps pull-request filters, alone or with push filters, and leaves out an empty kind', () => {
    expect(sourceTrigger('App', { pullRequest: pullRequests })).toEqual({ providerType: 'CodeStarSourceConnection', gitConfiguration: { sourceActionName: 'App', pullRequest: pullRequests } });
    expect(sourceTrigger('App', { push: pushes, pullRequest: pullRequests }).gitConfiguration).toEqual({ sourceActionName: 'App', push: pushes, pullRequest: pullRequests });
    expect(sourceTrigger('App', { push: pushes, pullRequest: [] }).gitConfiguration).toEqual({ sourceActionName: 'App', push: pushes });
    expect(setSourceTrigger(v2(), 'App', { pullRequest: pullRequests }).triggers![0]!.gitConfiguration!.pullRequest).toEqual(pullRequests);
  });

  it('copies the filters, so a later change to the request does not reach the declaration', () => {
    const filters = { push: structuredClone(pushes), pullRequest: structuredClone(pullRequests) };
    const trigger = sourceTrigger('App', filters);
    filters.push[0]!.branches.includes.push('other');
    filters.pullRequest[0]!.branches.includes.push('other');
    expect(trigger.gitConfiguration).toEqual({ sourceActionName: 'App', push: pushes, pullRequest: pullRequests });
  });

  it('accepts pull-request filters alone, and refuses more than 3 of them', () => {
    expect(triggerProblem(v2(), 'App', { pullRequest: pullRequests })).toBeUndefined();
    expect(triggerProblem(v2(), 'App', { push: [], pullRequest: pullRequests })).toBeUndefined();
    expect(triggerProblem(v2(), 'App', { pullRequest: Array.from({ length: 4 }, () => pullRequests[0]!) })).toBeDefined();
    expect(triggerProblem(v2(), 'App', { pullRequest: Array.from({ length: 3 }, () => pullRequests[0]!) })).toBeUndefined();
    expect(triggerProblem(v2(), 'App', { push: [], pullRequest: [] })).toBeDefined();
  });

  it('counts a pipeline with 49 other triggers as having room for ours', () => {
    const almost = v2(Array.from({ length: MAX_TRIGGERS_PER_PIPELINE - 1 }, (_, index) => trigger(`S${index}`)));
    expect(triggerProblem(almost, 'App', branchPushFilters('main'))).toBeUndefined();
    expect(triggerProblem(v2(), 'App', branchPushFilters('main'))).toBeUndefined();
  });

  it('refuses with an error callers can tell apart', () => {
    let thrown: unknown;
    try {
      setSourceTrigger({ ...v2(), pipelineType: 'V1' }, 'App', branchPushFilters('main'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ name: 'TriggerNotPossibleError', code: 'TriggerNotPossible' });
  });

  it('leaves triggers that are not for a Git source action alone', () => {
    const declaration = v2([notGit, trigger('Other')]);
    expect(triggerOf(declaration, 'App')).toBeNull();
    expect(triggerProblem(declaration, 'App', branchPushFilters('main'))).toBeUndefined();
    const set = setSourceTrigger(declaration, 'App', branchPushFilters('main'));
    expect(set.triggers).toEqual([notGit, trigger('Other'), trigger('App')]);
    expect(setSourceTrigger(v2([notGit, trigger('App', 'old')]), 'App', branchPushFilters('main')).triggers).toEqual([notGit, trigger('App')]);
    expect(restoreSourceTrigger(set, 'App', null).triggers).toEqual([notGit, trigger('Other')]);
    expect(restoreSourceTrigger(set, 'App', trigger('App', 'old')).triggers).toEqual([notGit, trigger('Other'), trigger('App', 'old')]);
  });

  it('removes only our trigger and keeps the others, in their order', () => {
    const ours = setSourceTrigger(v2([trigger('First'), trigger('Last')]), 'App', branchPushFilters('main'));
    expect(restoreSourceTrigger(ours, 'App', null).triggers).toEqual([trigger('First'), trigger('Last')]);
    const between = v2([trigger('First'), trigger('App'), trigger('Last')]);
    expect(restoreSourceTrigger(between, 'App', null).triggers).toEqual([trigger('First'), trigger('Last')]);
  });

  it('puts the previous trigger back even when someone removed ours meanwhile, and changes nothing when there was none', () => {
    expect(restoreSourceTrigger(v2(), 'App', trigger('App', 'old')).triggers).toEqual([trigger('App', 'old')]);
    expect(restoreSourceTrigger(v2([trigger('Other')]), 'App', trigger('App', 'old')).triggers).toEqual([trigger('Other'), trigger('App', 'old')]);
    const emptyList = v2([]);
    expect(JSON.stringify(restoreSourceTrigger(emptyList, 'App', null))).toBe(JSON.stringify(emptyList));
    expect(restoreSourceTrigger(v2([trigger('Other')]), 'App', null).triggers).toEqual([trigger('Other')]);
  });

  it('does not change the declaration it is given', () => {
    const declaration = v2([trigger('App', 'old')]);
    const frozen = JSON.stringify(declaration);
    setSourceTrigger(declaration, 'App', branchPushFilters('main'));
    restoreSourceTrigger(declaration, 'App', null);
    restoreSourceTrigger(declaration, 'App', trigger('App', 'new'));
    expect(JSON.stringify(declaration)).toBe(frozen);
  });
});
