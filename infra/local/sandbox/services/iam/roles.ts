import { randomInt } from 'node:crypto';
import {
  inlinePolicyQuotaExceeded,
  malformedPolicyDocument,
  noSuchRole,
  noSuchRolePolicy,
  roleAlreadyExists,
  roleHasInlinePolicies,
  tagQuotaExceeded,
  trustPolicyQuotaExceeded,
} from './errors.ts';
import { checkPolicyDocument, countedPolicySize, type PolicyKind } from './policy-document.ts';
import { findInlinePolicy, findRole, type IamAccountState, type StoredRole, type StoredTag } from './state.ts';

/**
 * The rules of IAM roles and their inline policies, shared by the API operations and the control
 * routes. Every rule raises IAM's own error; callers decide how to present it.
 */

/** Aggregate size of a role's inline policies, whitespace not counted (IAM quota, not adjustable). */
export const INLINE_POLICY_QUOTA = 10_240;
/** Size of a role's trust policy, whitespace not counted (IAM's default quota). */
export const TRUST_POLICY_QUOTA = 2_048;
export const DEFAULT_MAX_SESSION_DURATION = 3_600;
/** Tags on one role (IAM quota, not adjustable). */
export const ROLE_TAG_QUOTA = 50;

export interface RoleSpec {
  roleName: string;
  assumeRolePolicyDocument: string;
  path?: string;
  description?: string;
  maxSessionDuration?: number;
  tags?: StoredTag[];
}

export function requireValidPolicy(text: string, kind: PolicyKind): Record<string, unknown> {
  const verdict = checkPolicyDocument(text, kind);
  if (!verdict.valid) throw malformedPolicyDocument(verdict.message);
  return verdict.document;
}

export function requireRole(state: IamAccountState, roleName: string): StoredRole {
  const role = findRole(state, roleName);
  if (!role) throw noSuchRole(roleName);
  return role;
}

export function requireValidTrustPolicy(text: string): void {
  requireValidPolicy(text, 'trust');
  if (countedPolicySize(text) > TRUST_POLICY_QUOTA) throw trustPolicyQuotaExceeded(TRUST_POLICY_QUOTA);
}

export function createRole(state: IamAccountState, accountId: string, spec: RoleSpec, nowMs: number): StoredRole {
  requireValidTrustPolicy(spec.assumeRolePolicyDocument);
  if (findRole(state, spec.roleName)) throw roleAlreadyExists(spec.roleName);
  const path = spec.path ?? '/';
  const role: StoredRole = {
    roleName: spec.roleName,
    roleId: newRoleId(),
    path,
    arn: `arn:aws:iam::${accountId}:role${path}${spec.roleName}`,
    createDate: isoSeconds(nowMs),
    assumeRolePolicyDocument: spec.assumeRolePolicyDocument,
    description: spec.description,
    maxSessionDuration: spec.maxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
    tags: spec.tags ?? [],
    inlinePolicies: [],
  };
  state.roles.push(role);
  return role;
}

/** Replaces the role's trust policy after the checks CreateRole makes of one. */
export function updateTrustPolicy(role: StoredRole, policyDocument: string): void {
  requireValidTrustPolicy(policyDocument);
  role.assumeRolePolicyDocument = policyDocument;
}

/**
 * Creates or replaces the named inline policy; the quota counts the replacement, not the old text.
 * `nowMs` (API calls) starts the policy's propagation delay; seeding leaves it out.
 */
export function putInlinePolicy(role: StoredRole, policyName: string, policyDocument: string, nowMs?: number): void {
  requireValidPolicy(policyDocument, 'identity');
  const others = role.inlinePolicies.filter((policy) => policy.policyName !== policyName);
  const aggregate = [...others.map((policy) => policy.policyDocument), policyDocument].reduce(
    (total, text) => total + countedPolicySize(text),
    0,
  );
  if (aggregate > INLINE_POLICY_QUOTA) throw inlinePolicyQuotaExceeded(role.roleName, INLINE_POLICY_QUOTA);
  const existing = findInlinePolicy(role, policyName);
  const putAt = nowMs === undefined ? {} : { putAtMs: nowMs };
  if (existing) Object.assign(existing, { policyDocument }, putAt);
  else role.inlinePolicies.push({ policyName, policyDocument, ...putAt });
}

export function requireInlinePolicy(role: StoredRole, policyName: string): string {
  const policy = findInlinePolicy(role, policyName);
  if (!policy) throw noSuchRolePolicy(policyName);
  return policy.policyDocument;
}

export function deleteInlinePolicy(role: StoredRole, policyName: string): void {
  requireInlinePolicy(role, policyName);
  role.inlinePolicies = role.inlinePolicies.filter((policy) => policy.policyName !== policyName);
}

/**
 * Adds tags to a role, replacing the value of a key it already has. A role's tag keys are unique
 * without regard to case, and the key keeps the case it was last given ("Tagging IAM resources").
 * The quota counts the tags the role would end up with.
 */
export function tagRole(role: StoredRole, tags: StoredTag[]): void {
  // A Map keeps a replaced key in its place; nothing changes unless the whole request fits.
  const merged = new Map(role.tags.map((tag) => [tag.Key.toLowerCase(), tag]));
  for (const { Key, Value } of tags) merged.set(Key.toLowerCase(), { Key, Value });
  if (merged.size > ROLE_TAG_QUOTA) throw tagQuotaExceeded(ROLE_TAG_QUOTA);
  role.tags = [...merged.values()];
}

/** Removes the tags with these keys (without regard to case); a key the role does not have is ignored. */
export function untagRole(role: StoredRole, tagKeys: string[]): void {
  const removed = new Set(tagKeys.map((key) => key.toLowerCase()));
  role.tags = role.tags.filter((tag) => !removed.has(tag.Key.toLowerCase()));
}

export function deleteRole(state: IamAccountState, roleName: string): void {
  const role = requireRole(state, roleName);
  if (role.inlinePolicies.length > 0) throw roleHasInlinePolicies();
  state.roles = state.roles.filter((candidate) => candidate !== role);
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Role IDs are `AROA` and 17 upper-case alphanumerics (21 characters in all). */
export function newRoleId(): string {
  let id = 'AROA';
  for (let index = 0; index < 17; index++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** IAM's and STS's timestamps carry whole seconds: `2026-01-01T12:00:00Z`. */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
