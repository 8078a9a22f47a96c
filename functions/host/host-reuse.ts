import type { Host } from '@aws-sdk/client-codestar-connections';
import { DEFAULT_PROVIDER_TYPE, type ProviderType } from '../request/provider.ts';

/**
 * Which host a request may share: one per provider, normalised endpoint URL and VPC, in each
 * account and Region (hosts are Regional and per account). A GHES host is never reused for a
 * GitLab request or the other way round: its "Set up host" registered the other provider's app,
 * so a connection on it could never reach the server the request names.
 */

/** What identifies the host a request needs. */
export interface WantedHost {
  providerEndpoint: string;
  vpcId: string | undefined;
  /** GHES when left out (records made before GitLab was supported). */
  providerType?: ProviderType | undefined;
}

/** Hosts that can no longer serve connections; never reused. */
const UNUSABLE_HOST_STATUSES = new Set(['VPC_CONFIG_FAILED_INITIALIZATION', 'VPC_CONFIG_DELETING', 'ERROR']);

/**
 * The key requests for one host serialise on (the host lock in the broker's table). GHES hosts in
 * the broker's own account and Region keep the key they always had (`<endpoint>|<vpc or public>`),
 * so the locks of hosts made before GitLab was supported still count; another provider is prefixed.
 */
export function hostReuseKey(wanted: WantedHost, where: { accountId?: string | undefined; region?: string; homeRegion?: string } = {}): string {
  const home = where.accountId === undefined && (where.region === undefined || where.region === where.homeRegion);
  const providerType = wanted.providerType ?? DEFAULT_PROVIDER_TYPE;
  const key = `${providerType === DEFAULT_PROVIDER_TYPE ? '' : `${providerType}|`}${wanted.providerEndpoint}|${wanted.vpcId ?? 'public'}`;
  return home ? key : `${where.accountId ?? 'home'}|${where.region}|${key}`;
}

/**
 * Whether a host AWS lists (ListHosts) can serve the request: same provider, same endpoint once
 * normalised, same VPC (or none), and not in a state it cannot come back from.
 */
export function isReusableHost(host: Pick<Host, 'ProviderType' | 'ProviderEndpoint' | 'VpcConfiguration' | 'Status'>, wanted: WantedHost, normalise: (url: string) => string | undefined): boolean {
  return (
    host.ProviderType === (wanted.providerType ?? DEFAULT_PROVIDER_TYPE) &&
    !UNUSABLE_HOST_STATUSES.has(host.Status ?? '') &&
    host.ProviderEndpoint !== undefined &&
    normalise(host.ProviderEndpoint) === wanted.providerEndpoint &&
    host.VpcConfiguration?.VpcId === wanted.vpcId
  );
}
