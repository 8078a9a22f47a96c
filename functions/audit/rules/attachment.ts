/**
 * What a completed request attached, read from its record: the source action (`attachment`) and
 * the inline policies granted per role (`grants`). Records written before the attach step kept
 * these (or without a pipeline) carry less, so the rules check what is known: without grants the
 * pipeline's own role is the one that must allow UseConnection.
 */
import type { ConnectionRequestRecord } from '../../request/model.ts';

export interface AttachedSource {
  pipelineName: string;
  connectionArn: string;
  stageName?: string;
  actionName?: string;
  /** Roles we granted UseConnection to, with the inline policies we put on each. */
  grantedRoles: { roleName: string; policyNames: string[] }[];
}

export function attachedSource(record: ConnectionRequestRecord): AttachedSource | undefined {
  if (record.status !== 'COMPLETED' || !record.pipeline || !record.connectionArn) return undefined;
  const byRole = new Map<string, string[]>();
  for (const grant of record.grants ?? []) {
    const roleName = grant.roleName || roleNameOf(grant.roleArn);
    if (roleName) byRole.set(roleName, [...(byRole.get(roleName) ?? []), grant.policyName]);
  }
  return {
    pipelineName: record.pipeline.name,
    connectionArn: record.connectionArn,
    stageName: record.attachment?.stageName,
    actionName: record.attachment?.actionName ?? record.pipeline.sourceActionName,
    grantedRoles: [...byRole.entries()].map(([roleName, policyNames]) => ({ roleName, policyNames })),
  };
}

/** The roles to check for a request: those we granted to, else the pipeline's role. */
export function rolesToCheck(attached: AttachedSource, pipelineRoleArn: string | undefined): { roleName: string; policyNames: string[] }[] {
  if (attached.grantedRoles.length > 0) return attached.grantedRoles;
  const roleName = roleNameOf(pipelineRoleArn);
  return roleName ? [{ roleName, policyNames: [] }] : [];
}

/** `arn:aws:iam::123456789012:role/service-role/name` → `name`. */
export function roleNameOf(roleArn: string | undefined): string | undefined {
  const match = /^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(roleArn ?? '');
  return match?.[1];
}
