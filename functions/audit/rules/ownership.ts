/**
 * Who owns what, from our request records and our tags. A request record is the strongest
 * evidence (it names the requester and when the request began); the requester tag on a resource
 * we created is the fallback when the record is gone.
 */
import { isTerminal, type ConnectionRequestRecord } from '../../request/model.ts';
import { MANAGED_BY_TAG, REQUESTER_TAG, REQUEST_ID_TAG } from '../../host/host-discovery.ts';
import { resourceKey } from '../resource-key.ts';

export interface Ownership {
  /** Every request that names the resource, oldest first. */
  requestsFor(arn: string): ConnectionRequestRecord[];
  /** Whether a request that is still running names the resource (it is expected to be incomplete). */
  inUseByActiveRequest(arn: string): boolean;
}

export function ownershipIndex(requests: readonly ConnectionRequestRecord[]): Ownership {
  const byResource = new Map<string, ConnectionRequestRecord[]>();
  const sorted = [...requests].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const record of sorted) {
    for (const arn of [record.hostArn, record.connectionArn]) {
      if (!arn) continue;
      const key = resourceKey(arn);
      byResource.set(key, [...(byResource.get(key) ?? []), record]);
    }
  }
  const requestsFor = (arn: string) => byResource.get(resourceKey(arn)) ?? [];
  return {
    requestsFor,
    inUseByActiveRequest: (arn) => requestsFor(arn).some((record) => !isTerminal(record.status)),
  };
}

/** The requester to tell: the record that created the resource, else the earliest, else the tag. */
export function ownerOf(arn: string, tags: Record<string, string>, ownership: Ownership): { owner?: string; requestId?: string } {
  const records = ownership.requestsFor(arn);
  const creator = records.find((record) => record.hostCreatedByRequest && record.hostArn !== undefined && resourceKey(record.hostArn) === resourceKey(arn)) ?? records[0];
  if (creator) return { owner: creator.requester.id, requestId: creator.requestId };
  return { owner: tags[REQUESTER_TAG], requestId: tags[REQUEST_ID_TAG] };
}

export function isManaged(arn: string, tags: Record<string, string>, ownership: Ownership): boolean {
  return ownership.requestsFor(arn).length > 0 || tags[MANAGED_BY_TAG.Key] === MANAGED_BY_TAG.Value;
}
