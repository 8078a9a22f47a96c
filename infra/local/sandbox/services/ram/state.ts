import type { SandboxStore } from '../../store.ts';

export type ResourceShareStatus = 'PENDING' | 'ACTIVE' | 'FAILED' | 'DELETING' | 'DELETED';
export type AssociationStatus = 'ASSOCIATING' | 'ASSOCIATED' | 'FAILED' | 'DISASSOCIATING' | 'DISASSOCIATED';

/** One principal (an account id) or resource (an ARN) of a share, and where its association stands. */
export interface AssociationRecord {
  associatedEntity: string;
  status: AssociationStatus;
  creationTime: number;
  lastUpdatedTime: number;
  /** Sandbox-clock epoch seconds at which ASSOCIATING becomes ASSOCIATED (or DISASSOCIATING, DISASSOCIATED). */
  settlesAt?: number;
}

export interface ResourceShareRecord {
  seq: number;
  arn: string;
  name: string;
  owningAccountId: string;
  allowExternalPrincipals: boolean;
  status: ResourceShareStatus;
  creationTime: number;
  lastUpdatedTime: number;
  tags: { key: string; value: string }[];
  /** Keyed by resource ARN. */
  resources: Record<string, AssociationRecord>;
  /** Keyed by account id. */
  principals: Record<string, AssociationRecord>;
}

/** A clientToken already used: a retry with the same parameters gets the same answer (model: clientToken). */
export interface ClientTokenRecord {
  parameters: string;
  response: unknown;
}

/** RAM is Regional: what one account holds in one Region. */
export interface RamState {
  nextSeq: number;
  resourceShares: Record<string, ResourceShareRecord>;
  /** Keyed `${operation}|${clientToken}`. */
  clientTokens: Record<string, ClientTokenRecord>;
}

export const SLICE = 'ram';

export function ramStateFor(store: SandboxStore, accountId: string, region: string): RamState {
  return store.slice<RamState>(SLICE, [accountId, region], () => ({ nextSeq: 1, resourceShares: {}, clientTokens: {} }));
}

/** Every account's RAM state in every Region: a receiver's view spans the shares of all owners. */
export function allRamStates(store: SandboxStore): { accountId: string; region: string; state: RamState }[] {
  return store.slicesOf<RamState>(SLICE).map(({ scope, data }) => ({ accountId: scope[0]!, region: scope[1]!, state: data }));
}

export function shareChanged(store: SandboxStore, state: RamState, arn: string): void {
  store.markChanged(state, 'resourceShares', arn);
  store.markChanged(state, 'nextSeq');
}

/**
 * Moves associations whose delay has passed on: ASSOCIATING → ASSOCIATED, DISASSOCIATING →
 * DISASSOCIATED (the delay is the sandbox's `ramAssociationSeconds`).
 */
export function settleShare(store: SandboxStore, state: RamState, share: ResourceShareRecord, nowSeconds: number): ResourceShareRecord {
  let changed = false;
  for (const association of [...Object.values(share.resources), ...Object.values(share.principals)]) {
    if (association.settlesAt === undefined || association.settlesAt > nowSeconds) continue;
    if (association.status === 'ASSOCIATING') association.status = 'ASSOCIATED';
    else if (association.status === 'DISASSOCIATING') association.status = 'DISASSOCIATED';
    association.lastUpdatedTime = association.settlesAt;
    delete association.settlesAt;
    changed = true;
  }
  if (changed) shareChanged(store, state, share.arn);
  return share;
}
