import type { ApprovalRecord } from './store.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { escapeText } from '../adapters/slack/mrkdwn.ts';
import { closingForRequest } from './close-approvals.ts';
import type { ApprovalClosing } from '../workflow/notifications.ts';
import { approvalPolicyFor, authorizeDecider, decidersOf, mentionsOf, type ApproversConfig } from './approvers.ts';
import { decideApproval, type DecisionDependencies } from './decide.ts';
import type { ApprovalClick } from './interaction.ts';
import { providerTypeOf, providerWords } from '../request/provider.ts';
import { capitalise } from '../request/next-action.ts';

export interface ClickLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

export interface ClickDependencies extends DecisionDependencies {
  /** The approvers setting, parsed; throws when it is broken (then nobody may decide in Slack). */
  approversConfig: () => ApproversConfig;
  /** A Slack user group's members (`usergroups.users.list`). */
  membersOf: (userGroup: string) => Promise<readonly string[]>;
  /** Replaces the approval's messages with how it ended (chat.update). */
  showClosed: (approval: ApprovalRecord, record: ConnectionRequestRecord, closing: ApprovalClosing) => Promise<void>;
  log: ClickLog;
}

/**
 * What a verified Approve/Reject click does. Returns what to tell the clicker, privately, or
 * undefined when the updated message says it all. Nothing here changes anything for a clicker who
 * may not decide. Logs name the approval, request and Slack user, never the approval record
 * itself (it holds the task token).
 */
export async function answerClick(click: ApprovalClick, dependencies: ClickDependencies): Promise<string | undefined> {
  const { approvals, store, log } = dependencies;
  const approval = await approvals.get(click.approvalId);
  if (!approval) return 'This approval is unknown or has expired; nothing was changed.';
  const context = { approvalId: approval.approvalId, requestId: approval.requestId, userId: click.userId, decision: click.decision };
  const record = await store.getRequest(approval.requestId);

  let config: ApproversConfig;
  try {
    config = dependencies.approversConfig();
  } catch (error) {
    log.error('refused a Slack decision: the approvers configuration is not valid', { ...context, error: (error as Error).message });
    return 'Slack approvals are misconfigured, so nothing was changed. An admin can still decide through the API.';
  }
  const policy = approvalPolicyFor(config, record.providerEndpoint, record.accountApprovers);
  let authorization;
  try {
    authorization = await authorizeDecider(decidersOf(policy), click.userId, dependencies.membersOf);
  } catch (error) {
    log.warn('could not check user group membership', { ...context, error: (error as Error).message });
    return 'Could not check whether you may decide (Slack did not answer); nothing was changed. Please try again in a minute.';
  }
  if (!authorization.allowed) {
    // Logged, not added to the request's timeline: the decision did not change, and a record that
    // grew with every stray click could be pushed past DynamoDB's item size.
    log.warn('refused a Slack decision from someone who is not an approver', context);
    const approvers = mentionsOf(decidersOf(policy));
    return (
      `Only the approvers of ${escapeText(record.providerEndpoint)} can decide this request; nothing was changed.` +
      (approvers.length > 0 ? ` Approvers: ${approvers.join(' ')}` : '')
    );
  }

  const outcome = await decideApproval(approval, click.decision, `slack:${click.userId}`, dependencies);
  switch (outcome.kind) {
    case 'handshake-pending':
      log.info('kept an approval open: the handshake is not done', { ...context, connectionStatus: outcome.connectionStatus });
      return (
        `The connection is still ${outcome.connectionStatus}, so nothing was approved. ${capitalise(providerWords(providerTypeOf(record)).connectionOwner)} must first choose ` +
        `"Update pending connection" in the AWS console: ${outcome.consoleUrl} — then approve again.`
      );
    case 'already-decided':
      log.info('a Slack decision changed nothing: already decided or expired', { ...context, status: outcome.status });
      if (outcome.tooLate) {
        // The rollback saw this approval decided and left its messages alone: close them here.
        const current = await store.getRequest(approval.requestId);
        await dependencies.showClosed(approval, current, closingForRequest(current, new Date()));
      }
      if (outcome.status === 'APPROVED' || outcome.status === 'REJECTED') {
        const by = outcome.decidedBy?.startsWith('slack:') ? ` by <@${outcome.decidedBy.slice('slack:'.length)}>` : outcome.decidedBy ? ` by ${outcome.decidedBy}` : '';
        return `This request was already ${outcome.status.toLowerCase()}${by}; nothing was changed.`;
      }
      return 'This approval was already decided or has expired; nothing was changed.';
    case 'decided':
      log.info('an approver decided in Slack', { ...context, via: authorization.via });
      await dependencies.showClosed(outcome.approval, record, {
        outcome: click.decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: `slack:${click.userId}`,
        at: new Date(outcome.approval.decidedAt ?? Date.now()),
      });
      return undefined;
  }
}
