import { GetRolePolicyCommand, ListRolePoliciesCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { RoleFacts } from '../model.ts';
import type { AuditStore } from '../store.ts';
import { parsePolicyDocument } from '../use-connection-policy.ts';
import { isFresh } from './freshness.ts';
import { mapConcurrently, patiently } from './patiently.ts';

interface Dependencies {
  aws: AuditClients;
  store: AuditStore;
  stats: CallStats;
  asOf: Date;
  maxAgeMs: number;
}

/**
 * The inline policies of the roles we granted UseConnection to. IAM has no change marker for
 * them, so each role is read again once its cached copy is older than `maxAgeMs` (just under the
 * schedule's period: every scheduled audit reads them, an immediate repeat does not).
 */
export async function collectRoles(roleNames: readonly string[], deps: Dependencies): Promise<Record<string, RoleFacts>> {
  const cache = await deps.store.cachedRoles();
  const roles = await mapConcurrently([...new Set(roleNames)], 16, async (roleName): Promise<RoleFacts> => {
    const cached = cache.get(roleName);
    if (cached && isFresh(cached.readAt, deps.asOf, deps.maxAgeMs)) return { roleName, exists: cached.exists, policies: cached.policies };
    const facts = await readRole(roleName, deps);
    await deps.store.putRole({ ...facts, readAt: deps.asOf.toISOString() });
    return facts;
  });
  return Object.fromEntries(roles.map((role) => [role.roleName, role]));
}

async function readRole(roleName: string, { aws, stats }: Dependencies): Promise<RoleFacts> {
  try {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await patiently(() => aws.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker })), stats);
      names.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const policies = await mapConcurrently(names, 4, async (name) => {
      const { PolicyDocument } = await patiently(() => aws.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })), stats);
      return { name, document: parsePolicyDocument(PolicyDocument) };
    });
    return { roleName, exists: true, policies };
  } catch (error) {
    if (error instanceof NoSuchEntityException) return { roleName, exists: false, policies: [] };
    throw error;
  }
}
