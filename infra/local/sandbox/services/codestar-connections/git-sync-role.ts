import { evaluate, statementsOf } from '../../authorization/policy-evaluation.ts';
import type { IamLookup } from '../lookups.ts';

/**
 * The service principal Git sync assumes a sync configuration's role as. Sources: the Service
 * Authorization Reference (list_codestar-connections / list_codeconnections, "API operations":
 * Create/UpdateSyncConfiguration pass the role with `iam:PassedToService` =
 * `cloudformation.sync.codeconnections.amazonaws.com`) and the CloudFormation User Guide, "Git sync
 * prerequisites" (the role Git sync uses; its example policy names the same principal in
 * `events:ManagedBy`).
 */
export const GIT_SYNC_SERVICE_PRINCIPAL = 'cloudformation.sync.codeconnections.amazonaws.com';

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * Why Git sync cannot assume the role when it syncs, or undefined when it can. IAM User Guide
 * ("Create a role to delegate permissions to an AWS service"): a service acts with a role only when
 * the role's trust policy lets its service principal perform sts:AssumeRole. A role that does not
 * exist (with exactly that path) cannot be assumed. Git sync's request keys (aws:SourceAccount,
 * aws:SourceArn) are not documented, so a trust statement that conditions on them does not count:
 * stricter than AWS, never more lenient.
 */
export function gitSyncRoleFailure(roleArn: string, iam: Pick<IamLookup, 'role'>): string | undefined {
  const match = ROLE_ARN.exec(roleArn);
  const role = match ? iam.role?.(match[1]!, match[2]!) : undefined;
  if (!role || role.arn.toLowerCase() !== roleArn.toLowerCase()) {
    return `Git sync could not assume the role ${roleArn}: the role does not exist.`;
  }
  if (!serviceMayAssume(role.assumeRolePolicyDocument, GIT_SYNC_SERVICE_PRINCIPAL, role.arn)) {
    return `Git sync could not assume the role ${roleArn}: its trust policy does not allow ${GIT_SYNC_SERVICE_PRINCIPAL} to perform sts:AssumeRole.`;
  }
  return undefined;
}

/** Whether the trust policy lets the service principal assume the role (Principal `*` counts too). */
export function serviceMayAssume(trustPolicy: string, service: string, roleArn: string): boolean {
  let document: unknown;
  try {
    document = JSON.parse(trustPolicy) as unknown;
  } catch {
    return false; // IAM stores only documents that parse
  }
  const statements = statementsOf(document)
    .map((statement) => statement as Record<string, unknown>)
    .filter((statement) =>
      'Principal' in statement ? namesService(statement.Principal, service) : 'NotPrincipal' in statement && !namesService(statement.NotPrincipal, service),
    )
    // A trust policy has no Resource: the role it is attached to is the resource.
    .map(({ Principal: _principal, NotPrincipal: _notPrincipal, ...rest }) => ({ ...rest, Resource: roleArn }));
  const version = (document as { Version?: unknown } | undefined)?.Version;
  return evaluate([{ Version: version, Statement: statements }], { action: 'sts:AssumeRole', resource: roleArn, context: {} }) === 'allow';
}

function namesService(principal: unknown, service: string): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const named = (principal as { Service?: unknown }).Service;
  const values = typeof named === 'string' ? [named] : Array.isArray(named) ? named : [];
  return values.some((value) => value === service);
}
