import type { ConnectionRequestRecord, RequestStatus } from '../request/model.ts';
import { workflowContext } from '../workflow/context.ts';
import { showApprovalClosed, type ApprovalClosing } from '../workflow/notifications.ts';

/**
 * When a request ends without a decision (timed out, cancelled, failed), its open approval closes
 * as EXPIRED, and its Slack messages lose their buttons and say why. An approval someone decided
 * meanwhile keeps their decision (the conditional write lets exactly one of the two win).
 */
export async function closeOpenApprovals(record: ConnectionRequestRecord, endStatus: RequestStatus, actor: string): Promise<void> {
  const { approvals } = workflowContext();
  for (const approval of await approvals.forRequest(record.requestId)) {
    if (approval.status !== 'PENDING') continue;
    const closed = await approvals.decide(approval.approvalId, 'EXPIRED', actor);
    if (closed) await showApprovalClosed(closed, record, closingFor(endStatus, new Date()));
  }
}

export function closingFor(endStatus: RequestStatus, at: Date): ApprovalClosing {
  switch (endStatus) {
    case 'TIMED_OUT':
      return { outcome: 'expired', at };
    case 'CANCELLED':
      return { outcome: 'cancelled', reason: 'the request was cancelled', at };
    default:
      return { outcome: 'cancelled', reason: `the request ended ${endStatus}`, at };
  }
}

/** How a request's approval closed, judged from the request: its end status, or while rolling back, why. */
export function closingForRequest(record: ConnectionRequestRecord, at: Date): ApprovalClosing {
  if (record.failure?.code === 'ApprovalTimedOut') return closingFor('TIMED_OUT', at);
  if (record.failure?.code === 'Cancelled') return closingFor('CANCELLED', at);
  return closingFor(record.status, at);
}

/** Who rejected the request, for the requester's outcome message. */
export async function rejectedBy(record: ConnectionRequestRecord): Promise<string | undefined> {
  if (record.status !== 'REJECTED' || !record.approvalId) return undefined;
  return (await workflowContext().approvals.get(record.approvalId))?.decidedBy;
}
