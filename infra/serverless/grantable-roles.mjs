/**
 * Which roles the broker may write a UseConnection policy on (param grantableRoles, an IAM resource
 * path under the account). Whoever can make the attach or rollback functions run code of their
 * choosing holds iam:PutRolePolicy on those roles, so the default is where the console puts
 * pipeline roles (role/service-role/*), and anything that reaches roles outside a path of their
 * own needs an explicit opt-in (param allowWideGrantableRoles=true).
 *
 * Narrow: one role by name (`role/orders-pipeline-role`), or a path with no wildcard in any of its
 * folders, ending in a name or a pattern (`role/service-role/*`, `role/pipelines/team-a-*`).
 * Wide: anything else (`role/*`, `role/team-*`, `*`, `role/*\/pipelines/*`).
 *
 * @param {string} value the param as it will be packaged
 * @returns {string | undefined} why it is wide, or undefined when it is narrow
 */
export function wideGrantableRoles(value) {
  const text = String(value ?? '').trim();
  if (!text.startsWith('role/')) return `"${text}" is not a role path (it must start with role/)`;
  const segments = text.slice('role/'.length).split('/');
  const name = segments.pop();
  const wildcard = /[*?]/;
  if (!name) return `"${text}" names no role`;
  if (segments.some((folder) => folder === '' || wildcard.test(folder))) return `"${text}" has a wildcard or an empty folder in its path`;
  if (segments.length === 0 && wildcard.test(name)) return `"${text}" matches roles on any path, including the account's administrators'`;
  return undefined;
}
