import { logger } from '../shell/powertools.ts';
import { approvalPolicyFor, mentionsOf, parseApproversConfig, type ApprovalPolicy } from './approvers.ts';
import { resumeWorkflow } from './decide.ts';
import type { ApprovalNotice } from './schedule.ts';
import { connectionConsoleUrl } from '../request/console-links.ts';
import { newApprovalId, type ApprovalRecord } from './store.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { handshakeStep, mustSentence, waitingForPhrase } from '../request/next-action.ts';
import { providerTypeOf } from '../request/provider.ts';
import { timelineEntry } from '../request/store.ts';
import { duration } from '../adapters/slack/messages.ts';
import type { RemainingTime } from '../shell/deadline.ts';
import { updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import {
  noticeDeadline,
  notDeliveredEntries,
  notifyApprovalEscalation,
  notifyApprovalNeeded,
  notifyApprovalReminder,
  recordNotDelivered,
  type NoticeOptions,
} from '../workflow/notifications.ts';
import { provideClients } from '../adapters/aws-clients.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(documentsClient);


/** The approval was closed (the request is being rolled back) before the wait could begin. */
export class ApprovalClosedError extends Error {
  constructor(requestId: string) {
    super(`The approval of request ${requestId} is already closed.`);
    this.name = 'ApprovalClosedError';
  }
}

export type ApprovalWaitInput = StepInput & { taskToken: string };

/**
 * The AwaitHandshake state (`.waitForTaskToken`, TimeoutSeconds = the approval timeout): asks the
 * approvers once and records the wait, then the workflow pauses at no cost until the handshake is
 * noticed (the watcher, or "check now"), an approver decides, or the timeout rolls it back. The
 * reminder and the escalation come from the watcher, so the wait costs the same transitions
 * however long it lasts.
 *
 * The request has one approval id: it is written to the request before the approval exists, so a
 * retry after a crash in between completes the same approval instead of starting a second one;
 * a retry re-points it at its new token. The task token goes into the approval record and nowhere
 * else. Slack gets the time the step can spare (noticeDeadline); a notice it does not take in time
 * is recorded as not delivered, and the wait begins anyway.
 */
async function requestApproval(event: ApprovalWaitInput, context?: RemainingTime): Promise<void> {
  const slack: NoticeOptions = { deadline: noticeDeadline(context) };
  const { approvals, config, aws, waits } = workflowContext();

  // A cancelled or finished request asks nobody (RequestNotActive).
  const record = await updateActiveRequest(event.requestId, (current) => (current.approvalId ? undefined : { ...current, approvalId: newApprovalId() }));
  const approvalId = record.approvalId!;
  const approval = await approvals.open({
    approvalId,
    requestId: record.requestId,
    taskToken: event.taskToken,
    // DynamoDB's TTL removes the record, and the token in it, a day after the wait can last.
    expiresAt: Math.floor(Date.now() / 1000) + config.approvalSchedule.timeoutSeconds + 86_400,
  });

  if (approval.status === 'APPROVED' || approval.status === 'REJECTED') {
    // Decided while a retried attempt of this state was starting: pass it on with the new token.
    await resumeWorkflow(approval, aws.stepFunctions);
    return;
  }
  if (approval.status !== 'PENDING') throw new ApprovalClosedError(record.requestId);

  const since = record.waitingFor?.since && record.status === 'WAITING_FOR_APPROVAL' ? record.waitingFor.since : new Date().toISOString();
  await waits.begin({
    requestId: record.requestId,
    kind: 'handshake',
    resourceArn: record.connectionArn!,
    since,
    deadline: new Date(Date.parse(since) + config.approvalSchedule.timeoutSeconds * 1000).toISOString(),
    approvalId,
    availableApproves: config.approvalMode === 'handshake',
    expiresAt: Math.floor(Date.parse(since) / 1000) + config.approvalSchedule.timeoutSeconds + 86_400,
  });
  await askApprovers(record, approval, approvalPolicy(record), connectionConsoleUrl(record.connectionArn!), since, slack);
}

async function askApprovers(record: ConnectionRequestRecord, approval: ApprovalRecord, policy: ApprovalPolicy, consoleUrl: string, since: string, slack: NoticeOptions): Promise<void> {
  const { approvals, config } = workflowContext();
  // The words of the request's nextAction and of the Slack notice (requests/next-action.ts).
  const step = handshakeStep({ connectionName: record.connectionName, approvalMode: config.approvalMode, providerType: providerTypeOf(record) });
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
            since,
          },
          timeline: [...current.timeline, timelineEntry('approval', 'system', `Asked the approvers: ${mustSentence(step)}`)],
        },
  );
  // A retried step must not post the request twice.
  if (approval.requestMessage) return;
  const notice = await notifyApprovalNeeded(
    updated,
    { approvalId: approval.approvalId, consoleUrl, approvers: mentionsOf(policy.approvers), approvalMode: config.approvalMode },
    slack,
  );
  if (notice.posted) await approvals.attachMessage(approval.approvalId, 'requestMessage', notice.posted);
  await recordNotDelivered(record.requestId, 'approval', notice);
}

/**
 * The reminder or the escalation of a request's approval, sent once (the approval record's claim),
 * by the watcher when it is due. False when it was not sent: already sent, or decided meanwhile.
 */
export async function sendApprovalNotice(requestId: string, approvalId: string, notice: ApprovalNotice, slack: NoticeOptions = {}): Promise<boolean> {
  const { approvals, store } = workflowContext();
  if (!(await approvals.claimNotice(approvalId, notice === 'reminder' ? 'remindedAt' : 'escalatedAt'))) return false;
  const [record, approval] = await Promise.all([store.getRequest(requestId), approvals.get(approvalId)]);
  if (!approval) return false;
  const policy = approvalPolicy(record);
  const consoleUrl = connectionConsoleUrl(record.connectionArn!);
  if (notice === 'reminder') await remindApprovers(record, approval, policy, consoleUrl, slack);
  else await escalate(record, approval, policy, consoleUrl, slack);
  return true;
}

async function remindApprovers(record: ConnectionRequestRecord, approval: ApprovalRecord, policy: ApprovalPolicy, consoleUrl: string, slack: NoticeOptions): Promise<void> {
  const { store, config } = workflowContext();
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
  const waitedSeconds = config.approvalSchedule.escalateAfterSeconds;
  // Without escalation contacts the escalation still goes out, to the approvers, louder.
  const escalateTo = policy.escalation && (policy.escalation.users.length > 0 || policy.escalation.userGroups.length > 0) ? policy.escalation : policy.approvers;
  const channel = policy.escalation?.channel ?? config.approversChannel;
  const notice = await notifyApprovalEscalation(
    record,
    {
      approvalId: approval.approvalId,
      consoleUrl,
      approvers: mentionsOf(policy.approvers),
      approvalMode: config.approvalMode,
      waitedSeconds,
      channel,
      escalateTo: mentionsOf(escalateTo),
    },
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
export function approvalPolicy(record: ConnectionRequestRecord): ApprovalPolicy {
  try {
    return approvalPolicyFor(parseApproversConfig(workflowContext().config.slackApprovers), record.providerEndpoint, record.accountApprovers);
  } catch (error) {
    logger.error('the approvers configuration is not valid; mentioning nobody', { requestId: record.requestId, error: (error as Error).message });
    return { approvers: { users: [], userGroups: [] }, escalation: undefined };
  }
}

export const handler = stepHandler('request-approval', requestApproval);
