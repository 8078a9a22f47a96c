import { Logger } from '@aws-lambda-powertools/logger';
import { approvalPolicyFor, mentionsOf, parseApproversConfig, type ApprovalPolicy } from '../approvals/approvers.ts';
import { resumeWorkflow } from '../approvals/decide.ts';
import { isApprovalStage, type ApprovalStage } from '../approvals/stages.ts';
import { connectionConsoleUrl } from '../core/console-links.ts';
import { newApprovalId, type ApprovalRecord } from '../requests/approvals.ts';
import type { ConnectionRequestRecord } from '../requests/model.ts';
import { handshakeStep, mustSentence, waitingForPhrase } from '../requests/next-action.ts';
import { timelineEntry } from '../requests/store.ts';
import { duration } from '../slack/messages.ts';
import type { RemainingTime } from '../shared/deadline.ts';
import { updateActiveRequest } from './active-request.ts';
import { workflowContext, type StepInput } from './context.ts';
import {
  noticeDeadline,
  notDeliveredEntries,
  notifyApprovalEscalation,
  notifyApprovalNeeded,
  notifyApprovalReminder,
  recordNotDelivered,
  type NoticeOptions,
} from './notifications.ts';

const logger = new Logger({ serviceName: 'connection-broker-workflow' });

/** The approval was closed (the request is being rolled back) before this stage could wait on it. */
export class ApprovalClosedError extends Error {
  constructor(requestId: string) {
    super(`The approval of request ${requestId} is already closed.`);
    this.name = 'ApprovalClosedError';
  }
}

export type ApprovalStageInput = StepInput & { taskToken: string; stage?: ApprovalStage };

/**
 * Every stage of the approval wait (`.waitForTaskToken`; see approvals/stages.ts). The request
 * has one approval id for its whole wait: the first stage fixes it on the request record and asks
 * the approvers; the reminder and escalation stages re-point the same id at their new token and
 * send their notice once. The task token goes into the approval record and nowhere else.
 * Slack gets the time the step can spare (noticeDeadline); a notice it does not take in time is
 * recorded as not delivered, and the stage still waits (admins can decide through the API).
 */
export async function handler(event: ApprovalStageInput, context?: RemainingTime): Promise<void> {
  const stage: ApprovalStage = isApprovalStage(event.stage) ? event.stage : 'request';
  const slack: NoticeOptions = { deadline: noticeDeadline(context) };
  const { approvals, config, aws } = workflowContext();

  // The id is written to the request before the approval exists: a retry after a crash in between
  // finds it and completes the same approval instead of starting a second one. A cancelled or
  // finished request asks nobody (RequestNotActive).
  const record = await updateActiveRequest(event.requestId, (current) =>
    current.approvalId ? undefined : { ...current, approvalId: newApprovalId() },
  );
  const approvalId = record.approvalId!;
  const approval = await approvals.open({
    approvalId,
    requestId: record.requestId,
    taskToken: event.taskToken,
    stage,
    // DynamoDB's TTL removes the record, and the token in it, a day after the wait can last.
    expiresAt: Math.floor(Date.now() / 1000) + config.approvalSchedule.timeoutSeconds + 86_400,
  });

  if (approval.status === 'APPROVED' || approval.status === 'REJECTED') {
    // Decided between the previous stage's timeout and now: nobody was listening, so pass it on.
    await resumeWorkflow(approval, aws.stepFunctions);
    return;
  }
  if (approval.status !== 'PENDING') throw new ApprovalClosedError(record.requestId);

  const policy = approvalPolicy(record);
  const consoleUrl = connectionConsoleUrl(record.connectionArn!);
  switch (stage) {
    case 'request':
      return askApprovers(record, approval, policy, consoleUrl, slack);
    case 'reminder':
      return remindApprovers(record, approval, policy, consoleUrl, slack);
    case 'escalation':
      return escalate(record, approval, policy, consoleUrl, slack);
  }
}

async function askApprovers(record: ConnectionRequestRecord, approval: ApprovalRecord, policy: ApprovalPolicy, consoleUrl: string, slack: NoticeOptions): Promise<void> {
  const { approvals, config } = workflowContext();
  // The words of the request's nextAction and of the Slack notice (requests/next-action.ts).
  const step = handshakeStep({ connectionName: record.connectionName });
  const updated = await updateActiveRequest(record.requestId, (current) =>
    current.status === 'WAITING_FOR_APPROVAL'
      ? undefined
      : {
          ...current,
          status: 'WAITING_FOR_APPROVAL',
          waitingFor: {
            what: waitingForPhrase(step),
            who: config.approversChannel ? `approvers (Slack ${config.approversChannel})` : 'approvers (admin API)',
            link: consoleUrl,
            since: new Date().toISOString(),
          },
          timeline: [...current.timeline, timelineEntry('approval', 'system', `Asked the approvers: ${mustSentence(step)}`)],
        },
  );
  // A retried first stage must not post the request twice.
  if (approval.requestMessage) return;
  const notice = await notifyApprovalNeeded(updated, { approvalId: approval.approvalId, consoleUrl, approvers: mentionsOf(policy.approvers) }, slack);
  if (notice.posted) await approvals.attachMessage(approval.approvalId, 'requestMessage', notice.posted);
  await recordNotDelivered(record.requestId, 'approval', notice);
}

async function remindApprovers(record: ConnectionRequestRecord, approval: ApprovalRecord, policy: ApprovalPolicy, consoleUrl: string, slack: NoticeOptions): Promise<void> {
  const { store, approvals, config } = workflowContext();
  if (!(await approvals.claimNotice(approval.approvalId, 'remindedAt'))) return;
  const waitedSeconds = config.approvalSchedule.reminderAfterSeconds;
  const notice = await notifyApprovalReminder(record, approval, { approvalId: approval.approvalId, consoleUrl, approvers: mentionsOf(policy.approvers), waitedSeconds }, slack);
  await store.updateRequest(record.requestId, (current) => ({
    ...current,
    timeline: [
      ...current.timeline,
      timelineEntry('approval', 'system', `Reminded the approvers: no decision after ${duration(waitedSeconds)}.`),
      ...notDeliveredEntries('approval', notice),
    ],
  }));
}

async function escalate(record: ConnectionRequestRecord, approval: ApprovalRecord, policy: ApprovalPolicy, consoleUrl: string, slack: NoticeOptions): Promise<void> {
  const { store, approvals, config } = workflowContext();
  if (!(await approvals.claimNotice(approval.approvalId, 'escalatedAt'))) return;
  const waitedSeconds = config.approvalSchedule.escalateAfterSeconds;
  // Without escalation contacts the escalation still goes out, to the approvers, louder.
  const escalateTo = policy.escalation && (policy.escalation.users.length > 0 || policy.escalation.userGroups.length > 0) ? policy.escalation : policy.approvers;
  const channel = policy.escalation?.channel ?? config.approversChannel;
  const notice = await notifyApprovalEscalation(
    record,
    { approvalId: approval.approvalId, consoleUrl, approvers: mentionsOf(policy.approvers), waitedSeconds, channel, escalateTo: mentionsOf(escalateTo) },
    slack,
  );
  if (notice.posted) await approvals.attachMessage(approval.approvalId, 'escalationMessage', notice.posted);
  const whom = [channel ? `Slack ${channel}` : undefined, ...mentionsOf(escalateTo)].filter(Boolean).join(', ') || 'the admins';
  await store.updateRequest(record.requestId, (current) => ({
    ...current,
    waitingFor: current.waitingFor && { ...current.waitingFor, who: `${current.waitingFor.who}; escalated to ${whom}` },
    timeline: [
      ...current.timeline,
      timelineEntry('approval', 'system', `Escalated to ${whom}: no decision after ${duration(waitedSeconds)}.`),
      ...notDeliveredEntries('approval', notice),
    ],
  }));
}

/** A broken SLACK_APPROVERS must not fail the request (admins can still decide): log it and mention nobody. */
function approvalPolicy(record: ConnectionRequestRecord): ApprovalPolicy {
  try {
    return approvalPolicyFor(parseApproversConfig(workflowContext().config.slackApprovers), record.providerEndpoint);
  } catch (error) {
    logger.error('the approvers configuration is not valid; mentioning nobody', { requestId: record.requestId, error: (error as Error).message });
    return { approvers: { users: [], userGroups: [] }, escalation: undefined };
  }
}
