import type { Finding } from '../model.ts';
import type { Home } from '../places.ts';
import type { PlaceOutcome } from '../report.ts';

/**
 * An account and Region the audit could not read is a finding, not a failed audit: the rest of the
 * fleet is still reported, and this one says why it is missing and how to make it readable.
 */
export function placesNotAudited(outcomes: readonly PlaceOutcome[], home: Home): Finding[] {
  return outcomes
    .filter((outcome) => outcome.status === 'FAILED')
    .map((outcome): Finding => {
      const own = outcome.accountId === home.accountId;
      return {
        type: 'PLACE_NOT_AUDITED',
        severity: 'high',
        resource: `account:${outcome.accountId}/${outcome.region}`,
        resourceKind: 'account',
        ...(own ? {} : { accountId: outcome.accountId, region: outcome.region }),
        message: `Account ${outcome.accountId} in ${outcome.region} could not be audited, so its findings are missing from this report: ${outcome.error ?? 'no reason given'}.`,
        fix: own
          ? "Check the auditor's own permissions (the error names the refused call), then run the audit again (POST /v1/audits)."
          : `Check that role/connection-broker-spoke exists in account ${outcome.accountId} (the spoke StackSet, infra/spoke-role.yml) and trusts the broker with its external id, then run the audit again (POST /v1/audits).`,
      };
    });
}
