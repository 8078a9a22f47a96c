import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCloudFormationYaml } from '../../infra/local/cloudformation-yaml.ts';
import { resolveSpokeRole } from '../../infra/local/runtime/spoke-role.ts';
import { spokeRoleParameters } from '../../infra/local/runtime/spoke-role-provisioning.ts';

const template = parseCloudFormationYaml(readFileSync(new URL('../../infra/spoke-role.yml', import.meta.url), 'utf8'));
const HUB = '111111111111';
const SPOKE = '222222222222';

const resolve = (parameters: Record<string, string | undefined>) => resolveSpokeRole(template, { spokeAccountId: SPOKE, parameters });

describe('resolveSpokeRole (infra/spoke-role.yml as CloudFormation makes it in one account)', () => {
  it('resolves the trust policy to the hub account, the external id and the hub role pattern', () => {
    const role = resolve({ HubAccountId: HUB, ExternalId: 'connection-broker-local' });
    expect(role.roleName).toBe('connection-broker-spoke');
    expect(role.maxSessionDuration).toBe(3600);
    expect(role.assumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'HubFunctionRolesWithTheExternalId',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${HUB}:root` },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'sts:ExternalId': 'connection-broker-local' },
            ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${HUB}:role/connection-broker-*` },
          },
        },
      ],
    });
  });

  it("scopes the inline policy to the spoke's own account, any Region, leaving no intrinsic behind (but passing the hub's shared connections)", () => {
    const role = resolve({ HubAccountId: HUB, ExternalId: 'connection-broker-local', GrantableRoles: 'role/pipelines/*' });
    expect(role.policies).toHaveLength(1);
    const text = JSON.stringify(role.policies[0]!.policyDocument);
    expect(text).not.toMatch(/Fn::|"Ref"|\$\{/);
    const statements = (role.policies[0]!.policyDocument as { Statement: { Sid: string; Resource: string | string[] }[] }).Statement;
    // A shared request puts the hub's connection into this account's pipeline: PassConnection on it, and nothing else of the hub's.
    const hubConnections = `arn:aws:codeconnections:*:${HUB}:connection/*`;
    for (const sid of ['PassConnectionToPipeline', 'PassCodeconnectionsConnectionToPipeline']) {
      expect([statements.find((statement) => statement.Sid === sid)?.Resource].flat()).toContain(hubConnections);
    }
    const resources = statements.flatMap((statement) => [statement.Resource].flat()).filter((resource) => resource !== '*' && resource !== hubConnections);
    expect(resources.length).toBeGreaterThan(0);
    for (const resource of resources) expect(resource).toMatch(new RegExp(`^arn:aws:[a-z-]+:(\\*)?:${SPOKE}:`));
    expect(statements.find((statement) => statement.Sid === 'ReadHosts')?.Resource).toEqual([
      `arn:aws:codestar-connections:*:${SPOKE}:host/*`,
      `arn:aws:codeconnections:*:${SPOKE}:host/*`,
    ]);
    expect(statements.find((statement) => statement.Sid === 'GrantUseConnection')?.Resource).toBe(`arn:aws:iam::${SPOKE}:role/pipelines/*`);
    expect(statements.find((statement) => statement.Sid === 'NeverTheBrokersOwnRoles')?.Resource).toEqual([
      `arn:aws:iam::${SPOKE}:role/connection-broker-spoke`,
      `arn:aws:iam::${SPOKE}:role/connection-broker-*`,
    ]);
  });

  it('takes the role name and hub role pattern it is given', () => {
    const role = resolve({ HubAccountId: HUB, ExternalId: 'x1', RoleName: 'broker-spoke', HubRolePattern: 'connection-broker-prod-*' });
    expect(role.roleName).toBe('broker-spoke');
    expect(JSON.stringify(role.assumeRolePolicyDocument)).toContain(`arn:aws:iam::${HUB}:role/connection-broker-prod-*`);
    expect(JSON.stringify(role.policies)).toContain(`arn:aws:iam::${SPOKE}:role/broker-spoke"`);
  });

  it('refuses what CloudFormation refuses: a missing, too short, ill-formed or undeclared parameter', () => {
    expect(() => resolve({ HubAccountId: HUB })).toThrow("Parameters: [ExternalId] must have values");
    expect(() => resolve({ HubAccountId: HUB, ExternalId: 'x' })).toThrow("Parameter 'ExternalId' must contain at least 2 characters");
    expect(() => resolve({ HubAccountId: HUB, ExternalId: 'has space' })).toThrow("Parameter 'ExternalId' must match pattern");
    expect(() => resolve({ HubAccountId: '1234', ExternalId: 'ok' })).toThrow("Parameter 'HubAccountId' must match pattern");
    expect(() => resolve({ HubAccountId: HUB, ExternalId: 'ok', Region: 'eu-west-1' })).toThrow('Parameters: [Region] do not exist in the template');
  });

  it('refuses wide grantable roles, as the hub refuses them at package time', () => {
    for (const wide of ['role/*', 'role/team-*', '*', 'role/*/pipelines/*', 'role//x']) {
      expect(() => resolve({ HubAccountId: HUB, ExternalId: 'ok', GrantableRoles: wide }), wide).toThrow("Parameter 'GrantableRoles' must match pattern");
    }
    for (const narrow of ['role/service-role/*', 'role/orders-pipeline-role', 'role/pipelines/team-a-*', 'role/a/b/c-?']) {
      expect(() => resolve({ HubAccountId: HUB, ExternalId: 'ok', GrantableRoles: narrow }), narrow).not.toThrow();
    }
  });

  it("is given the functions' external id and role name, the hub's account, and defaults for the rest", () => {
    expect(spokeRoleParameters(HUB, { SPOKE_EXTERNAL_ID: 'connection-broker-local', SPOKE_ROLE_NAME: 'connection-broker-spoke' })).toEqual({
      HubAccountId: HUB,
      ExternalId: 'connection-broker-local',
      RoleName: 'connection-broker-spoke',
    });
    expect(spokeRoleParameters(HUB, { SPOKE_EXTERNAL_ID: 'e1', SPOKE_ROLE_NAME: '' }).RoleName).toBeUndefined();
  });
});
