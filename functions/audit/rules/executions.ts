import { currentExecutionArn, isDecommissioning, isTerminal, isUpdatingHost } from '../../request/model.ts';
import { resourceId } from '../resource-key.ts';
import type { AuditContext, Finding, Inventory } from '../model.ts';
import { hoursSince } from './age.ts';

/**
 * A request whose workflow stopped must have a terminal record; otherwise nothing will ever move
 * it on or roll it back. A short grace period covers a cancel that is still writing its record.
 */
export const EXECUTION_END_GRACE_MINUTES = 15;

export function requestsWithEndedExecutions(inventory: Inventory, context: AuditContext): Finding[] {
  return inventory.requests.flatMap((record): Finding[] => {
    if (isTerminal(record.status)) return [];
    const base = { type: 'REQUEST_EXECUTION_ENDED', severity: 'high', resource: record.requestId, resourceKind: 'request', owner: record.requester.id, requestId: record.requestId } as const;
    const fix = fixFor(record);
    const executionArn = currentExecutionArn(record);
    if (!executionArn) {
      // A decommission or host update counts from when it was asked for, not from the request.
      const started = isDecommissioning(record.status) ? (record.decommission?.at ?? record.createdAt) : isUpdatingHost(record) ? record.hostUpdate!.at : record.createdAt;
      const ageHours = hoursSince(started, context.asOf);
      // Stryker disable next-line EqualityOperator: hoursSince rounds to a tenth of an hour (6 minutes), so an age is never exactly 15 minutes
      if (ageHours * 60 <= EXECUTION_END_GRACE_MINUTES) return [];
      return [{ ...base, message: `Request ${record.requestId} is ${record.status} but no workflow was ever started for it.`, fix, since: started, ageHours }];
    }
    const execution = inventory.executions[executionArn];
    if (!execution || execution.status === 'RUNNING') return [];
    // Stryker disable next-line EqualityOperator: as above, never exactly 15 minutes
    if (execution.stopDate && hoursSince(execution.stopDate, context.asOf) * 60 <= EXECUTION_END_GRACE_MINUTES) return [];
    const ended = execution.status === 'NOT_FOUND' ? 'no longer exists' : `ended ${execution.status}`;
    return [{ ...base, message: `Request ${record.requestId} is still ${record.status}, but its workflow execution ${ended}.`, fix, since: execution.stopDate }];
  });
}

/** What to do about it: a cancel rolls a request back, but would refuse a decommission or a host update under way. */
function fixFor(record: Inventory['requests'][number]): string {
  if (isDecommissioning(record.status) && record.connectionArn) {
    return `Ask again (DELETE /v1/connections/${resourceId(record.connectionArn)}): a decommission whose workflow never started is started again.`;
  }
  if (isUpdatingHost(record) && record.hostArn) {
    return `Ask again (PATCH /v1/hosts/${resourceId(record.hostArn)} with the same change): a host update whose workflow never started is started again.`;
  }
  return `Cancel the request (POST /v1/connection-requests/${record.requestId}/cancel) to roll back what it created, then ask again.`;
}
