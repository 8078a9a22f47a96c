import { GetRolePolicyCommand, ListRolePoliciesCommand, ListRoleTagsCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { RoleFacts, UnreadableResource } from '../model.ts';
import type { AuditStore, CachedRole } from '../store.ts';
import { parsePolicyDocument } from '../use-connection-policy.ts';
import { unreadableFrom } from './access-denied.ts';
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
 * The inline policies and the tags of the roles we granted UseConnection to (the tags decide the
 * tag-based grant's conditions). IAM has no change marker for
 * them, so each role is read again once its cached copy is older than `maxAgeMs` (just under the
 * schedule's period: every scheduled audit reads them, an immediate repeat does not).
 */
export async function collectRoles(
  roleNames: readonly string[],
  deps: Dependencies,
): Promise<{ roles: Record<string, RoleFacts>; unreadable: UnreadableResource[] }> {
  const cache = await deps.store.cachedRoles();
  const unreadable: UnreadableResource[] = [];
  const roles = await mapConcurrently([...new Set(roleNames)], 16, async (roleName): Promise<RoleFacts> => {
    const cached = cache.get(roleName);
    if (cached && isFresh(cached.readAt, deps.asOf, deps.maxAgeMs)) return fromCache(cached);
    const read = await readRole(roleName, cached, deps);
    if ('denied' in read) {
      // Not ours to read: the last read stands in (not refreshed, so the next audit asks again).
      unreadable.push(read.denied);
      return cached ? fromCache(cached) : { roleName, exists: true, policies: [], unread: true };
    }
    const { tagsDenied, ...facts } = read;
    if (tagsDenied) {
      unreadable.push(tagsDenied);
      // Its policies are fresh; its tags are the last read's, if any (not cached, so the next audit asks again).
      return { ...facts, ...(cached?.tags ? { tags: cached.tags } : {}) };
    }
    await deps.store.putRole({ ...facts, readAt: deps.asOf.toISOString() });
    return facts;
  });
  return { roles: Object.fromEntries(roles.map((role) => [role.roleName, role])), unreadable };
}

function fromCache(cached: CachedRole): RoleFacts {
  return { roleName: cached.roleName, exists: cached.exists, policies: cached.policies, ...(cached.tags ? { tags: cached.tags } : {}) };
}

type RoleRead = (RoleFacts & { tagsDenied?: UnreadableResource }) | { denied: UnreadableResource };

async function readRole(roleName: string, cached: CachedRole | undefined, { aws, stats }: Dependencies): Promise<RoleRead> {
  let action = 'iam:ListRolePolicies';
  try {
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await patiently(() => aws.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker })), stats);
      names.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    action = 'iam:GetRolePolicy';
    const policies = await mapConcurrently(names, 4, async (name) => {
      const { PolicyDocument } = await patiently(() => aws.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })), stats);
      return { name, document: parsePolicyDocument(PolicyDocument) };
    });
    const tags = await readRoleTags(roleName, cached, { aws, stats });
    if ('denied' in tags) return { roleName, exists: true, policies, tagsDenied: tags.denied };
    return { roleName, exists: true, policies, tags: tags.tags };
  } catch (error) {
    if (error instanceof NoSuchEntityException) return { roleName, exists: false, policies: [] };
    const denied = unreadableFrom(error, { resource: roleName, resourceKind: 'role', action, lastKnown: cached !== undefined });
    if (denied) return { denied };
    throw error;
  }
}

/** The role's tags; a refusal leaves its policies read and only the tags unknown (the tag-based grant's conditions are then not judged). */
async function readRoleTags(
  roleName: string,
  cached: CachedRole | undefined,
  { aws, stats }: Pick<Dependencies, 'aws' | 'stats'>,
): Promise<{ tags: Record<string, string> } | { denied: UnreadableResource }> {
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  try {
    do {
      const page = await patiently(() => aws.iam.send(new ListRoleTagsCommand({ RoleName: roleName, Marker: marker })), stats);
      for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return { tags };
  } catch (error) {
    const denied = unreadableFrom(error, { resource: roleName, resourceKind: 'role', action: 'iam:ListRoleTags', lastKnown: cached?.tags !== undefined });
    if (denied) return { denied };
    throw error;
  }
}
