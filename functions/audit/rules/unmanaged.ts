import type { AuditContext, Finding, Inventory } from '../model.ts';
import { hoursSince } from './age.ts';
import { connectionLink, hostLink } from './links.ts';
import { isManaged, type Ownership } from './ownership.ts';

/**
 * Hosts and connections with neither a request record nor our `managed-by` tag: made by hand or by
 * other tooling. Nobody is told about them otherwise, yet they count against the quotas. AWS gives
 * no creation time, so the age is from the first audit that saw them. A resource whose tags the
 * auditor may not read is not called unmanaged (RESOURCE_UNREADABLE says why it is not known).
 */
export function unmanagedResources(inventory: Inventory, context: AuditContext, ownership: Ownership): Finding[] {
  const resources = [
    ...inventory.hosts.map((host) => ({ ...host, kind: 'host' as const, link: hostLink(host.arn) })),
    ...inventory.connections.map((connection) => ({ ...connection, kind: 'connection' as const, link: connectionLink(connection.arn) })),
  ];
  return resources
    .filter((resource) => !isManaged(resource.arn, resource.tags, ownership) && !resource.tagsUnknown)
    .map(
      (resource): Finding => ({
        type: 'UNMANAGED_RESOURCE',
        severity: 'info',
        resource: resource.arn,
        resourceKind: resource.kind,
        message: `The ${resource.kind} ${resource.name} (${resource.status}) was not made through the broker: no request record and no managed-by tag.`,
        fix: 'Find its owner and either tag it managed-by=connection-broker with a request through the broker, or delete it if nobody uses it; it counts against the quota.',
        link: resource.link,
        since: resource.firstSeenAt,
        ageHours: hoursSince(resource.firstSeenAt, context.asOf),
      }),
    );
}
