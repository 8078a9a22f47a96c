import { providerTypeOf, providerWords } from '../../request/provider.ts';
import type { AuditContext, ConnectionFacts, Finding, Inventory } from '../model.ts';
import { resourceId, resourceKey } from '../resource-key.ts';
import { earliest, hoursSince } from './age.ts';
import { connectionLink } from './links.ts';
import { ownerOf, type Ownership } from './ownership.ts';

/** Pipeline names per connection (by resource, whichever ARN prefix the pipeline wrote). */
export function pipelinesByConnection(inventory: Inventory): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const pipeline of inventory.pipelines) {
    for (const action of pipeline.sourceActions) {
      if (!action.connectionArn) continue;
      const key = resourceKey(action.connectionArn);
      users.set(key, [...new Set([...(users.get(key) ?? []), pipeline.name])]);
    }
  }
  return users;
}

/**
 * Since when the connection waits for its handshake: the request's "created connection" step, or
 * when it started waiting for approval, else the request's creation, else the first audit that saw it.
 */
function connectionSince(connection: ConnectionFacts, ownership: Ownership): string {
  const records = ownership.requestsFor(connection.arn);
  const created = records.flatMap((record) => record.timeline.filter((entry) => entry.step === 'connection').map((entry) => entry.at));
  const waiting = records.flatMap((record) => (record.waitingFor ? [record.waitingFor.since] : []));
  return earliest(...created, ...waiting) ?? earliest(...records.map((record) => record.createdAt)) ?? connection.firstSeenAt;
}

/** Who must finish the handshake: the approvers the request names, or nobody we know of. */
function approverOf(connection: ConnectionFacts, ownership: Ownership): string | undefined {
  return ownership
    .requestsFor(connection.arn)
    .map((record) => record.waitingFor?.who)
    .find((who) => who !== undefined);
}

export function connectionsPendingTooLong(inventory: Inventory, context: AuditContext, ownership: Ownership): Finding[] {
  const limit = context.thresholds.connectionPendingHours;
  return inventory.connections.flatMap((connection): Finding[] => {
    if (connection.status !== 'PENDING') return [];
    const since = connectionSince(connection, ownership);
    const ageHours = hoursSince(since, context.asOf);
    if (ageHours <= limit) return [];
    const approver = approverOf(connection, ownership);
    return [
      {
        type: 'CONNECTION_PENDING_TOO_LONG',
        severity: 'medium',
        resource: connection.arn,
        resourceKind: 'connection',
        ...ownerOf(connection.arn, connection.tags, ownership),
        message: `Connection ${connection.name} has been PENDING its handshake for ${ageHours} h (threshold ${limit} h)${approver ? `; waiting for ${approver}` : ''}.`,
        fix: pendingFix(connection.providerType),
        link: connectionLink(connection.arn),
        since,
        ageHours,
        ...(approver ? { approver } : {}),
      },
    ];
  });
}

/** Who finishes a pending connection's handshake, and how, in its provider's words (functions/request/provider.ts). */
function pendingFix(providerType: string | undefined): string {
  const words = providerWords(providerTypeOf({ providerType }));
  const who = words.connectionOwner.charAt(0).toUpperCase() + words.connectionOwner.slice(1);
  return `${who} must choose "Update pending connection" on the connection's console page and ${words.handshakeDoes}, then an approver approves; if it is no longer wanted, cancel its request or delete the connection.`;
}

/** ERROR is unrecoverable (its host's GitHub App changed): the pipelines on it cannot fetch source. */
export function connectionsInError(inventory: Inventory, _context: AuditContext, ownership: Ownership): Finding[] {
  const users = pipelinesByConnection(inventory);
  return inventory.connections
    .filter((connection) => connection.status === 'ERROR')
    .map((connection): Finding => {
      const pipelines = users.get(resourceKey(connection.arn)) ?? [];
      const owned = ownerOf(connection.arn, connection.tags, ownership);
      return {
        type: 'CONNECTION_ERROR',
        severity: 'critical',
        resource: connection.arn,
        resourceKind: 'connection',
        ...owned,
        message: `Connection ${connection.name} is in ERROR${pipelines.length ? `; pipelines that cannot fetch source: ${pipelines.join(', ')}` : ''}.`,
        fix: owned.requestId
          ? `Replace it (POST /v1/connections/${resourceId(connection.arn)}/replace): a new connection ${connection.hostArn ? 'on the same host' : `to ${providerWords(providerTypeOf(connection)).product}`} takes over its pipelines, then this one is decommissioned.${connection.hostArn ? ' If its host is in ERROR too, recreate the host first.' : ''}`
          : `Recreate it: request a new connection and point the pipelines at it, then ${retire(connection.arn, owned.requestId)} (the host too if it is in ERROR).`,
        link: connectionLink(connection.arn),
      };
    });
}

/**
 * An AVAILABLE connection no pipeline's source action uses, no Git sync repository link links a
 * repository through (Git sync uses it then, whether or not a sync configuration is on the link yet:
 * REPOSITORY_LINK_WITHOUT_SYNC says so), and no running request is about to attach. Pipelines the
 * auditor may not read could use it: the finding then names them.
 */
export function connectionsUnused(inventory: Inventory, _context: AuditContext, ownership: Ownership): Finding[] {
  const users = pipelinesByConnection(inventory);
  const linked = new Set(inventory.repositoryLinks.map((link) => resourceKey(link.connectionArn)));
  const unread = inventory.pipelines.filter((pipeline) => pipeline.unread).map((pipeline) => pipeline.name);
  const caveat = unread.length ? ` The auditor may not read pipeline${unread.length === 1 ? '' : 's'} ${unread.join(', ')}, which could use it.` : '';
  return inventory.connections
    .filter((connection) => connection.status === 'AVAILABLE')
    .filter((connection) => !users.has(resourceKey(connection.arn)))
    .filter((connection) => !linked.has(resourceKey(connection.arn)))
    .filter((connection) => !ownership.inUseByActiveRequest(connection.arn))
    .map((connection): Finding => {
      const owned = ownerOf(connection.arn, connection.tags, ownership);
      return {
        type: 'CONNECTION_UNUSED',
        severity: 'low',
        resource: connection.arn,
        resourceKind: 'connection',
        ...owned,
        message: `No ${unread.length ? 'readable ' : ''}pipeline uses connection ${connection.name}.${caveat}`,
        fix: `Attach it to a pipeline source action, or ${retire(connection.arn, owned.requestId)}; connections are limited to 250 per account and Region.${unread.length ? ' Check the pipelines the auditor could not read before deleting it.' : ''}`,
        link: connectionLink(connection.arn),
      };
    });
}

/** How to get rid of a connection: the broker's own are decommissioned through it (the guard checks what uses them), others deleted by hand. */
export function retire(connectionArn: string, requestId: string | undefined): string {
  return requestId ? `decommission it (DELETE /v1/connections/${resourceId(connectionArn)}, which refuses while anything uses it)` : 'delete it';
}
