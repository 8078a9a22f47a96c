import type { SandboxStore } from '../../store.ts';

/** One inline policy, kept as the exact text the caller sent (IAM hands it back verbatim). */
export interface StoredInlinePolicy {
  policyName: string;
  policyDocument: string;
  /** When PutRolePolicy last wrote it (sandbox clock, ms); seeded policies have none and are long settled. */
  putAtMs?: number;
}

export interface StoredTag {
  Key: string;
  Value: string;
}

export interface StoredRole {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  /** ISO 8601, second precision, as IAM reports it. */
  createDate: string;
  /** The trust policy, verbatim. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  tags: StoredTag[];
  inlinePolicies: StoredInlinePolicy[];
}

/**
 * IAM is global: one slice per account, no Region. Lists rather than name-keyed objects, because
 * IAM names such as `__proto__` are valid and must not collide with JavaScript object keys.
 */
export interface IamAccountState {
  roles: StoredRole[];
}

export const IAM_SLICE = 'iam';

/** Always fetched afresh: a control-API reset replaces every slice. */
export function accountState(store: SandboxStore, accountId: string): IamAccountState {
  return store.slice<IamAccountState>(IAM_SLICE, [accountId], () => ({ roles: [] }));
}

/** The account's state if it has any, without creating an empty slice (for read-only lookups). */
export function existingAccountState(store: SandboxStore, accountId: string): IamAccountState | undefined {
  return store.slicesOf<IamAccountState>(IAM_SLICE).find(({ scope }) => scope[0] === accountId)?.data;
}

/** Tells the store that a role changed; without one (roles removed), that the list did. */
export function roleChanged(store: SandboxStore, state: IamAccountState, role?: StoredRole): void {
  const index = role ? state.roles.indexOf(role) : -1;
  if (index === -1) store.markChanged(state, 'roles');
  else store.markChanged(state, 'roles', index);
}

/** IAM role names are unique and looked up without regard to case. */
export function findRole(state: IamAccountState, roleName: string): StoredRole | undefined {
  const wanted = roleName.toLowerCase();
  return state.roles.find((role) => role.roleName.toLowerCase() === wanted);
}

export function findInlinePolicy(role: StoredRole, policyName: string): StoredInlinePolicy | undefined {
  return role.inlinePolicies.find((policy) => policy.policyName === policyName);
}
