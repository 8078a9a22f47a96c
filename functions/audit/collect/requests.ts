import type { ConnectionRequestRecord } from '../../request/model.ts';
import type { BrokerStore } from '../../request/store.ts';

/** Every request record, all requesters, newest first. */
export async function collectRequests(store: BrokerStore): Promise<ConnectionRequestRecord[]> {
  const requests: ConnectionRequestRecord[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.listRequests({ limit: 100, cursor });
    requests.push(...page.requests);
    cursor = page.cursor;
  } while (cursor);
  return requests;
}
