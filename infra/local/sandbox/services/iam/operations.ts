import type { CallContext } from '../../context.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import { noSuchPermissionsBoundary } from './errors.ts';
import {
  ARN,
  assertNoReservedTags,
  assertUniqueTagKeys,
  InputReader,
  MARKER,
  MAX_ITEMS,
  MAX_SESSION_DURATION,
  MAX_TAG_KEYS,
  PATH,
  PATH_PREFIX,
  POLICY_DOCUMENT,
  POLICY_NAME,
  ROLE_DESCRIPTION,
  ROLE_NAME,
  TAG_KEY,
} from './input.ts';
import { paginateByName } from './pagination.ts';
import { urlEncodePolicyDocument } from './policy-document.ts';
import {
  createRole,
  deleteInlinePolicy,
  deleteRole,
  putInlinePolicy,
  requireInlinePolicy,
  requireRole,
  tagRole,
  untagRole,
  updateTrustPolicy,
} from './roles.ts';
import { accountState, roleChanged } from './state.ts';
import { roleView } from './views.ts';

type Input = Record<string, unknown>;

/**
 * IAM's role operations. Each reads its parameters (all constraint violations reported together,
 * before anything else), then applies the role rules. Operations that return nothing produce a
 * response without a Result element, as IAM's do.
 */
export function createIamOperations({ store, clock }: SandboxDeps): Record<string, OperationHandler> {
  const stateOf = (call: CallContext) => accountState(store, call.accountId);

  return {
    CreateRole(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const path = reader.optional('Path', PATH);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const assumeRolePolicyDocument = reader.required('AssumeRolePolicyDocument', POLICY_DOCUMENT);
      const description = reader.optional('Description', ROLE_DESCRIPTION);
      const maxSessionDuration = reader.optionalInteger('MaxSessionDuration', MAX_SESSION_DURATION);
      const permissionsBoundary = reader.optional('PermissionsBoundary', ARN);
      const tags = reader.tags('Tags');
      reader.finish();
      assertUniqueTagKeys(tags);
      assertNoReservedTags(tags);
      // The sandbox holds no managed policies, so no boundary can name an attachable one.
      if (permissionsBoundary !== undefined) throw noSuchPermissionsBoundary(permissionsBoundary);
      const state = stateOf(call);
      const role = createRole(state, call.accountId, { roleName, assumeRolePolicyDocument, path, description, maxSessionDuration, tags }, clock.nowMs());
      roleChanged(store, state, role);
      return { Role: roleView(role, 'create') };
    },

    GetRole(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      reader.finish();
      return { Role: roleView(requireRole(stateOf(call), roleName), 'get') };
    },

    ListRoles(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const pathPrefix = reader.optional('PathPrefix', PATH_PREFIX) ?? '/';
      const marker = reader.optional('Marker', MARKER);
      const maxItems = reader.optionalInteger('MaxItems', MAX_ITEMS);
      reader.finish();
      const roles = stateOf(call).roles.filter((role) => role.path.startsWith(pathPrefix));
      const page = paginateByName(roles, (role) => role.roleName.toLowerCase(), marker, maxItems);
      return { Roles: page.items.map((role) => roleView(role, 'list')), IsTruncated: page.isTruncated, Marker: page.marker };
    },

    DeleteRole(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      reader.finish();
      const state = stateOf(call);
      deleteRole(state, roleName);
      roleChanged(store, state);
      return undefined;
    },

    /**
     * Replaces the role's trust policy (IAM API Reference, UpdateAssumeRolePolicy): the document
     * arrives form-encoded, as every query parameter does, and is kept verbatim. NoSuchEntity for a
     * role that does not exist; MalformedPolicyDocument for a document that is not a valid trust
     * policy; LimitExceeded past the trust policy's size quota. No Result element, as IAM sends none.
     */
    UpdateAssumeRolePolicy(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const policyDocument = reader.required('PolicyDocument', POLICY_DOCUMENT);
      reader.finish();
      const state = stateOf(call);
      const role = requireRole(state, roleName);
      updateTrustPolicy(role, policyDocument);
      roleChanged(store, state, role);
      return undefined;
    },

    PutRolePolicy(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const policyName = reader.required('PolicyName', POLICY_NAME);
      const policyDocument = reader.required('PolicyDocument', POLICY_DOCUMENT);
      reader.finish();
      const state = stateOf(call);
      const role = requireRole(state, roleName);
      putInlinePolicy(role, policyName, policyDocument, clock.nowMs());
      roleChanged(store, state, role);
      return undefined;
    },

    GetRolePolicy(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const policyName = reader.required('PolicyName', POLICY_NAME);
      reader.finish();
      const role = requireRole(stateOf(call), roleName);
      const policyDocument = requireInlinePolicy(role, policyName);
      return { RoleName: role.roleName, PolicyName: policyName, PolicyDocument: urlEncodePolicyDocument(policyDocument) };
    },

    DeleteRolePolicy(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const policyName = reader.required('PolicyName', POLICY_NAME);
      reader.finish();
      const state = stateOf(call);
      const role = requireRole(state, roleName);
      deleteInlinePolicy(role, policyName);
      roleChanged(store, state, role);
      return undefined;
    },

    ListRolePolicies(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const marker = reader.optional('Marker', MARKER);
      const maxItems = reader.optionalInteger('MaxItems', MAX_ITEMS);
      reader.finish();
      const role = requireRole(stateOf(call), roleName);
      const page = paginateByName(role.inlinePolicies, (policy) => policy.policyName, marker, maxItems);
      return {
        PolicyNames: page.items.map((policy) => policy.policyName),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    /** Sorted by tag key, as IAM lists them. */
    ListRoleTags(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const marker = reader.optional('Marker', MARKER);
      const maxItems = reader.optionalInteger('MaxItems', MAX_ITEMS);
      reader.finish();
      const role = requireRole(stateOf(call), roleName);
      const page = paginateByName(role.tags, (tag) => tag.Key, marker, maxItems);
      return { Tags: page.items.map(({ Key, Value }) => ({ Key, Value })), IsTruncated: page.isTruncated, Marker: page.marker };
    },

    TagRole(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const tags = reader.tags('Tags', { required: true });
      reader.finish();
      assertUniqueTagKeys(tags);
      assertNoReservedTags(tags);
      const state = stateOf(call);
      const role = requireRole(state, roleName);
      tagRole(role, tags);
      roleChanged(store, state, role);
      return undefined;
    },

    UntagRole(input: Input, call: CallContext) {
      const reader = new InputReader(input);
      const roleName = reader.required('RoleName', ROLE_NAME);
      const tagKeys = reader.requiredStrings('TagKeys', TAG_KEY, MAX_TAG_KEYS);
      reader.finish();
      const state = stateOf(call);
      const role = requireRole(state, roleName);
      untagRole(role, tagKeys);
      roleChanged(store, state, role);
      return undefined;
    },
  };
}
