import { ListConnectionsCommand, ListHostsCommand, ListTagsForResourceCommand, type Connection, type Host } from '@aws-sdk/client-codestar-connections';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { ConnectionFacts, HostFacts, UnreadableResource } from '../model.ts';
import type { AuditStore, SeenResource } from '../store.ts';
import { unreadableFrom } from './access-denied.ts';
import { isFresh } from './freshness.ts';
import { mapConcurrently, patiently } from './patiently.ts';

export interface ConnectionsInventory {
  hosts: HostFacts[];
  connections: ConnectionFacts[];
  /** Hosts and connections whose tags the auditor may not read. */
  unreadable: UnreadableResource[];
}

interface Dependencies {
  aws: AuditClients;
  store: AuditStore;
  stats: CallStats;
  asOf: Date;
  tagsMaxAgeMs: number;
}

/**
 * Hosts and connections with their tags. Tags are read once per resource and again only when
 * older than `tagsMaxAgeMs` (ARNs are never reused, and we tag at creation); the same record keeps
 * when the auditor first saw the resource, since AWS reports no creation time.
 */
export async function collectHostsAndConnections(deps: Dependencies): Promise<ConnectionsInventory> {
  const [hosts, connections, seen] = await Promise.all([listAllHosts(deps), listAllConnections(deps), deps.store.seenResources()]);
  const arns = [...hosts.map((host) => host.HostArn!), ...connections.map((connection) => connection.ConnectionArn!)];
  const kinds = new Map<string, 'host' | 'connection'>([...hosts.map((host) => [host.HostArn!, 'host'] as const), ...connections.map((connection) => [connection.ConnectionArn!, 'connection'] as const)]);
  const known = await mapConcurrently(arns, 32, (arn) => knownResource(arn, kinds.get(arn)!, seen.get(arn), deps));
  const byArn = new Map(known.map(({ seen: resource }) => [resource.arn, resource]));
  const current = new Set(arns);
  await mapConcurrently([...seen.keys()].filter((arn) => !current.has(arn)), 8, (arn) => deps.store.deleteSeen(arn));
  return {
    hosts: hosts.map((host) => hostFacts(host, byArn.get(host.HostArn!)!)),
    connections: connections.map((connection) => connectionFacts(connection, byArn.get(connection.ConnectionArn!)!)),
    unreadable: known.flatMap(({ unreadable }) => (unreadable ? [unreadable] : [])),
  };
}

async function knownResource(
  arn: string,
  kind: 'host' | 'connection',
  seen: SeenResource | undefined,
  deps: Dependencies,
): Promise<{ seen: SeenResource; unreadable?: UnreadableResource }> {
  if (seen && isFresh(seen.tagsReadAt, deps.asOf, deps.tagsMaxAgeMs)) return { seen };
  let tags: Record<string, string>;
  try {
    const { Tags } = await patiently(() => deps.aws.connections.send(new ListTagsForResourceCommand({ ResourceArn: arn })), deps.stats);
    tags = Object.fromEntries((Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  } catch (error) {
    const unreadable = unreadableFrom(error, {
      resource: arn,
      resourceKind: kind,
      // IAM authorizes the call under the prefix of the resource's ARN, whichever endpoint served it.
      action: `${arn.startsWith('arn:') && arn.split(':')[2] === 'codeconnections' ? 'codeconnections' : 'codestar-connections'}:ListTagsForResource`,
      policyResource: arn,
      lastKnown: seen?.tagsReadAt !== undefined,
    });
    if (unreadable) {
      // Not ours to read: keep what an earlier read found (tags never read stay unknown) and when
      // it was first seen; the tags are asked for again next time.
      const kept: SeenResource = seen ?? { arn, firstSeenAt: deps.asOf.toISOString(), tags: {} };
      if (!seen) await deps.store.putSeen(kept);
      return { seen: kept, unreadable };
    }
    // Deleted between the listing and now: it simply drops out of the next audit.
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    tags = seen?.tags ?? {};
  }
  const updated: SeenResource = { arn, firstSeenAt: seen?.firstSeenAt ?? deps.asOf.toISOString(), tags, tagsReadAt: deps.asOf.toISOString() };
  await deps.store.putSeen(updated);
  return { seen: updated };
}

async function listAllHosts({ aws, stats }: Dependencies): Promise<Host[]> {
  const hosts: Host[] = [];
  let nextToken: string | undefined;
  do {
    const page = await patiently(() => aws.connections.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken })), stats);
    hosts.push(...(page.Hosts ?? []).filter((host) => host.HostArn));
    nextToken = page.NextToken;
  } while (nextToken);
  return hosts;
}

async function listAllConnections({ aws, stats }: Dependencies): Promise<Connection[]> {
  const connections: Connection[] = [];
  let nextToken: string | undefined;
  do {
    const page = await patiently(() => aws.connections.send(new ListConnectionsCommand({ MaxResults: 100, NextToken: nextToken })), stats);
    connections.push(...(page.Connections ?? []).filter((connection) => connection.ConnectionArn));
    nextToken = page.NextToken;
  } while (nextToken);
  return connections;
}

function hostFacts(host: Host, seen: SeenResource): HostFacts {
  return {
    arn: host.HostArn!,
    name: host.Name ?? '',
    status: host.Status ?? 'UNKNOWN',
    ...(host.StatusMessage ? { statusMessage: host.StatusMessage } : {}),
    ...(host.ProviderType ? { providerType: host.ProviderType } : {}),
    ...(host.ProviderEndpoint ? { providerEndpoint: host.ProviderEndpoint } : {}),
    ...(host.VpcConfiguration?.VpcId ? { vpcId: host.VpcConfiguration.VpcId } : {}),
    tags: seen.tags,
    ...(seen.tagsReadAt === undefined ? { tagsUnknown: true as const } : {}),
    firstSeenAt: seen.firstSeenAt,
  };
}

function connectionFacts(connection: Connection, seen: SeenResource): ConnectionFacts {
  return {
    arn: connection.ConnectionArn!,
    name: connection.ConnectionName ?? '',
    status: connection.ConnectionStatus ?? 'UNKNOWN',
    ...(connection.ProviderType ? { providerType: connection.ProviderType } : {}),
    ...(connection.HostArn ? { hostArn: connection.HostArn } : {}),
    tags: seen.tags,
    ...(seen.tagsReadAt === undefined ? { tagsUnknown: true as const } : {}),
    firstSeenAt: seen.firstSeenAt,
  };
}
