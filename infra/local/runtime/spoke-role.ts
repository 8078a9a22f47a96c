import type { LocalResourceNames } from '../cloudformation-values.ts';
import { resolveDeep } from './template-roles.ts';

/**
 * infra/spoke-role.yml as CloudFormation would make it in one spoke account: the role's name,
 * trust policy and inline policies with every parameter and pseudo parameter resolved. Pure: the
 * caller parses the template (parseCloudFormationYaml) and creates the role (spoke-role-provisioning.ts).
 */
export interface SpokeRoleParameters {
  /** The account the stack instance is in (AWS::AccountId). */
  spokeAccountId: string;
  /** AWS::Region of the stack instance; the template names none, but CloudFormation always has one. */
  region?: string;
  /** Template parameters by name (HubAccountId, ExternalId, RoleName, …); the rest take their defaults. */
  parameters: Record<string, string | undefined>;
}

export interface ResolvedSpokeRole {
  roleName: string;
  description?: string;
  maxSessionDuration?: number;
  assumeRolePolicyDocument: Record<string, unknown>;
  policies: { policyName: string; policyDocument: Record<string, unknown> }[];
}

interface TemplateParameter {
  Type?: string;
  Default?: unknown;
  AllowedPattern?: string;
  AllowedValues?: unknown[];
  MinLength?: number;
  MaxLength?: number;
}

interface SpokeRoleTemplate {
  Parameters?: Record<string, TemplateParameter>;
  Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
}

export function resolveSpokeRole(template: unknown, { spokeAccountId, region = 'us-east-1', parameters }: SpokeRoleParameters): ResolvedSpokeRole {
  const { Parameters: declared = {}, Resources: resources = {} } = (template ?? {}) as SpokeRoleTemplate;
  const unknown = Object.keys(parameters).filter((name) => parameters[name] !== undefined && !(name in declared));
  // CloudFormation refuses a parameter the template does not declare.
  if (unknown.length > 0) throw new Error(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const values = Object.fromEntries(Object.entries(declared).map(([name, declaration]) => [name, parameterValue(name, declaration, parameters[name])]));

  const roles = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::IAM::Role');
  if (roles.length !== 1) throw new Error(`expected one AWS::IAM::Role in the spoke role template, found ${roles.length}`);
  const [logicalId, role] = roles[0]!;
  const properties = role.Properties ?? {};
  if (((properties.ManagedPolicyArns ?? []) as unknown[]).length > 0 || properties.PermissionsBoundary !== undefined) {
    throw new Error(`${logicalId}: managed policies and permissions boundaries are not modelled locally`);
  }
  const names: LocalResourceNames = { accountId: spokeAccountId, region, refs: values, attributes: {} };
  const resolved = resolveDeep(properties, names) as Record<string, unknown>;
  if (typeof resolved.RoleName !== 'string') throw new Error(`${logicalId}: the spoke role needs a RoleName (the hub assumes it by name)`);
  return {
    roleName: resolved.RoleName,
    ...(typeof resolved.Description === 'string' ? { description: resolved.Description } : {}),
    ...(resolved.MaxSessionDuration === undefined ? {} : { maxSessionDuration: Number(resolved.MaxSessionDuration) }),
    assumeRolePolicyDocument: resolved.AssumeRolePolicyDocument as Record<string, unknown>,
    policies: ((resolved.Policies ?? []) as { PolicyName: string; PolicyDocument: Record<string, unknown> }[]).map((policy) => ({
      policyName: policy.PolicyName,
      policyDocument: policy.PolicyDocument,
    })),
  };
}

/** The value CloudFormation would use, checked against the declaration as CloudFormation checks it. */
function parameterValue(name: string, declaration: TemplateParameter, given: string | undefined): string {
  const value = given ?? (declaration.Default === undefined ? undefined : String(declaration.Default));
  if (value === undefined) throw new Error(`Parameters: [${name}] must have values`);
  const refuse = (why: string) => new Error(`Parameter '${name}' ${why}`);
  if (declaration.MinLength !== undefined && value.length < declaration.MinLength) throw refuse(`must contain at least ${declaration.MinLength} characters`);
  if (declaration.MaxLength !== undefined && value.length > declaration.MaxLength) throw refuse(`must contain at most ${declaration.MaxLength} characters`);
  // AllowedPattern must match the whole value (CloudFormation uses Java's String.matches).
  if (declaration.AllowedPattern !== undefined && !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(value)) {
    throw refuse(`must match pattern ${declaration.AllowedPattern}`);
  }
  if (declaration.AllowedValues !== undefined && !declaration.AllowedValues.map(String).includes(value)) {
    throw refuse(`must be one of AllowedValues`);
  }
  return value;
}
