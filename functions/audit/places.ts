import { isTerminal, type ConnectionRequestRecord } from '../request/model.ts';

/** One account and Region the fleet audit looks at; `accountId` is always set (the broker's own too). */
export interface Place {
  accountId: string;
  region: string;
}

/** The broker's own account and Region. */
export interface Home {
  accountId: string;
  region: string;
}

/** A registered account, as far as the audit plan cares. */
export interface RegisteredAccount {
  accountId: string;
  regions?: string[];
}

/**
 * Where the fleet audit looks: the broker's own account and Region first, then every registered
 * account in each of its Regions (the broker's Region when it names none), then any account and
 * Region a request still in progress or completed provisions in (a request may outlive its
 * account's registration, and its resources still need auditing). No place twice; sorted so two
 * audits of the same fleet plan the same list.
 */
export function planPlaces(home: Home, accounts: readonly RegisteredAccount[], requests: readonly ConnectionRequestRecord[]): Place[] {
  const places = new Map<string, Place>();
  const add = (accountId: string, region: string) => places.set(placeKey({ accountId, region }), { accountId, region });
  for (const account of accounts) for (const region of account.regions?.length ? account.regions : [home.region]) add(account.accountId, region);
  for (const record of requests) {
    if (isTerminal(record.status) && record.status !== 'COMPLETED') continue;
    add(record.accountId ?? home.accountId, record.region || home.region);
  }
  places.delete(placeKey(home));
  const others = [...places.values()].sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  return [{ accountId: home.accountId, region: home.region }, ...others];
}

export function placeKey(place: Place): string {
  return `${place.accountId}#${place.region}`;
}

export function isHome(place: Place, home: Home): boolean {
  return place.accountId === home.accountId && place.region === home.region;
}

/** The requests whose resources are in this place (a request without an account is the broker's own). */
export function requestsIn(place: Place, home: Home, requests: readonly ConnectionRequestRecord[]): ConnectionRequestRecord[] {
  return requests.filter((record) => (record.accountId ?? home.accountId) === place.accountId && (record.region || home.region) === place.region);
}
