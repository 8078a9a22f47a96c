import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../audit/model.ts';
import { evaluate } from '../audit/rules/index.ts';
import { evaluatePolicies } from './policy-evaluator.ts';
import { planConnectionTeam, TEAM_TAG_KEY, useConnectionContext } from './tag-based-grant.ts';
import { missingUseConnection } from './use-connection.ts';
import { connection, connectionArn, context, inventory, pipeline, record } from '../audit/test-fixtures.ts';

/** The policy the platform installs once on each pipeline role (GRANT_PIPELINE_PERMISSIONS=tag-based). */
const TEMPLATE = JSON.parse(readFileSync(new URL('../../infra/iam/pipeline-role-use-tagged-connections.json', import.meta.url), 'utf8')) as unknown;
const CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/c1';
const OURS = { 'managed-by': 'connection-broker' };

const missingFor = (roleTags: Record<string, string>, connectionTags: Record<string, string>) =>
  missingUseConnection([TEMPLATE], CONNECTION, useConnectionContext(roleTags, connectionTags)).map(({ action, verdict }) => `${action} ${verdict}`);

describe('the tag-based grant policy (infra/iam/pipeline-role-use-tagged-connections.json)', () => {
  it("lets a role use, under both prefixes, a connection of ours tagged for the role's own team", () => {
    expect(missingFor({ [TEAM_TAG_KEY]: 'payments' }, { ...OURS, [TEAM_TAG_KEY]: 'payments' })).toEqual([]);
  });

  it("refuses another team's connection, an untagged connection, a role with no team, and a connection not made by the broker", () => {
    const refused = ['codestar-connections:UseConnection not-allowed', 'codeconnections:UseConnection not-allowed'];
    expect(missingFor({ [TEAM_TAG_KEY]: 'payments' }, { ...OURS, [TEAM_TAG_KEY]: 'orders' })).toEqual(refused);
    expect(missingFor({ [TEAM_TAG_KEY]: 'payments' }, OURS)).toEqual(refused);
    expect(missingFor({}, { ...OURS, [TEAM_TAG_KEY]: 'payments' })).toEqual(refused);
    expect(missingFor({ [TEAM_TAG_KEY]: 'payments' }, { [TEAM_TAG_KEY]: 'payments' })).toEqual(refused);
  });

  it('is only "conditional" when the tags are not known', () => {
    expect(missingUseConnection([TEMPLATE], CONNECTION).map(({ verdict }) => verdict)).toEqual(['conditional', 'conditional']);
  });
});

describe('conditions the policy evaluator decides', () => {
  const allowIf = (condition: Record<string, unknown>, version = '2012-10-17') => ({
    Version: version,
    Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*', Condition: condition }],
  });
  const verdict = (document: unknown, tags: Record<string, string>) => evaluatePolicies([document], 'codeconnections:UseConnection', CONNECTION, tags);

  it('substitutes policy variables only in 2012-10-17 documents', () => {
    const sameTeam = { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } };
    expect(verdict(allowIf(sameTeam), { 'aws:ResourceTag/team': 'a', 'aws:PrincipalTag/team': 'a' })).toBe('allowed');
    expect(verdict(allowIf(sameTeam, '2008-10-17'), { 'aws:ResourceTag/team': 'a', 'aws:PrincipalTag/team': 'a' })).toBe('not-allowed');
    expect(verdict(allowIf(sameTeam, '2008-10-17'), { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' })).toBe('allowed');
  });

  it('matches condition key names case-insensitively, and StringLike with wildcards', () => {
    expect(verdict(allowIf({ StringEquals: { 'AWS:resourcetag/team': 'a' } }), { 'aws:ResourceTag/team': 'a' })).toBe('allowed');
    expect(verdict(allowIf({ StringEquals: { 'aws:ResourceTag/team': 'a' } }), { 'aws:ResourceTag/team': 'A' })).toBe('not-allowed');
    expect(verdict(allowIf({ StringLike: { 'aws:ResourceTag/team': 'pay*' } }), { 'aws:ResourceTag/team': 'payments' })).toBe('allowed');
    expect(verdict(allowIf({ StringLike: { 'aws:ResourceTag/team': 'pay*' } }), { 'aws:ResourceTag/team': 'orders' })).toBe('not-allowed');
  });

  it('leaves what it cannot decide conditional: other keys, other operators, a Deny it cannot judge', () => {
    expect(verdict(allowIf({ StringEquals: { 'codestar-connections:FullRepositoryId': 'o/r' } }), {})).toBe('conditional');
    expect(verdict(allowIf({ StringNotEquals: { 'aws:ResourceTag/team': 'a' } }), { 'aws:ResourceTag/team': 'b' })).toBe('conditional');
    const denyUnknown = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    };
    expect(verdict(denyUnknown, {})).toBe('conditional');
    const denyOtherTeam = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'secret' } } },
      ],
    };
    expect(verdict(denyOtherTeam, { 'aws:ResourceTag/team': 'secret' })).toBe('explicitly-denied');
    expect(verdict(denyOtherTeam, { 'aws:ResourceTag/team': 'open' })).toBe('allowed');
  });
});

describe('the team a connection is tagged for', () => {
  const role = (name: string, tags: Record<string, string> | 'missing', purpose = 'pipeline role') => ({ roleArn: `arn:aws:iam::111111111111:role/${name}`, purpose, tags });

  it("is the roles' team; a role without one, a missing role and a role of another team are reported", () => {
    const plan = planConnectionTeam(
      [role('source', { [TEAM_TAG_KEY]: 'payments' }), role('build', { [TEAM_TAG_KEY]: 'payments' }, 'CodeBuild project b'), role('other', { [TEAM_TAG_KEY]: 'orders' }), role('untagged', {}), role('gone', 'missing')],
      CONNECTION,
    );
    expect(plan.team).toBe('payments');
    expect(plan.findings.map((finding) => finding.roleArn.split('/').at(-1))).toEqual(['other', 'untagged', 'gone']);
    for (const finding of plan.findings) expect(finding.missing).toHaveLength(2);
  });

  it('is none when no role says its team', () => {
    expect(planConnectionTeam([role('untagged', { other: 'x' })], CONNECTION)).toMatchObject({ team: undefined, findings: [{ roleArn: expect.stringContaining('untagged') }] });
  });
});

describe('the auditor, with the tag-based grant', () => {
  const attached = record('r1', {
    connectionArn: connectionArn('c1'),
    pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
    attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
  });
  const audit = (roleTeam: string | undefined, connectionTeam: string | undefined): Inventory =>
    inventory({
      requests: [attached],
      pipelines: [pipeline('payments', connectionArn('c1'))],
      connections: [connection('c1', { tags: { ...OURS, ...(connectionTeam ? { [TEAM_TAG_KEY]: connectionTeam } : {}) } })],
      roles: { 'payments-role': { roleName: 'payments-role', exists: true, policies: [{ name: 'tagged', document: TEMPLATE }], tags: roleTeam ? { [TEAM_TAG_KEY]: roleTeam } : {} } },
    });
  const lacking = (input: Inventory) => evaluate(input, context).filter((finding) => finding.type === 'ROLE_LACKS_USE_CONNECTION');

  it('is quiet while the role and the connection carry the same team, and reports a retagged one', () => {
    expect(lacking(audit('payments', 'payments'))).toEqual([]);
    expect(lacking(audit('payments', 'orders'))).toMatchObject([{ resource: 'payments-role', severity: 'high' }]);
    expect(lacking(audit(undefined, 'payments'))).toHaveLength(1);
  });
});
