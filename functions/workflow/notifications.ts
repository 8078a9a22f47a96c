import { Logger } from '@aws-lambda-powertools/logger';
import type { ApprovalRecord, PostedApprovalMessage } from '../requests/approvals.ts';
import type { SlackMessage } from '../slack/block-kit.ts';
import type { PostedMessage, SlackClient } from '../slack/client.ts';
import { slackBotClient } from '../slack/credentials.ts';
import {
  approvalRequestMessage,
  decisionMessage,
  hostSetupMessage,
  outcomeMessage,
  reminderMessage,
  type DecisionFacts,
  type RequestOutcome,
} from '../slack/messages.ts';
import type { ConnectionRequestRecord } from '../requests/model.ts';
import { config } from '../shared/config.ts';

const logger = new Logger({ serviceName: 'connection-broker-workflow' });

/**
 * Tells people what only they can do. Slack is optional (without Slack credentials or a channel the
 * request's record and the admin API are the channel); a Slack outage never fails the workflow.
 * Log lines name channels and request ids, never message contents or secrets.
 */
export async function notifyHostSetupNeeded(record: ConnectionRequestRecord, hostArn: string, consoleUrl: string): Promise<PostedMessage | undefined> {
  return post(
    config().hostAdminsChannel,
    () => hostSetupMessage({ requestId: record.requestId, requester: record.requester.slackUserId ?? requesterName(record), providerEndpoint: record.providerEndpoint, hostName: record.hostName, hostArn, consoleUrl }),
  );
}

export interface ApprovalNotice {
  approvalId: string;
  consoleUrl: string;
  /** Mentions of who may approve. */
  approvers: string[];
}

export async function notifyApprovalNeeded(record: ConnectionRequestRecord, notice: ApprovalNotice): Promise<PostedMessage | undefined> {
  return post(config().approversChannel, () => approvalRequestMessage(approvalFacts(record, notice)));
}

/** A reply under the approval request (or, if that was never posted, a message in the approvers' channel). */
export async function notifyApprovalReminder(
  record: ConnectionRequestRecord,
  approval: ApprovalRecord,
  notice: ApprovalNotice & { waitedSeconds: number },
): Promise<PostedMessage | undefined> {
  const build = () =>
    reminderMessage({
      requestId: record.requestId,
      connectionName: record.connectionName,
      providerEndpoint: record.providerEndpoint,
      consoleUrl: notice.consoleUrl,
      waitedSeconds: notice.waitedSeconds,
      approvers: notice.approvers,
    });
  const parent = approval.requestMessage;
  return parent ? post(parent.channel, build, { threadTs: parent.ts }) : post(config().approversChannel, build);
}

/** The approval again, with its buttons, where the escalation contacts will see it. */
export async function notifyApprovalEscalation(
  record: ConnectionRequestRecord,
  notice: ApprovalNotice & { waitedSeconds: number; channel: string | undefined; escalateTo: string[] },
): Promise<PostedMessage | undefined> {
  return post(notice.channel ?? config().approversChannel, () =>
    approvalRequestMessage({ ...approvalFacts(record, notice), escalation: { waitedSeconds: notice.waitedSeconds, mentions: notice.escalateTo } }),
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
  slack?: SlackClient,
): Promise<void> {
  const messages = [approval.requestMessage, approval.escalationMessage].filter((message): message is PostedApprovalMessage => message !== undefined);
  if (messages.length === 0) return;
  const client = slack ?? (await botClient());
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
      logger.warn('could not update an approval message', { requestId: record.requestId, channel: message.channel, error: describe(error) });
    }
  }
}

/**
 * The requester hears how their request ended: as a DM when their Slack user id is known (a JWT
 * claim), otherwise (or if the DM fails) in the approvers' channel.
 */
export async function notifyOutcome(record: ConnectionRequestRecord, decidedBy?: string): Promise<void> {
  const outcome = outcomeOf(record, decidedBy);
  if (!outcome) return;
  const build = () => outcomeMessage({ requestId: record.requestId, providerEndpoint: record.providerEndpoint, connectionName: record.connectionName, outcome });
  if (record.requester.slackUserId && (await post(record.requester.slackUserId, build))) return;
  await post(config().approversChannel, build);
}

/** Who decided, for a message: a Slack approver (`slack:U…`) is mentioned, anyone else named. */
export function displayActor(actor: string): string {
  return /^slack:[UW][A-Z0-9]{2,20}$/.test(actor) ? actor.slice('slack:'.length) : actor;
}

function outcomeOf(record: ConnectionRequestRecord, decidedBy: string | undefined): RequestOutcome | undefined {
  switch (record.status) {
    case 'COMPLETED':
      return { kind: 'completed', connectionArn: record.connectionArn!, pipelineName: record.pipeline?.name };
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
  };
}

async function post(channel: string | undefined, build: () => SlackMessage, options?: { threadTs?: string }): Promise<PostedMessage | undefined> {
  if (!channel) return undefined;
  const slack = await botClient();
  if (!slack) return undefined;
  try {
    return await slack.postMessage(channel, build(), options);
  } catch (error) {
    logger.warn('could not post to Slack', { channel, error: describe(error) });
    return undefined;
  }
}

/** The bot, or undefined when Slack is not configured or its secret cannot be read (logged). */
async function botClient(): Promise<SlackClient | undefined> {
  try {
    return await slackBotClient();
  } catch (error) {
    logger.error('could not read the Slack credentials', { error: describe(error) });
    return undefined;
  }
}

/** Name and message only: a Slack error's cause could carry request details. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function requesterName(record: ConnectionRequestRecord): string {
  return record.requester.email ?? record.requester.id;
}
