import { errorText, logger } from '../shell/powertools.ts';
import type { ApprovalRecord, PostedApprovalMessage } from '../approval/store.ts';
import { deadlineFor, type Deadline, type RemainingTime } from '../shell/deadline.ts';
import type { SlackMessage } from '../adapters/slack/block-kit.ts';
import { SlackApiError, type PostedMessage, type SlackClient } from '../adapters/slack/client.ts';
import { slackBotClient } from '../adapters/slack/credentials.ts';
import {
  approvalRequestMessage,
  decommissionApprovalMessage,
  type DecommissionApprovalFacts,
  decisionMessage,
  hostSetupMessage,
  outcomeMessage,
  reminderMessage,
  type DecisionFacts,
  type RequestOutcome,
} from '../adapters/slack/messages.ts';
import { attentionItems } from '../request/attention.ts';
import type { ConnectionRequestRecord, TimelineEntry } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { providerTypeOf } from '../request/provider.ts';
import { config } from '../shell/config.ts';
import { workflowContext } from './context.ts';


/**
 * Tells people what only they can do. Slack is optional (without Slack credentials or a channel the
 * request's record and the admin API are the channel); a Slack outage never fails the workflow.
 * Log lines name channels and request ids, never message contents or secrets.
 *
 * Slack gets only the time the step can spare (`NoticeOptions.deadline`, from noticeDeadline): a
 * slow Slack is given up, and the step records "Slack notice not delivered" and goes on, instead of
 * running into its Lambda timeout (which would fail the step and roll the request back).
 */

/** Time a workflow step keeps back, after its Slack notices, for its DynamoDB writes and returning. */
export const AFTER_NOTICES_RESERVE_MS = 2000;

/** The part of a step's remaining time (its Lambda context) that its Slack notices may use. */
export function noticeDeadline(context: RemainingTime | undefined): Deadline {
  return deadlineFor(context, AFTER_NOTICES_RESERVE_MS);
}

/** How a notice reaches Slack; unbounded by default. */
export interface NoticeOptions {
  /** When Slack must have answered (noticeDeadline); the secret read and every call end by then. */
  deadline?: Deadline;
  /** A client already bound to the caller's deadline (the interactions handler has one). */
  slack?: SlackClient;
}

/** What became of a notice. Neither field: Slack (or this channel) is not set up, so nothing was due. */
export interface NoticeOutcome {
  posted?: PostedMessage;
  /** Why it did not get to Slack, as a line for the request's timeline (see notDeliveredEntries). */
  notDelivered?: string;
}

/** Timeline entries for the notices that did not get to Slack (none when all did, or none were due). */
export function notDeliveredEntries(step: string, ...outcomes: NoticeOutcome[]): TimelineEntry[] {
  return outcomes.flatMap((outcome) => (outcome.notDelivered ? [timelineEntry(step, 'system', outcome.notDelivered)] : []));
}

/**
 * Adds "Slack notice not delivered" to the request's timeline for each notice that did not get to
 * Slack. Best effort, like the notice itself: a failed write is logged, never thrown, so it cannot
 * fail a step whose real work is done (or make a retried step post again).
 */
export async function recordNotDelivered(requestId: string, step: string, ...outcomes: NoticeOutcome[]): Promise<void> {
  const notes = notDeliveredEntries(step, ...outcomes);
  if (notes.length === 0) return;
  try {
    await workflowContext().store.updateRequest(requestId, (current) => ({ ...current, timeline: [...current.timeline, ...notes] }));
  } catch (error) {
    logger.warn('could not record an undelivered Slack notice in the timeline', { requestId, error: errorText(error) });
  }
}

export async function notifyHostSetupNeeded(record: ConnectionRequestRecord, hostArn: string, consoleUrl: string, options: NoticeOptions = {}): Promise<NoticeOutcome> {
  return post(
    config().hostAdminsChannel,
    { requestId: record.requestId, what: 'the host set-up request' },
    () =>
      hostSetupMessage({
        requestId: record.requestId,
        requester: record.requester.slackUserId ?? requesterName(record),
        providerEndpoint: record.providerEndpoint,
        hostName: record.hostName,
        hostArn,
        consoleUrl,
        vpc: record.vpcConfiguration !== undefined,
        providerType: providerTypeOf(record),
      }),
    options,
  );
}

export interface ApprovalNotice {
  approvalId: string;
  consoleUrl: string;
  /** Mentions of who may approve. */
  approvers: string[];
  /** Which buttons the message offers (APPROVAL_MODE). */
  approvalMode?: 'handshake' | 'explicit';
}

export async function notifyApprovalNeeded(record: ConnectionRequestRecord, notice: ApprovalNotice, options: NoticeOptions = {}): Promise<NoticeOutcome> {
  return post(config().approversChannel, { requestId: record.requestId, what: 'the approval request' }, () => approvalRequestMessage(approvalFacts(record, notice)), options);
}

/** To the approvers' channel: an owner's decommission waits for their decision. */
export async function notifyDecommissionApproval(facts: DecommissionApprovalFacts, options: NoticeOptions = {}): Promise<NoticeOutcome> {
  return post(config().approversChannel, { requestId: facts.requestId, what: 'the decommission approval' }, () => decommissionApprovalMessage(facts), options);
}

/** A reply under the approval request (or, if that was never posted, a message in the approvers' channel). */
export async function notifyApprovalReminder(
  record: ConnectionRequestRecord,
  approval: ApprovalRecord,
  notice: ApprovalNotice & { waitedSeconds: number },
  options: NoticeOptions = {},
): Promise<NoticeOutcome> {
  const build = () =>
    reminderMessage({
      requestId: record.requestId,
      connectionName: record.connectionName,
      providerEndpoint: record.providerEndpoint,
      consoleUrl: notice.consoleUrl,
      waitedSeconds: notice.waitedSeconds,
      approvers: notice.approvers,
      providerType: providerTypeOf(record),
    });
  const parent = approval.requestMessage;
  const subject = { requestId: record.requestId, what: 'the reminder' };
  return parent ? post(parent.channel, subject, build, options, parent.ts) : post(config().approversChannel, subject, build, options);
}

/** The approval again, with its buttons, where the escalation contacts will see it. */
export async function notifyApprovalEscalation(
  record: ConnectionRequestRecord,
  notice: ApprovalNotice & { waitedSeconds: number; channel: string | undefined; escalateTo: string[] },
  options: NoticeOptions = {},
): Promise<NoticeOutcome> {
  return post(
    notice.channel ?? config().approversChannel,
    { requestId: record.requestId, what: 'the escalation' },
    () => approvalRequestMessage({ ...approvalFacts(record, notice), escalation: { waitedSeconds: notice.waitedSeconds, mentions: notice.escalateTo } }),
    options,
  );
}

/** How an approval ended, as its messages should now show it: no buttons, who and when. */
export type ApprovalClosing =
  | { outcome: 'approved' | 'rejected'; decidedBy: string; at: Date }
  | { outcome: 'expired'; at: Date }
  | { outcome: 'cancelled'; reason: string; at: Date };

/**
 * Replaces every message that carries the approval's buttons (the request and the escalation) with
 * how it ended, through chat.update with the stored channel and ts: this works for Slack clicks,
 * admin API decisions and timeouts alike, and long after a click's response_url has expired.
 */
export async function showApprovalClosed(
  approval: ApprovalRecord,
  record: ConnectionRequestRecord,
  closing: ApprovalClosing,
  options: NoticeOptions = {},
): Promise<void> {
  const messages = [approval.requestMessage, approval.escalationMessage].filter((message): message is PostedApprovalMessage => message !== undefined);
  if (messages.length === 0) return;
  const client = options.slack ?? (await botClient(options.deadline));
  if (!client) return;
  const subject = { requestId: record.requestId, connectionName: record.connectionName, providerEndpoint: record.providerEndpoint, decidedAt: closing.at };
  const facts: DecisionFacts =
    closing.outcome === 'expired'
      ? { ...subject, outcome: 'expired' }
      : closing.outcome === 'cancelled'
        ? { ...subject, outcome: 'cancelled', reason: closing.reason }
        : { ...subject, outcome: closing.outcome, decidedBy: displayActor(closing.decidedBy) };
  for (const message of messages) {
    try {
      await client.updateMessage(message.channel, message.ts, decisionMessage(facts));
    } catch (error) {
      logger.warn('could not update an approval message', { requestId: record.requestId, channel: message.channel, error: errorText(error) });
    }
  }
}

/**
 * The requester hears how their request ended: as a DM when their Slack user id is known (a JWT
 * claim), otherwise (or if the DM fails) in the approvers' channel. Both within one deadline.
 */
export async function notifyOutcome(record: ConnectionRequestRecord, decidedBy?: string, options: NoticeOptions = {}): Promise<NoticeOutcome> {
  const outcome = outcomeOf(record, decidedBy);
  if (!outcome) return {};
  const build = () => outcomeMessage({ requestId: record.requestId, providerEndpoint: record.providerEndpoint, connectionName: record.connectionName, outcome });
  const subject = { requestId: record.requestId, what: 'the outcome for the requester' };
  const direct = record.requester.slackUserId ? await post(record.requester.slackUserId, subject, build, options) : {};
  if (direct.posted) return direct;
  const inChannel = await post(config().approversChannel, subject, build, options);
  // Not due in the channel (none set): what became of the DM is the answer.
  return inChannel.posted || inChannel.notDelivered ? inChannel : direct;
}

/** Who approved when the finished handshake is the approval (APPROVAL_MODE=handshake). */
export const HANDSHAKE_ACTOR = 'aws-console';

/** Who decided, for a message: a Slack approver (`slack:U…`) is mentioned, anyone else named. */
export function displayActor(actor: string): string {
  if (actor === HANDSHAKE_ACTOR) return 'the handshake, finished in the AWS console';
  return /^slack:[UW][A-Z0-9]{2,20}$/.test(actor) ? actor.slice('slack:'.length) : actor;
}

function outcomeOf(record: ConnectionRequestRecord, decidedBy: string | undefined): RequestOutcome | undefined {
  switch (record.status) {
    case 'COMPLETED':
      return {
        kind: 'completed',
        connectionArn: record.connectionArn!,
        pipelineName: record.pipeline?.name,
        attention: attentionItems(record, { grantMode: config().pipelineAttach.grantMode }).map((item) => item.message),
      };
    case 'REJECTED':
      return { kind: 'rejected', decidedBy: decidedBy ? displayActor(decidedBy) : 'an approver' };
    case 'TIMED_OUT':
      return { kind: 'expired' };
    case 'CANCELLED':
      return { kind: 'cancelled' };
    case 'FAILED':
      return { kind: 'failed', reason: record.failure?.message ?? 'unknown' };
    default:
      return undefined;
  }
}

function approvalFacts(record: ConnectionRequestRecord, notice: ApprovalNotice) {
  return {
    approvalId: notice.approvalId,
    requestId: record.requestId,
    requester: record.requester.slackUserId ?? requesterName(record),
    providerEndpoint: record.providerEndpoint,
    connectionName: record.connectionName,
    connectionArn: record.connectionArn!,
    consoleUrl: notice.consoleUrl,
    region: record.region,
    approvers: notice.approvers,
    approvalMode: notice.approvalMode,
    providerType: providerTypeOf(record),
  };
}

/** Posts one notice, or says why it was not posted; never throws. */
async function post(
  channel: string | undefined,
  subject: { requestId: string; what: string },
  build: () => SlackMessage,
  options: NoticeOptions,
  threadTs?: string,
): Promise<NoticeOutcome> {
  if (!channel) return {};
  let slack: SlackClient | undefined;
  try {
    slack = options.slack ?? (await slackBotClient('background', options.deadline));
  } catch (error) {
    logger.error('could not read the Slack credentials; the notice is not delivered', { requestId: subject.requestId, channel, error: errorText(error) });
    return { notDelivered: notDeliveredLine(subject.what, channel, 'the Slack credentials could not be read') };
  }
  if (!slack) return {};
  try {
    return { posted: await slack.postMessage(channel, build(), threadTs ? { threadTs } : undefined) };
  } catch (error) {
    const code = error instanceof SlackApiError ? error.code : 'error';
    logger.warn('could not post to Slack; the notice is not delivered and the workflow goes on', { requestId: subject.requestId, channel, code, error: errorText(error) });
    return { notDelivered: notDeliveredLine(subject.what, channel, code) };
  }
}

function notDeliveredLine(what: string, channel: string, reason: string): string {
  const why = reason === 'timed_out' || reason === 'no_time_left' ? 'Slack did not answer in time' : reason;
  return `Slack notice not delivered: ${what} to ${channel} (${why}).`;
}

/** The bot, or undefined when Slack is not configured or its secret cannot be read (logged). */
async function botClient(deadline?: Deadline): Promise<SlackClient | undefined> {
  try {
    return await slackBotClient('background', deadline);
  } catch (error) {
    logger.error('could not read the Slack credentials', { error: errorText(error) });
    return undefined;
  }
}


function requesterName(record: ConnectionRequestRecord): string {
  return record.requester.email ?? record.requester.id;
}
