import type { ConnectionRequestRecord } from '../../requests/model.ts';
import type { BrokerStore } from '../../requests/store.ts';

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
