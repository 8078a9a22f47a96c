import type { AuditContext, Finding, HostFacts, Inventory } from '../model.ts';
import { resourceId, sameResource } from '../resource-key.ts';
import { earliest, hoursSince } from './age.ts';
import { hostLink } from './links.ts';
import { ownerOf, type Ownership } from './ownership.ts';
import { providerTypeOf, type HostProviderType } from '../../request/provider.ts';

/** Who finishes a host's set-up, and what it registers on the server (a GitHub App, or a GitLab token). */
const SETUP: Readonly<Record<HostProviderType, { admin: string; registers: string }>> = {
  GitHubEnterpriseServer: { admin: 'A GHES administrator', registers: 'register the GitHub App' },
  GitLabSelfManaged: { admin: 'A GitLab administrator', registers: 'give a GitLab personal access token' },
};

/** A host is always a self-managed provider's (AWS describes no other). */
function setupOf(host: HostFacts): { admin: string; registers: string } {
  const providerType = providerTypeOf(host);
  return providerType === 'GitLabSelfManaged' ? SETUP.GitLabSelfManaged : SETUP.GitHubEnterpriseServer;
}

/** Since when the host is known to exist: the first request that named it, else the first audit that saw it. */
function hostSince(host: HostFacts, ownership: Ownership): string {
  return earliest(...ownership.requestsFor(host.arn).map((record) => record.createdAt), host.firstSeenAt) ?? host.firstSeenAt;
}

/** A host nobody set up: connections cannot be created on it, and it holds one of the 50 host slots. */
export function hostsPendingTooLong(inventory: Inventory, context: AuditContext, ownership: Ownership): Finding[] {
  const limit = context.thresholds.hostPendingHours;
  return inventory.hosts.flatMap((host): Finding[] => {
    if (host.status !== 'PENDING') return [];
    const since = hostSince(host, ownership);
    const ageHours = hoursSince(since, context.asOf);
    if (ageHours <= limit) return [];
    return [
      {
        type: 'HOST_PENDING_TOO_LONG',
        severity: 'medium',
        resource: host.arn,
        resourceKind: 'host',
        ...ownerOf(host.arn, host.tags, ownership),
        message: `Host ${host.name} (${host.providerEndpoint ?? 'unknown endpoint'}) has been PENDING for ${ageHours} h (threshold ${limit} h).`,
        fix: `${setupOf(host).admin} must choose "Set up host" on the host's console page and ${setupOf(host).registers}; if the host is no longer wanted, cancel its request or delete the host.`,
        link: hostLink(host.arn),
        since,
        ageHours,
      },
    ];
  });
}

/** VPC initialization failed: the host can never become AVAILABLE. */
export function hostsWithFailedVpc(inventory: Inventory, _context: AuditContext, ownership: Ownership): Finding[] {
  return inventory.hosts
    .filter((host) => host.status === 'VPC_CONFIG_FAILED_INITIALIZATION')
    .map((host): Finding => ({
      type: 'HOST_VPC_INIT_FAILED',
      severity: 'high',
      resource: host.arn,
      resourceKind: 'host',
      ...ownerOf(host.arn, host.tags, ownership),
      message: `Host ${host.name} failed to initialize its VPC configuration${host.vpcId ? ` (${host.vpcId})` : ''}${host.statusMessage ? `: ${host.statusMessage}` : '.'}`,
      fix: 'Check that the VPC, subnets and security groups are in this account, the subnets in the chosen VPC and in different Availability Zones, and that the creator may manage network interfaces and VPC endpoints; then delete the host and request it again.',
      link: hostLink(host.arn),
    }));
}

/** The host's GitHub App (GitLab: its token) was changed or deleted: unrecoverable, and every connection on it is broken. */
export function hostsInError(inventory: Inventory, _context: AuditContext, ownership: Ownership): Finding[] {
  return inventory.hosts
    .filter((host) => host.status === 'ERROR')
    .map((host): Finding => {
      const owned = ownerOf(host.arn, host.tags, ownership);
      const setUp = providerTypeOf(host) === 'GitLabSelfManaged' ? 'a GitLab administrator sets the new host up' : 'the GHES administrator registers a new GitHub App for the new host';
      return {
        type: 'HOST_ERROR',
        severity: 'critical',
        resource: host.arn,
        resourceKind: 'host',
        ...owned,
        message: `Host ${host.name} is in ERROR${host.statusMessage ? `: ${host.statusMessage}` : providerTypeOf(host) === 'GitLabSelfManaged' ? '' : ' (its GitHub App was modified or deleted)'}.`,
        // The broker's own host is recreated through it, its connections replaced with their pipelines.
        fix: owned.requestId
          ? `Repair it: POST /v1/hosts/${resourceId(host.arn)}/repair recreates the host and replaces each of its connections there, moving their pipelines; ${setUp}.`
          : `This cannot be repaired: delete the host's connections and the host, create them again through new requests, and ${setUp}.`,
        link: hostLink(host.arn),
      };
    });
}

/**
 * An AVAILABLE host that no connection uses still takes one of the account's 50 host slots. Hosts
 * a running request is about to use are expected to be empty and are left out.
 */
export function hostsWithoutConnections(inventory: Inventory, _context: AuditContext, ownership: Ownership): Finding[] {
  return inventory.hosts
    .filter((host) => host.status === 'AVAILABLE')
    .filter((host) => !inventory.connections.some((connection) => sameResource(connection.hostArn, host.arn)))
    .filter((host) => !ownership.inUseByActiveRequest(host.arn))
    .map((host): Finding => ({
      type: 'HOST_WITHOUT_CONNECTIONS',
      severity: 'low',
      resource: host.arn,
      resourceKind: 'host',
      ...ownerOf(host.arn, host.tags, ownership),
      message: `Host ${host.name} (${host.providerEndpoint ?? 'unknown endpoint'}) has no connections.`,
      fix: 'Delete the host if nobody plans to connect through it; hosts are limited to 50 per account.',
      link: hostLink(host.arn),
    }));
}
