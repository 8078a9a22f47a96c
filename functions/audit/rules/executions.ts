import { currentExecutionArn, isTerminal } from '../../request/model.ts';
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
    const fix = `Cancel the request (POST /v1/connection-requests/${record.requestId}/cancel) to roll back what it created, then ask again.`;
    const executionArn = currentExecutionArn(record);
    if (!executionArn) {
      const ageHours = hoursSince(record.createdAt, context.asOf);
      // Stryker disable next-line EqualityOperator: hoursSince rounds to a tenth of an hour (6 minutes), so an age is never exactly 15 minutes
      if (ageHours * 60 <= EXECUTION_END_GRACE_MINUTES) return [];
      return [{ ...base, message: `Request ${record.requestId} is ${record.status} but no workflow was ever started for it.`, fix, since: record.createdAt, ageHours }];
    }
    const execution = inventory.executions[executionArn];
    if (!execution || execution.status === 'RUNNING') return [];
    // Stryker disable next-line EqualityOperator: as above, never exactly 15 minutes
    if (execution.stopDate && hoursSince(execution.stopDate, context.asOf) * 60 <= EXECUTION_END_GRACE_MINUTES) return [];
    const ended = execution.status === 'NOT_FOUND' ? 'no longer exists' : `ended ${execution.status}`;
    return [{ ...base, message: `Request ${record.requestId} is still ${record.status}, but its workflow execution ${ended}.`, fix, since: execution.stopDate }];
  });
}
