import { urlEncodePolicyDocument } from './policy-document.ts';
import type { StoredRole } from './state.ts';

/**
 * The `Role` structure as each operation returns it. Member order follows IAM's model; the query
 * protocol writes objects as elements and lists as `<member>` items.
 *   - GetRole: everything, including `RoleLastUsed` (empty until the role is used).
 *   - CreateRole: everything but RoleLastUsed.
 *   - ListRoles: IAM leaves out Tags and RoleLastUsed.
 */
export type RoleViewKind = 'get' | 'create' | 'list';

export function roleView(role: StoredRole, kind: RoleViewKind): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: urlEncodePolicyDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: kind !== 'list' && role.tags.length > 0 ? role.tags : undefined,
    RoleLastUsed: kind === 'get' ? {} : undefined,
  };
}
