import type { AuditContext, Finding, Inventory, UnreadableResource } from '../model.ts';
import { connectionLink, hostLink } from './links.ts';
import { ownerOf, type Ownership } from './ownership.ts';

/**
 * What AWS refused to show the auditor (AccessDenied on one resource). The audit goes on without it;
 * this says what could not be checked and what to grant. Findings that need the missing read are
 * not made up: they use what an earlier audit read, or are left out.
 */
export function unreadableResources(inventory: Inventory, _context: AuditContext, ownership: Ownership): Finding[] {
  return inventory.unreadable.map((unreadable): Finding => {
    const isConnectionsResource = unreadable.resourceKind === 'host' || unreadable.resourceKind === 'connection';
    const link = unreadable.resourceKind === 'host' ? hostLink(unreadable.resource) : unreadable.resourceKind === 'connection' ? connectionLink(unreadable.resource) : undefined;
    const owner = isConnectionsResource ? ownerOf(unreadable.resource, {}, ownership) : {};
    return {
      type: 'RESOURCE_UNREADABLE',
      severity: 'medium',
      resource: unreadable.resource,
      resourceKind: unreadable.resourceKind,
      ...owner,
      ...(unreadable.requestId ? { requestId: unreadable.requestId } : {}),
      message: `The auditor may not call ${unreadable.action} on ${subject(unreadable)} (${unreadable.error}); ${consequence(unreadable)}`,
      fix:
        `Grant ${unreadable.action} on ${unreadable.policyResource ?? subject(unreadable)} to the auditor's IAM role ` +
        `(the \`auditor\` function's iamRoleStatements in serverless.yml${isConnectionsResource ? '; a statement on codestar-connections ARNs does not cover a codeconnections ARN, nor the other way round' : ''}), then audit again.`,
      ...(link ? { link } : {}),
    };
  });
}

// Stryker disable all: the words of the finding's message and fix; which findings there are, with what owner and link, is tested
function subject({ resourceKind, resource }: UnreadableResource): string {
  switch (resourceKind) {
    case 'request':
      return `the workflow execution of request ${resource}`;
    case 'sync-configuration':
      return `the Git sync configuration of stack ${resource}`;
    default:
      return `${resourceKind} ${resource}`;
  }
}

function consequence(unreadable: UnreadableResource): string {
  switch (unreadable.action.split(':')[1]) {
    case 'ListTagsForResource':
      return unreadable.lastKnown
        ? 'its tags are as an earlier audit read them.'
        : 'its tags are unknown, so whether the broker manages it was not checked.';
    case 'GetPipeline':
      return unreadable.lastKnown
        ? 'its source actions and role are as an earlier audit read them.'
        : 'its source actions and role are unknown: drift, connection use and role permissions were not checked for it.';
    case 'ListRolePolicies':
    case 'GetRolePolicy':
      return unreadable.lastKnown
        ? 'its inline policies are as an earlier audit read them.'
        : 'its inline policies are unknown, so whether it allows UseConnection was not checked.';
    case 'ListRoleTags':
      return unreadable.lastKnown
        ? 'its tags are as an earlier audit read them.'
        : 'its tags are unknown, so conditions on them (the tag-based grant) were not judged.';
    case 'DescribeExecution':
      return 'whether its workflow still runs was not checked.';
    case 'ListSyncConfigurations':
      return 'the sync configurations on it are unknown: their blockers and failures, and whether any uses the link, were not checked.';
    case 'GetResourceSyncStatus':
      return 'its latest sync is unknown, so whether it fails was not checked.';
    case 'GetSyncBlockerSummary':
      return 'its blockers are unknown, so whether Git sync is stopped was not checked.';
    case 'DescribeStacks':
      return 'whether its stack still exists was not checked.';
    default:
      return 'what depends on it was not checked.';
  }
}
// Stryker restore all
