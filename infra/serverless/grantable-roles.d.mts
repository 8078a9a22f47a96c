/** Why a grantableRoles value is wide, or undefined when it is narrow (see grantable-roles.mjs). */
export function wideGrantableRoles(value: string | undefined): string | undefined;
