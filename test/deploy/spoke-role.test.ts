import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCloudFormationYaml } from './cfn-yaml.ts';
import type { CfnTemplate, PolicyStatement } from './template.ts';
import { asList, getAttTarget, lambdaFunctions, policyStatements } from './template.ts';
import { resolveCloudFormationValue, type LocalResourceNames } from '../../infra/local/cloudformation-values.ts';
import { ensureLocalPackage } from '../../infra/local/runtime/local-package.ts';
import { resolveSpokeRole, type ResolvedSpokeRole } from '../../infra/local/runtime/spoke-role.ts';
import { resolveDeep } from '../../infra/local/runtime/template-roles.ts';

/**
 * infra/spoke-role.yml, the role every spoke account has (a StackSet): the hub's functions act there
 * as it, so it must allow exactly what their own roles allow in the broker's account, for the
 * services that live in the target account, with the same scoping (in the spoke's account, any
 * Region) and the same conditions. A permission added to a function in serverless.yml and not to
 * the spoke role fails here, naming the action.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const templatePath = join(repoRoot, 'infra', 'spoke-role.yml');
const spokeTemplate = parseCloudFormationYaml(readFileSync(templatePath, 'utf8')) as {
  Parameters: Record<string, { Default?: string }>;
  Outputs: Record<string, { Value: unknown }>;
};

/** The services the hub's functions call in the target account: the spoke role's. */
const SPOKE_SERVICES = ['codestar-connections', 'codeconnections', 'codepipeline', 'iam', 'codebuild', 'ec2', 'cloudformation'];
/** What the functions call in the hub only: their table, workflows, Slack secret, logs, traces, and assuming the spoke roles. */
const HUB_SERVICES = ['dynamodb', 'states', 'secretsmanager', 'logs', 'xray', 'sts', 'ram'];

const ACCOUNT = '123456789012';
const HUB_ACCOUNT = '111111111111';
const serviceOf = (action: string) => action.slice(0, action.indexOf(':'));

let hubTemplate: CfnTemplate;
let spoke: ResolvedSpokeRole;

beforeAll(async () => {
  // The same package the local system runs (stage local): `.local/package/<hash>/`, built once per change of the sources.
  hubTemplate = (await ensureLocalPackage(repoRoot, { stage: 'local', region: 'us-east-1' })).template as CfnTemplate;
  spoke = resolveSpokeRole(spokeTemplate, { spokeAccountId: ACCOUNT, parameters: { HubAccountId: HUB_ACCOUNT, ExternalId: 'connection-broker-local' } });
}, 600_000);

/** The hub's function roles: each function's role, its policies resolved in one account with the Region left open. */
function hubFunctionRoles(): { functionId: string; roleName: string; statements: PolicyStatement[] }[] {
  // The hub's own resources (its table, state machines) stay placeholders: only the spoke services' ARNs are compared.
  const placeholder = new Proxy({}, { get: (_target, key) => `{${String(key)}}` }) as Record<string, string>;
  const anyRegion: LocalResourceNames = { accountId: ACCOUNT, region: '*', refs: placeholder, attributes: placeholder };
  return lambdaFunctions(hubTemplate).map(([functionId, fn]) => {
    const roleId = getAttTarget((fn as unknown as { Role: unknown }).Role);
    const role = roleId === undefined ? undefined : hubTemplate.Resources[roleId];
    if (!role) throw new Error(`${functionId}: its role is not a role of the template`);
    const roleName = resolveCloudFormationValue(role.Properties?.RoleName, { ...anyRegion, region: 'us-east-1' });
    return { functionId, roleName, statements: policyStatements(resolveDeep(role.Properties?.Policies, anyRegion), roleId!) };
  });
}

/** action → the resource and condition pairs statements of this effect grant it on ("resource | condition"). */
function grants(statements: PolicyStatement[], effect: 'Allow' | 'Deny', services = SPOKE_SERVICES): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const statement of statements) {
    if (statement.Effect !== effect) continue;
    expect(statement.NotAction, `${statement.path}: NotAction`).toBeUndefined();
    for (const action of asList(statement.Action)) {
      if (!services.includes(serviceOf(action))) continue;
      const scopes = result.get(action) ?? new Set<string>();
      for (const resource of asList(statement.Resource as string | string[])) scopes.add(`${resource} | ${JSON.stringify(statement.Condition ?? {})}`);
      result.set(action, scopes);
    }
  }
  return result;
}

const spokeStatements = (): PolicyStatement[] => spoke.policies.flatMap((policy, index) => policyStatements(policy.policyDocument, `Policies[${index}]`));
const hubStatements = (): PolicyStatement[] => hubFunctionRoles().flatMap((role) => role.statements);
const sorted = (scopes: Set<string> | undefined) => [...(scopes ?? [])].sort();

/** IAM's wildcard match (ArnLike, StringLike): * any run of characters, ? one. */
function wildcardMatches(pattern: string, value: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

describe('cfn-lint', () => {
  it('reports no errors, warnings or informational findings on infra/spoke-role.yml', (context) => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      const message =
        'cfn-lint is not on PATH, so infra/spoke-role.yml was NOT linted. ' +
        'Install it with `pip install cfn-lint` (1.x), or set ALLOW_MISSING_CFN_LINT=1 to skip this check.';
      if (process.env.ALLOW_MISSING_CFN_LINT === '1') {
        console.warn(`WARNING: ${message}`);
        context.skip(message);
      }
      throw new Error(message);
    }
    const lint = spawnSync('cfn-lint', ['--non-zero-exit-code', 'informational', '--', templatePath], { encoding: 'utf8', timeout: 90_000 });
    const output = `${lint.stdout}${lint.stderr}${lint.error ?? ''}`;
    expect(lint.status, `${version.stdout.trim()} found problems:\n${output}`).toBe(0);
  }, 100_000);
});

describe('the spoke role (infra/spoke-role.yml)', () => {
  it('allows every action the hub functions call in a target account, on the same resources under the same conditions', () => {
    const hub = grants(hubStatements(), 'Allow');
    const own = grants(spokeStatements(), 'Allow');
    // Beyond the hub's own scopes, the spoke passes the hub's shared CodeConnections connections to its pipelines (AWS RAM).
    for (const action of ['codestar-connections:PassConnection', 'codeconnections:PassConnection']) {
      const shared = [...(own.get(action) ?? [])].filter((scope) => scope.startsWith(`arn:aws:codeconnections:*:${HUB_ACCOUNT}:connection/* |`));
      expect(shared, `${action}: the hub's shared connections`).toHaveLength(1);
      own.get(action)!.delete(shared[0]!);
    }
    expect(hub.size, 'the hub functions allow no action of the spoke services: is this the packaged template?').toBeGreaterThan(10);
    for (const [action, scopes] of hub) {
      expect(own.has(action), `the hub's functions call ${action} (serverless.yml) but infra/spoke-role.yml does not allow it`).toBe(true);
      expect(sorted(own.get(action)), `${action}: infra/spoke-role.yml scopes it otherwise than serverless.yml ("resource | condition", in one account, any Region)`).toEqual(
        sorted(scopes),
      );
    }
  });

  it('allows nothing the hub functions do not call', () => {
    const hub = grants(hubStatements(), 'Allow');
    const own = grants(spokeStatements(), 'Allow', [...SPOKE_SERVICES, ...HUB_SERVICES, '*']);
    for (const statement of spokeStatements()) {
      for (const action of asList(statement.Action)) expect(action, `${statement.path}: a wildcard action`).not.toMatch(/\*/);
    }
    for (const action of own.keys()) {
      expect(hub.has(action), `infra/spoke-role.yml allows ${action}, which no hub function's role allows`).toBe(true);
    }
  });

  it("holds every action a hub function role allows either in the spoke role or among the hub's own services", () => {
    const all = grants(hubStatements(), 'Allow', [...SPOKE_SERVICES, ...HUB_SERVICES, ...new Set(hubStatements().flatMap((statement) => asList(statement.Action).map(serviceOf)))]);
    for (const action of all.keys()) {
      expect(
        [...SPOKE_SERVICES, ...HUB_SERVICES],
        `a hub function calls ${action}: decide whether it acts in the target account (add it to infra/spoke-role.yml and SPOKE_SERVICES) or in the hub (HUB_SERVICES)`,
      ).toContain(serviceOf(action));
    }
  });

  it("denies what the hub denies, and never lets the broker rewrite its own roles' policies", () => {
    const hubDenied = grants(hubStatements(), 'Deny');
    const spokeDenied = grants(spokeStatements(), 'Deny');
    for (const action of hubDenied.keys()) expect(spokeDenied.has(action), `the hub denies ${action}; the spoke role does not`).toBe(true);
    for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy']) {
      expect(sorted(spokeDenied.get(action))).toEqual(
        sorted(new Set([`arn:aws:iam::${ACCOUNT}:role/connection-broker-spoke | {}`, `arn:aws:iam::${ACCOUNT}:role/connection-broker-* | {}`])),
      );
    }
  });

  it("trusts only the hub's function roles, with the external id", () => {
    expect(spoke.maxSessionDuration).toBe(3600);
    const [statement, ...others] = asList((spoke.assumeRolePolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
    expect(others).toEqual([]);
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${HUB_ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'connection-broker-local' }, ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${HUB_ACCOUNT}:role/connection-broker-*` } },
    });
    // Every function that may assume the spoke role runs as a role the pattern admits.
    const pattern = spokeTemplate.Parameters.HubRolePattern?.Default ?? '';
    const assumers = hubFunctionRoles().filter((role) => role.statements.some((s) => s.Effect === 'Allow' && asList(s.Action).includes('sts:AssumeRole')));
    expect(assumers.length, 'no hub function may assume a spoke role').toBeGreaterThan(0);
    for (const role of assumers) expect(wildcardMatches(pattern, role.roleName), `${role.functionId} runs as ${role.roleName}`).toBe(true);
  });

  it('is the role the hub functions may assume, and its ARN is an output', () => {
    const roleName = spokeTemplate.Parameters.RoleName?.Default;
    expect(spoke.roleName).toBe(roleName);
    const assumable = hubStatements()
      .filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).includes('sts:AssumeRole'))
      .flatMap((statement) => asList(statement.Resource as string | string[]));
    expect(new Set(assumable)).toEqual(new Set([`arn:aws:iam::*:role/${roleName}`]));
    expect(spokeTemplate.Outputs.RoleArn?.Value).toEqual({ 'Fn::GetAtt': ['SpokeRole', 'Arn'] });
  });

  it("fits IAM's quota for a role's inline policies (10,240 characters, whitespace not counted)", () => {
    const size = spoke.policies.reduce((sum, policy) => sum + JSON.stringify(policy.policyDocument).length + policy.policyName.length, 0);
    expect(size).toBeLessThan(10_240);
  });
});
