import { GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut, type SFNClient } from '@aws-sdk/client-sfn';
import { connectionConsoleUrl } from '../request/console-links.ts';
import type { ApprovalRecord, ApprovalStore } from './store.ts';
import { timelineEntry, type BrokerStore } from '../request/store.ts';
import type { Clients } from '../adapters/aws-clients.ts';

export type Decision = 'approve' | 'reject';

export type DecisionOutcome =
  /** This decision won and the workflow has it (or the stage starting right now passes it on). */
  | { kind: 'decided'; approval: ApprovalRecord }
  /** Approve was pressed but the handshake is not done: nothing changed, the approval stays open. */
  | { kind: 'handshake-pending'; connectionStatus: string; consoleUrl: string }
  /**
   * Someone else decided first, or the approval expired: nothing changed. `tooLate`: this decision
   * won the record but the wait had ended (its token was closed); the record now says EXPIRED, and
   * the approval's messages may still show buttons, because the rollback found it decided.
   */
  | { kind: 'already-decided'; status: string; decidedBy?: string; tooLate?: true };

export interface DecisionDependencies {
  aws: Pick<Clients, 'connections' | 'stepFunctions'>;
  /** The clients for the account a connection ARN names (a spoke's connection is read there); absent: `aws`. */
  awsForArn?: (arn: string) => Pick<Clients, 'connections'>;
  approvals: ApprovalStore;
  store: BrokerStore;
}

export interface DecisionOptions {
  /** The caller has just seen the connection AVAILABLE (the watcher's list, a check's GetConnection). */
  seenAvailable?: boolean;
  /** The timeline's words for this decision, when not the plain "Approved"/"Rejected". */
  timelineMessage?: string;
}

/** The error the state machine's Catch turns into REJECTED. */
export const REJECTED_ERROR = 'Rejected';

/**
 * Decides an approval exactly once, for the API and Slack alike. "Approve" means "the handshake is
 * done", so the connection must be AVAILABLE first. Only the winner of the conditional
 * PENDING → decision write resumes the workflow; every other click changes nothing.
 */
export async function decideApproval(
  approval: ApprovalRecord,
  decision: Decision,
  decidedBy: string,
  dependencies: DecisionDependencies,
  options: DecisionOptions = {},
): Promise<DecisionOutcome> {
  if (approval.status !== 'PENDING') return { kind: 'already-decided', status: approval.status, decidedBy: approval.decidedBy };
  // A decommission's approval allows deleting a connection that is AVAILABLE already: nothing to wait for.
  if (decision === 'approve' && !options.seenAvailable && approval.purpose !== 'decommission') {
    const record = await dependencies.store.getRequest(approval.requestId);
    const connections = (dependencies.awsForArn?.(record.connectionArn!) ?? dependencies.aws).connections;
    const { Connection } = await connectionsClientFor(record.connectionArn, { connections }).send(new GetConnectionCommand({ ConnectionArn: record.connectionArn }));
    if (Connection?.ConnectionStatus !== 'AVAILABLE') {
      return { kind: 'handshake-pending', connectionStatus: Connection?.ConnectionStatus ?? 'UNKNOWN', consoleUrl: connectionConsoleUrl(record.connectionArn!) };
    }
  }
  const won = await dependencies.approvals.decide(approval.approvalId, decision === 'approve' ? 'APPROVED' : 'REJECTED', decidedBy);
  if (!won) {
    const current = await dependencies.approvals.get(approval.approvalId);
    return { kind: 'already-decided', status: current?.status ?? 'EXPIRED', decidedBy: current?.decidedBy };
  }
  if ((await resumeWorkflow(won, dependencies.aws.stepFunctions)) === 'token-closed' && !(await retriedWaitTakesOver(won, dependencies))) {
    // The wait is over (timed out or cancelled) and nobody will read this decision: say so everywhere.
    await dependencies.approvals.expireUndelivered(won);
    return { kind: 'already-decided', status: 'EXPIRED', tooLate: true };
  }
  await dependencies.store.updateRequest(approval.requestId, (current) => ({
    ...current,
    timeline: [
      ...current.timeline,
      timelineEntry('approval', decidedBy, options.timelineMessage ?? decisionText(won.purpose, decision)),
    ],
  }));
  return { kind: 'decided', approval: won };
}

function decisionText(purpose: ApprovalRecord['purpose'], decision: Decision): string {
  if (purpose === 'decommission') return decision === 'approve' ? 'Allowed the decommission.' : 'Refused the decommission: the connection stays.';
  return decision === 'approve' ? 'Approved: the handshake is done.' : 'Rejected.';
}

/**
 * Hands a decided approval to the waiting workflow with its current token. `token-closed` means the
 * stage that token belonged to is over (TaskTimedOut, TaskDoesNotExist, InvalidToken): nothing
 * was resumed, and which of "a later stage takes over" or "expired" it is, the caller decides.
 */
export async function resumeWorkflow(approval: ApprovalRecord, stepFunctions: Pick<SFNClient, 'send'>): Promise<'resumed' | 'token-closed'> {
  try {
    if (approval.status === 'APPROVED') {
      const output = JSON.stringify({ decidedBy: approval.decidedBy, decidedAt: approval.decidedAt });
      await stepFunctions.send(new SendTaskSuccessCommand({ taskToken: approval.taskToken, output }));
    } else if (approval.status === 'REJECTED') {
      await stepFunctions.send(new SendTaskFailureCommand({ taskToken: approval.taskToken, error: REJECTED_ERROR, cause: `Rejected by ${approval.decidedBy}` }));
    } else {
      throw new Error(`an approval in status ${approval.status} has no decision to resume the workflow with`);
    }
    return 'resumed';
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) return 'token-closed';
    throw error;
  }
}

/**
 * After a closed token: does a retried attempt of the wait state pick the decision up? Yes if it
 * already re-pointed the approval at its new token (it saw the decision when it did, and passed it
 * on). Otherwise the approval timed out or the request was cancelled.
 */
async function retriedWaitTakesOver(decided: ApprovalRecord, dependencies: DecisionDependencies): Promise<boolean> {
  const current = await dependencies.approvals.get(decided.approvalId);
  return current !== undefined && current.taskToken !== decided.taskToken;
}
