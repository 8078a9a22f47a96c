import { AwsServiceError, ControlApiError } from '../../errors.ts';
import { requiredString } from '../../control/router.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { assertNoReservedTags, assertUniqueTagKeys, InputReader, PATH, POLICY_NAME, ROLE_NAME, type StringShape } from './input.ts';
import { createRole, deleteInlinePolicy, putInlinePolicy, requireRole, requireValidTrustPolicy, ROLE_TAG_QUOTA } from './roles.ts';
import { accountState, roleChanged, type IamAccountState, type StoredRole, type StoredTag } from './state.ts';

/** Trust policy of a seeded role when the body names none: CodePipeline may assume it. */
export const DEFAULT_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/**
 * Set-up and drift for tests: seed a role with its policies in one call, and remove a policy the
 * way someone in the console would, behind the back of whatever granted it.
 */
export function iamControlRoutes({ store, clock }: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'POST',
      path: '/roles',
      summary: 'Seed an IAM role {roleName, path?, assumeRolePolicyDocument?, inlinePolicies?: {name: document}, tags?: {key: value}}',
      handle: ({ body, accountId }) => {
        const roleName = requiredString(body, 'roleName');
        checkName(roleName, ROLE_NAME, 'roleName');
        const path = optionalPath(body);
        const trustPolicy = documentText(body.assumeRolePolicyDocument ?? DEFAULT_TRUST_POLICY, 'assumeRolePolicyDocument');
        const policies = inlinePolicies(body.inlinePolicies);
        const tags = roleTags(body.tags);
        asControlError('assumeRolePolicyDocument', () => requireValidTrustPolicy(trustPolicy));
        const state = accountState(store, accountId);
        const role = asControlError('roleName', () =>
          createRole(state, accountId, { roleName, path, assumeRolePolicyDocument: trustPolicy, tags }, clock.nowMs()),
        );
        try {
          for (const [policyName, document] of policies) {
            asControlError(`inlinePolicies.${policyName}`, () => putInlinePolicy(role, policyName, document));
          }
        } catch (error) {
          // Seeding is all or nothing: a rejected policy leaves no half-made role behind.
          state.roles = state.roles.filter((candidate) => candidate !== role);
          throw error;
        }
        roleChanged(store, state, role);
        return { role: roleSummary(role) };
      },
    },
    {
      method: 'DELETE',
      path: '/roles/:name/policies/:policyName',
      summary: "Remove one of a role's inline policies out of band (permission drift)",
      handle: ({ params, accountId }) => {
        const state: IamAccountState = accountState(store, accountId);
        const role = asControlError('name', () => requireRole(state, params.name!));
        asControlError('policyName', () => deleteInlinePolicy(role, params.policyName!));
        roleChanged(store, state, role);
        return { role: roleSummary(role) };
      },
    },
  ];
}

/** What the control API and the inventory show of a role. */
export function roleSummary(role: StoredRole): { name: string; arn: string; policies: string[] } {
  return { name: role.roleName, arn: role.arn, policies: role.inlinePolicies.map((policy) => policy.policyName) };
}

function optionalPath(body: Record<string, unknown>): string | undefined {
  if (body.path === undefined) return undefined;
  if (typeof body.path !== 'string') throw invalid('path', 'path must be a string such as "/service-role/"');
  checkName(body.path, PATH, 'path');
  return body.path;
}

function inlinePolicies(value: unknown): [string, string][] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('inlinePolicies', 'inlinePolicies must be an object mapping policy names to policy documents');
  }
  return Object.entries(value as Record<string, unknown>).map(([policyName, document]) => {
    checkName(policyName, POLICY_NAME, `inlinePolicies.${policyName}`);
    return [policyName, documentText(document, `inlinePolicies.${policyName}`)];
  });
}

/**
 * `{key: value}` as the role's tags, held to CreateRole's rules: IAM's key and value constraints, at
 * most 50, keys unique without regard to case, nothing beginning with `aws:`.
 */
function roleTags(value: unknown): StoredTag[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw invalid('tags', 'tags must be an object mapping tag keys to string values');
  }
  const tags = Object.entries(value as Record<string, string>).map(([Key, Value]) => ({ Key, Value }));
  if (tags.length > ROLE_TAG_QUOTA) throw invalid('tags', `a role can have at most ${ROLE_TAG_QUOTA} tags`);
  asControlError('tags', () => {
    const reader = new InputReader({ Tags: tags });
    reader.tags('Tags');
    reader.finish();
    assertUniqueTagKeys(tags);
    assertNoReservedTags(tags);
  });
  return tags;
}

/** A document may be given as JSON text (kept verbatim) or as an object (serialised). */
function documentText(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return JSON.stringify(value);
  throw invalid(field, `${field} must be a policy document (an object or its JSON text)`);
}

function checkName(value: string, shape: StringShape, field: string): void {
  const fits = value.length >= (shape.min ?? 0) && value.length <= (shape.max ?? Infinity) && (!shape.pattern || shape.pattern.test(value));
  if (!fits) {
    throw invalid(field, `${field} must be ${shape.min}..${shape.max} characters matching ${shape.patternText}`);
  }
}

/** Runs an IAM rule and reports its failure as a control-API error naming the field. */
function asControlError<T>(field: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    const status = error.code === 'NoSuchEntity' ? 404 : error.code === 'EntityAlreadyExists' ? 409 : 400;
    throw new ControlApiError(status, error.code, `${field}: ${error.message}`, field);
  }
}

function invalid(field: string, message: string): ControlApiError {
  return new ControlApiError(400, 'InvalidParameter', message, field);
}
