import { describe, expect, it } from 'vitest';
import { planConnectionTeam, TEAM_TAG_KEY } from './tag-based-grant.ts';
import { missingPermissionsAsk } from '../request/next-action.ts';

// Who must act on what planConnectionTeam finds: the decisions a changed detail or check would move.
const CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/c1';
const role = (name: string, tags: Record<string, string> | 'missing') => ({ roleArn: `arn:aws:iam::111111111111:role/${name}`, purpose: 'pipeline role', tags });

describe('the tag-based grant: who must act', () => {
  it('sends the requester to fix the pipeline when a role it names does not exist', () => {
    const plan = planConnectionTeam([role('payments', { [TEAM_TAG_KEY]: 'payments' }), role('gone', 'missing')], CONNECTION);
    expect(plan.team).toBe('payments');
    expect(missingPermissionsAsk(plan.findings, 'tag-based').actor).toBe('requester');
  });

  it('asks a platform administrator to tag a role with no team, or an empty one', () => {
    for (const tags of [{}, { [TEAM_TAG_KEY]: '' }] as Record<string, string>[]) {
      const plan = planConnectionTeam([role('untagged', tags), role('payments', { [TEAM_TAG_KEY]: 'payments' })], CONNECTION);
      expect(plan.team, JSON.stringify(tags)).toBe('payments');
      expect(plan.findings.map((finding) => finding.roleArn)).toEqual(['arn:aws:iam::111111111111:role/untagged']);
      expect(missingPermissionsAsk(plan.findings, 'tag-based').actor).toBe('platform-admin');
    }
  });
});
