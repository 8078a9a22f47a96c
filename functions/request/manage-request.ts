import { logger } from '../shell/powertools.ts';
import { ExecutionAlreadyExists, ExecutionDoesNotExist, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { decideApproval, type Decision, type DecisionDependencies } from '../approval/decide.ts';
import { isActive, isDecommissioning, isTerminal, isUpdatingHost, REQUEST_STATUSES, type ConnectionRequestRecord, type RequestStatus } from './model.ts';
import { RequestNotFoundError } from './store-errors.ts';
import { requestListIndex, timelineEntry, type BrokerStore, type RequestListIndex } from './store.ts';
import type { Clients } from '../adapters/aws-clients.ts';
import { closingForRequest } from '../approval/close-approvals.ts';
import { showApprovalClosed } from '../workflow/notifications.ts';
import { checkMessage, checkRequest, type CheckOutcome } from '../waits/check.ts';
import type { Caller } from './caller.ts';
import { badRequest, conflict, forbidden, notFound, serviceUnavailable } from '../shell/http-errors.ts';
import { requestView, type RequestView } from './request-view.ts';
import { providerTypeOf, providerWords } from './provider.ts';


/** A request the caller may see: their own, or any for admins. Others' requests do not exist for them. */
export async function visibleRequest(caller: Caller, requestId: string, store: BrokerStore): Promise<ConnectionRequestRecord> {
  try {
    const record = await store.getRequest(requestId);
    if (record.requester.id === caller.id || caller.isAdmin) return record;
  } catch (error) {
    if (!(error instanceof RequestNotFoundError)) throw error;
  }
  throw notFound(`Connection request ${requestId.length > 100 ? `${requestId.slice(0, 100)}…` : requestId} does not exist.`);
}

const STATUSES: readonly string[] = REQUEST_STATUSES;

/** Lists requests newest first: requesters see their own, admins all. Cursor is opaque. */
export async function listRequests(
  caller: Caller,
  query: Record<string, string | undefined>,
  store: BrokerStore,
): Promise<{ requests: RequestView[]; nextCursor?: string }> {
  const status = query.status;
  if (status !== undefined && !STATUSES.includes(status)) {
    throw badRequest('Unknown status filter.', [{ path: 'status', message: `must be one of ${STATUSES.join(', ')}` }]);
  }
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw badRequest('limit must be an integer from 1 to 100.', [{ path: 'limit', message: 'must be an integer from 1 to 100' }]);
  }
  const filter = { requesterId: caller.isAdmin ? undefined : caller.id, status: status as RequestStatus | undefined };
  const cursor = query.cursor ? parseCursor(query.cursor, requestListIndex(filter)) : undefined;
  const page = await store.listRequests({ ...filter, limit, cursor });
  return {
    requests: page.requests.map((record) => requestView(record)),
    nextCursor: page.cursor ? Buffer.from(JSON.stringify(page.cursor)).toString('base64url') : undefined,
  };
}

/** DynamoDB's limits on key values (bytes, UTF-8): 2,048 for a partition key, 1,024 for a sort key. */
const MAX_KEY_BYTES = 1024;

/**
 * A cursor as {@link listRequests} hands it out: the base64url JSON of the last key of a page of the
 * index it listed ({@link requestListIndex}: by requester and/or status), so the table's and the index's keys, each
 * a string, in the partition being listed. Anything else (`{}`, `null`, `[1,2]`, other attributes) would make DynamoDB fail the
 * query, so it is refused here with 400.
 */
export function parseCursor(text: string, { index, partition }: { index: RequestListIndex; partition: string }): Record<string, string> {
  const invalid = () => badRequest('The cursor is not valid.', [{ path: 'cursor', message: 'use the nextCursor of a previous page' }]);
  if (text.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const expected = ['pk', 'sk', `${index}pk`, `${index}sk`];
  const entries = Object.entries(value);
  const fits = (member: unknown) => typeof member === 'string' && member !== '' && Buffer.byteLength(member) <= MAX_KEY_BYTES;
  if (entries.length !== expected.length || !entries.every(([key, member]) => expected.includes(key) && fits(member))) throw invalid();
  if ((value as Record<string, unknown>)[`${index}pk`] !== partition) throw invalid();
  return Object.fromEntries(entries) as Record<string, string>;
}

/** What a cancel needs: the records, and the state machine whose execution rolls the request back. */
export interface CancelDependencies {
  aws: Pick<Clients, 'stepFunctions'>;
  store: BrokerStore;
  stateMachineArn: string;
}

/**
 * Cancels, and answers at once: the rollback is the workflow's (its RollBack state, with its
 * retries), not this API call's, which API Gateway would cut off after 30 s.
 *
 * 1. The request is recorded ROLLING_BACK (a conditional write, only from an active status: of
 *    two cancels, or a cancel and the workflow's own end, one wins and the other gets 409). From
 *    then on every workflow step refuses to change anything for it (RequestNotActive).
 * 2. The rollback is handed to the workflow: an execution of the same state machine with a
 *    `cancel` input, named after the request so a repeated cancel starts no second one. It waits
 *    out the steps of the stopped execution that may still be running, then runs RollBack.
 * 3. The running execution is stopped.
 *
 * If the rollback execution cannot be started, the answer is 503 and the cancel may be repeated;
 * the running execution is then not stopped, so its next step finds the request ROLLING_BACK and
 * rolls it back itself. If only the stop fails, the running execution's next step ends it.
 */
export async function cancelRequest(caller: Caller, requestId: string, dependencies: CancelDependencies): Promise<RequestView> {
  const record = await visibleRequest(caller, requestId, dependencies.store);
  if (isTerminal(record.status)) throw conflict('RequestFinished', `The request is already ${record.status}.`);
  if (isDecommissioning(record.status)) throw conflict('DecommissionUnderWay', 'The connection is being decommissioned; an approver may reject the decommission.');
  // Cancelling would roll back the whole request (its connection too), not the host's change.
  if (isUpdatingHost(record)) throw conflict('HostUpdateUnderWay', 'Its host is being updated; the request is COMPLETED again once the host admin has set it up.');
  const at = new Date();
  let refused: RequestStatus | undefined;
  const cancelling = await dependencies.store.updateRequest(requestId, (current) => {
    refused = undefined;
    if (current.status === 'ROLLING_BACK' && current.cancellation && !current.cancellation.rollbackExecutionArn) {
      // Cancelled before, but its rollback was never handed to the workflow: hand it over now.
      return undefined;
    }
    if (!isActive(current.status)) {
      refused = current.status;
      return undefined;
    }
    return {
      ...current,
      status: 'ROLLING_BACK',
      waitingFor: undefined,
      failure: { code: 'Cancelled', message: `Cancelled by ${caller.id}` },
      cancellation: { by: caller.id, at: at.toISOString() },
      timeline: [
        ...current.timeline,
        timelineEntry('cancel', caller.id, 'Cancelled: the workflow stops, and rolls back what the request created once its running steps have finished.', at),
      ],
    };
  });
  if (refused !== undefined) {
    if (isTerminal(refused)) throw conflict('RequestFinished', `The request is already ${refused}.`);
    throw isDecommissioning(refused)
      ? conflict('DecommissionUnderWay', 'The connection is being decommissioned; an approver may reject the decommission.')
      : conflict('AlreadyRollingBack', 'The request is already being rolled back.');
  }
  return requestView(await handOffRollback(cancelling, dependencies));
}

/** The name of the execution that rolls back a cancelled request (at most 80 characters; request ids are UUIDs). */
export function cancelExecutionName(requestId: string): string {
  return `cancel-${requestId}`;
}

async function handOffRollback(record: ConnectionRequestRecord, dependencies: CancelDependencies): Promise<ConnectionRequestRecord> {
  const { stepFunctions } = dependencies.aws;
  const cancellation = record.cancellation!;
  const cause = `Cancelled by ${cancellation.by}`;
  const name = cancelExecutionName(record.requestId);
  let rollbackExecutionArn: string;
  try {
    // The same input every time (from the record), so repeating a start that got through is harmless.
    const started = await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: dependencies.stateMachineArn,
        name,
        input: JSON.stringify({ requestId: record.requestId, cancel: { Error: 'Cancelled', Cause: cause } }),
      }),
    );
    rollbackExecutionArn = started.executionArn!;
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) {
      logger.error('could not start the rollback of a cancelled request', { requestId: record.requestId, error: error as Error });
      throw serviceUnavailable(
        'RollbackNotStarted',
        'The cancel is recorded and the workflow goes no further, but its rollback could not be started yet: cancel again shortly.',
      );
    }
    // An earlier attempt started it.
    rollbackExecutionArn = executionArnOf(dependencies.stateMachineArn, name);
  }

  const running = record.executionArn ?? executionArnOf(dependencies.stateMachineArn, record.requestId);
  try {
    await stepFunctions.send(new StopExecutionCommand({ executionArn: running, error: 'Cancelled', cause }));
  } catch (error) {
    // Its next step finds the request ROLLING_BACK, changes nothing, and leaves it to the rollback execution.
    if (!(error instanceof ExecutionDoesNotExist)) {
      logger.warn('could not stop the execution of a cancelled request', { requestId: record.requestId, executionArn: running, error: error as Error });
    }
  }

  return dependencies.store.updateRequest(record.requestId, (current) => ({
    ...current,
    // The execution now in charge of the request (the auditor follows it).
    executionArn: rollbackExecutionArn,
    cancellation: { ...(current.cancellation ?? cancellation), rollbackExecutionArn, stoppedExecutionArn: running },
  }));
}

/** Execution ARNs are the state machine's with `execution` and the execution name. */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The admin path to the same decision a Slack approver makes. */
export async function decideByAdmin(caller: Caller, requestId: string, decision: Decision, dependencies: DecisionDependencies): Promise<RequestView> {
  if (!caller.isAdmin) throw forbidden('Only admins may approve or reject through the API.');
  const record = await visibleRequest(caller, requestId, dependencies.store);
  // The request points at its one approval (read consistently); the index is the fallback for older records.
  const pending = record.approvalId
    ? await dependencies.approvals.get(record.approvalId)
    : (await dependencies.approvals.forRequest(requestId)).find((approval) => approval.status === 'PENDING');
  const wanted = decision === 'approve' ? 'APPROVED' : 'REJECTED';
  // Approving what is already approved (the watcher saw the handshake first, or a retried call) is
  // what the caller asked for, not a conflict; only the opposite decision or an expiry is.
  if (pending?.status === wanted) return requestView(await dependencies.store.getRequest(requestId));
  if (!pending && record.status === 'WAITING_FOR_DECOMMISSION_APPROVAL') {
    throw conflict('NotWaitingForApproval', 'The approvers are being asked about the decommission right now; decide again in a few seconds.');
  }
  if (!pending || pending.status !== 'PENDING') throw conflict('NotWaitingForApproval', `The request is ${record.status}, not waiting for an approval.`);
  const outcome = await decideApproval(pending, decision, caller.id, dependencies);
  if (outcome.kind === 'handshake-pending') {
    const owner = providerWords(providerTypeOf(record)).connectionOwner;
    throw conflict('HandshakePending', `The connection is still ${outcome.connectionStatus}: ${owner} must finish the handshake in the AWS console first.`, [
      { path: 'connection', message: outcome.consoleUrl },
    ]);
  }
  if (outcome.kind === 'already-decided') {
    if (outcome.status === wanted) return requestView(await dependencies.store.getRequest(requestId));
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

/**
 * POST /v1/connection-requests/{id}/check: "I have done my console step, look now". Anyone who may
 * see the request (its requester, or an admin, who approves through the API) may ask; the look
 * and what follows are the watcher's (functions/waits/check.ts), so asking twice is harmless.
 */
export async function checkNow(caller: Caller, requestId: string, store: BrokerStore): Promise<{ check: CheckOutcome & { message: string }; request: RequestView }> {
  await visibleRequest(caller, requestId, store);
  const check = await checkRequest(requestId, caller.id);
  const record = await store.getRequest(requestId);
  return { check: { ...check, message: checkMessage(check, record.status) }, request: requestView(record) };
}
