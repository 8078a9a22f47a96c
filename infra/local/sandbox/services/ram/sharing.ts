import type { SandboxDeps } from '../../service.ts';
import type { SharingLookup } from '../lookups.ts';
import { allRamStates, settleShare } from './state.ts';

const ARN_ACCOUNT = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/;

/**
 * What other services ask RAM: is this resource shared with that account? Built on the store
 * alone, so that the services RAM shares from (CodeConnections) can hold it without a cycle.
 */
export function createSharingLookup({ store, clock }: Pick<SandboxDeps, 'store' | 'clock'>): SharingLookup {
  return {
    isSharedWith(resourceArn, accountId) {
      const ownerAccountId = ARN_ACCOUNT.exec(resourceArn)?.[1];
      if (!ownerAccountId || ownerAccountId === accountId) return false;
      const now = clock.nowEpochSeconds();
      return allRamStates(store)
        .filter((owner) => owner.accountId === ownerAccountId)
        .some(({ state }) =>
          Object.values(state.resourceShares).some((share) => {
            if (share.status !== 'ACTIVE') return false;
            settleShare(store, state, share, now);
            return share.resources[resourceArn]?.status === 'ASSOCIATED' && share.principals[accountId]?.status === 'ASSOCIATED';
          }),
        );
    },
  };
}
