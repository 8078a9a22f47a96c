import { GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { connectionConsoleUrl } from '../core/console-links.ts';
import type { ApprovalRecord, ApprovalStore } from '../requests/approvals.ts';
import { timelineEntry, type BrokerStore } from '../requests/store.ts';
import type { Clients } from '../shared/clients.ts';

export type Decision = 'approve' | 'reject';

export type DecisionOutcome =
  | { kind: 'decided'; approval: ApprovalRecord }
  /** Approve was pressed but the handshake is not done: nothing changed, the approval stays open. */
  | { kind: 'handshake-pending'; connectionStatus: string; consoleUrl: string }
  /** Someone else decided first, or the approval expired: nothing changed. */
  | { kind: 'already-decided'; status: string; decidedBy?: string };

export interface DecisionDependencies {
  aws: Pick<Clients, 'connections' | 'stepFunctions'>;
  approvals: ApprovalStore;
  store: BrokerStore;
}

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
): Promise<DecisionOutcome> {
  if (approval.status !== 'PENDING') return { kind: 'already-decided', status: approval.status, decidedBy: approval.decidedBy };
  if (decision === 'approve') {
    const record = await dependencies.store.getRequest(approval.requestId);
    const { Connection } = await dependencies.aws.connections.send(new GetConnectionCommand({ ConnectionArn: record.connectionArn }));
    if (Connection?.ConnectionStatus !== 'AVAILABLE') {
      return { kind: 'handshake-pending', connectionStatus: Connection?.ConnectionStatus ?? 'UNKNOWN', consoleUrl: connectionConsoleUrl(record.connectionArn!) };
    }
  }
  const won = await dependencies.approvals.decide(approval.approvalId, decision === 'approve' ? 'APPROVED' : 'REJECTED', decidedBy);
  if (!won) {
    const current = await dependencies.approvals.get(approval.approvalId);
    return { kind: 'already-decided', status: current?.status ?? 'EXPIRED', decidedBy: current?.decidedBy };
  }
  await dependencies.store.updateRequest(approval.requestId, (current) => ({
    ...current,
    timeline: [...current.timeline, timelineEntry('approval', decidedBy, decision === 'approve' ? 'Approved: the handshake is done.' : 'Rejected.')],
  }));
  try {
    if (decision === 'approve') {
      const output = JSON.stringify({ decidedBy, decidedAt: won.decidedAt });
      await dependencies.aws.stepFunctions.send(new SendTaskSuccessCommand({ taskToken: won.taskToken, output }));
    } else {
      await dependencies.aws.stepFunctions.send(
        new SendTaskFailureCommand({ taskToken: won.taskToken, error: 'Rejected', cause: `Rejected by ${decidedBy}` }),
      );
    }
  } catch (error) {
    // The workflow already moved on (timed out, cancelled): the decision is recorded, nothing to resume.
    if (error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken) {
      return { kind: 'already-decided', status: 'EXPIRED', decidedBy };
    }
    throw error;
  }
  return { kind: 'decided', approval: won };
}
