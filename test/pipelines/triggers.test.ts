import type { PipelineDeclaration, PipelineTriggerDeclaration } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import {
  branchPushFilters,
  MAX_TRIGGERS_PER_PIPELINE,
  restoreSourceTrigger,
  setSourceTrigger,
  triggerOf,
  triggerProblem,
  TriggerNotPossibleError,
} from '../../functions/pipelines/triggers.ts';

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
