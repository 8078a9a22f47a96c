import { ListHostsCommand, ListTagsForResourceCommand, type CodeStarConnectionsClient, type Host } from '@aws-sdk/client-codestar-connections';
import { isReusableHost, type WantedHost } from './host-reuse.ts';

/** Tag keys the broker puts on everything it creates. */
export const MANAGED_BY_TAG = { Key: 'managed-by', Value: 'connection-broker' } as const;
export const REQUEST_ID_TAG = 'connection-broker:request-id';
export const REQUESTER_TAG = 'connection-broker:requester';

/**
 * Finds a usable host for the provider, endpoint (and VPC) among all hosts of the account: one the
 * console or an earlier attempt of this request already made. Endpoints compare normalised.
 */
export async function findExistingHost(client: CodeStarConnectionsClient, wanted: WantedHost, normalise: (url: string) => string | undefined): Promise<Host | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken }));
    const match = (page.Hosts ?? []).find((host) => isReusableHost(host, wanted, normalise));
    if (match) return match;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** Whether this request's own tag is on the resource (it created it in an earlier attempt). */
export async function createdByRequest(client: CodeStarConnectionsClient, resourceArn: string, requestId: string): Promise<boolean> {
  const { Tags } = await client.send(new ListTagsForResourceCommand({ ResourceArn: resourceArn }));
  return (Tags ?? []).some((tag) => tag.Key === REQUEST_ID_TAG && tag.Value === requestId);
}
