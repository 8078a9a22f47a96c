import type { AuditContext, Finding, Inventory, Severity } from '../model.ts';
import { connectionsInError, connectionsPendingTooLong, connectionsUnused } from './connections.ts';
import { pipelineSourceDrift, rolesLackingUseConnection } from './drift.ts';
import { requestsWithEndedExecutions } from './executions.ts';
import { repositoryLinksWithoutSync, syncsBlocked, syncsFailing, syncStacksGone } from './git-sync.ts';
import { hostsInError, hostsPendingTooLong, hostsWithFailedVpc, hostsWithoutConnections } from './hosts.ts';
import { ownershipIndex, type Ownership } from './ownership.ts';
import { quotaHeadroom } from './quotas.ts';
import { unmanagedResources } from './unmanaged.ts';
import { unreadableResources } from './unreadable.ts';

type Rule = (inventory: Inventory, context: AuditContext, ownership: Ownership) => Finding[];

const RULES: Rule[] = [
  hostsPendingTooLong,
  hostsWithFailedVpc,
  hostsInError,
  hostsWithoutConnections,
  connectionsPendingTooLong,
  connectionsInError,
  connectionsUnused,
  unmanagedResources,
  pipelineSourceDrift,
  rolesLackingUseConnection,
  quotaHeadroom,
  requestsWithEndedExecutions,
  syncsBlocked,
  syncsFailing,
  syncStacksGone,
  repositoryLinksWithoutSync,
  unreadableResources,
];

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Every rule over one account and Region's inventory. */
export function evaluate(inventory: Inventory, context: AuditContext): Finding[] {
  const ownership = ownershipIndex(inventory.requests);
  return sortFindings(RULES.flatMap((rule) => rule(inventory, context, ownership)));
}

/** Most severe first, then by type, place and resource, so reports diff well. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
      a.type.localeCompare(b.type) ||
      (a.accountId ?? '').localeCompare(b.accountId ?? '') ||
      (a.region ?? '').localeCompare(b.region ?? '') ||
      a.resource.localeCompare(b.resource) ||
      (a.requestId ?? '').localeCompare(b.requestId ?? ''),
  );
}

/** Identifies a finding across audits: the same problem on the same resource. */
export function findingKey(finding: Finding): string {
  // Pipeline and role names repeat across accounts; the broker's own findings keep their old keys.
  const place = finding.accountId ? `${finding.accountId}/${finding.region ?? ''}|` : '';
  return `${finding.type}|${place}${finding.resource}|${finding.requestId ?? ''}`;
}
