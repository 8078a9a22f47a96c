import { ExecutionDoesNotExist, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { decideApproval, type Decision, type DecisionDependencies } from '../approvals/decide.ts';
import { isTerminal, type ConnectionRequestRecord, type RequestStatus } from '../requests/model.ts';
import { RequestNotFoundError } from '../requests/errors.ts';
import type { BrokerStore } from '../requests/store.ts';
import { closingForRequest } from '../workflow/close-approvals.ts';
import { showApprovalClosed } from '../workflow/notifications.ts';
import { rollBackRequest } from '../workflow/roll-back.ts';
import type { Caller } from './caller.ts';
import { badRequest, conflict, forbidden, notFound } from './errors.ts';
import { requestView, type RequestView } from './request-view.ts';

/** A request the caller may see: their own, or any for admins. Others' requests do not exist for them. */
export async function visibleRequest(caller: Caller, requestId: string, store: BrokerStore): Promise<ConnectionRequestRecord> {
  try {
    const record = await store.getRequest(requestId);
    if (record.requester.id === caller.id || caller.isAdmin) return record;
  } catch (error) {
    if (!(error instanceof RequestNotFoundError)) throw error;
  }
  throw notFound(`Connection request ${requestId} does not exist.`);
}

const STATUSES: RequestStatus[] = [
  'ACCEPTED', 'PROVISIONING_HOST', 'WAITING_FOR_HOST_SETUP', 'CREATING_CONNECTION', 'WAITING_FOR_APPROVAL',
  'VERIFYING_CONNECTION', 'ATTACHING_PIPELINE', 'ROLLING_BACK', 'COMPLETED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED',
];

/** Lists requests newest first: requesters see their own, admins all. Cursor is opaque. */
export async function listRequests(
  caller: Caller,
  query: Record<string, string | undefined>,
  store: BrokerStore,
): Promise<{ requests: RequestView[]; nextCursor?: string }> {
  const status = query.status;
  if (status !== undefined && !STATUSES.includes(status as RequestStatus)) {
    throw badRequest('Unknown status filter.', [{ path: 'status', message: `must be one of ${STATUSES.join(', ')}` }]);
  }
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw badRequest('limit must be an integer from 1 to 100.', [{ path: 'limit', message: 'must be an integer from 1 to 100' }]);
  }
  let cursor: Record<string, unknown> | undefined;
  if (query.cursor) {
    try {
      cursor = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw badRequest('The cursor is not valid.', [{ path: 'cursor', message: 'use the nextCursor of a previous page' }]);
    }
  }
  const page = await store.listRequests({ requesterId: caller.isAdmin ? undefined : caller.id, status: status as RequestStatus | undefined, limit, cursor });
  return {
    requests: page.requests.map(requestView),
    nextCursor: page.cursor ? Buffer.from(JSON.stringify(page.cursor)).toString('base64url') : undefined,
  };
}

/** Stops the workflow and rolls back what the request created. */
export async function cancelRequest(
  caller: Caller,
  requestId: string,
  dependencies: DecisionDependencies,
): Promise<RequestView> {
  const record = await visibleRequest(caller, requestId, dependencies.store);
  if (isTerminal(record.status)) throw conflict('RequestFinished', `The request is already ${record.status}.`);
  if (record.executionArn) {
    try {
      await dependencies.aws.stepFunctions.send(
        new StopExecutionCommand({ executionArn: record.executionArn, error: 'Cancelled', cause: `Cancelled by ${caller.id}` }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
  const finished = await rollBackRequest(requestId, { Error: 'Cancelled', Cause: `Cancelled by ${caller.id}` }, caller.id);
  return requestView(finished);
}

/** The admin path to the same decision a Slack approver makes. */
export async function decideByAdmin(caller: Caller, requestId: string, decision: Decision, dependencies: DecisionDependencies): Promise<RequestView> {
  if (!caller.isAdmin) throw forbidden('Only admins may approve or reject through the API.');
  const record = await visibleRequest(caller, requestId, dependencies.store);
  // The request points at its one approval (read consistently); the index is the fallback for older records.
  const pending = record.approvalId
    ? await dependencies.approvals.get(record.approvalId)
    : (await dependencies.approvals.forRequest(requestId)).find((approval) => approval.status === 'PENDING');
  if (!pending || pending.status !== 'PENDING') throw conflict('NotWaitingForApproval', `The request is ${record.status}, not waiting for an approval.`);
  const outcome = await decideApproval(pending, decision, caller.id, dependencies);
  if (outcome.kind === 'handshake-pending') {
    throw conflict('HandshakePending', `The connection is still ${outcome.connectionStatus}: a GitHub organization owner must finish the handshake in the AWS console first.`, [
      { path: 'connection', message: outcome.consoleUrl },
    ]);
  }
  if (outcome.kind === 'already-decided') {
    if (outcome.tooLate) {
      // The rollback saw this approval decided and left its messages alone: close them here.
      const current = await dependencies.store.getRequest(requestId);
      await showApprovalClosed(pending, current, closingForRequest(current, new Date()));
    }
    throw conflict('AlreadyDecided', `The approval is already ${outcome.status}.`);
  }
  // The Slack messages stop offering buttons and say who decided, as after a click.
  await showApprovalClosed(outcome.approval, record, {
    outcome: decision === 'approve' ? 'approved' : 'rejected',
    decidedBy: caller.id,
    at: new Date(outcome.approval.decidedAt ?? Date.now()),
  });
  return requestView(await dependencies.store.getRequest(requestId));
}
