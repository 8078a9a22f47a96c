import { Logger } from '@aws-lambda-powertools/logger';
import type { SlackMessage } from '../slack/block-kit.ts';
import { sharedSlackClient, type PostedMessage } from '../slack/client.ts';
import { approvalRequestMessage, hostSetupMessage, outcomeMessage, type RequestOutcome } from '../slack/messages.ts';
import type { ConnectionRequestRecord } from '../requests/model.ts';
import { config } from '../shared/config.ts';

const logger = new Logger({ serviceName: 'connection-broker-workflow' });

/**
 * Tells people what only they can do. Slack is optional (without a bot token or channel the
 * request's record and the admin API are the channel); a Slack outage never fails the workflow.
 */
export async function notifyHostSetupNeeded(record: ConnectionRequestRecord, hostArn: string, consoleUrl: string): Promise<PostedMessage | undefined> {
  return post(
    config().hostAdminsChannel,
    () => hostSetupMessage({ requestId: record.requestId, requester: requesterName(record), providerEndpoint: record.providerEndpoint, hostName: record.hostName, hostArn, consoleUrl }),
  );
}

export async function notifyApprovalNeeded(record: ConnectionRequestRecord, approvalId: string, consoleUrl: string): Promise<PostedMessage | undefined> {
  return post(config().approversChannel, () =>
    approvalRequestMessage({
      approvalId,
      requestId: record.requestId,
      requester: requesterName(record),
      providerEndpoint: record.providerEndpoint,
      connectionName: record.connectionName,
      connectionArn: record.connectionArn!,
      consoleUrl,
      region: record.region,
    }),
  );
}

/** The requester hears the outcome in the approvers' channel (DMs by Slack id come with the approvals work). */
export async function notifyOutcome(record: ConnectionRequestRecord): Promise<void> {
  const outcome = outcomeOf(record);
  if (!outcome) return;
  await post(config().approversChannel, () =>
    outcomeMessage({ requestId: record.requestId, providerEndpoint: record.providerEndpoint, connectionName: record.connectionName, outcome }),
  );
}

function outcomeOf(record: ConnectionRequestRecord): RequestOutcome | undefined {
  switch (record.status) {
    case 'COMPLETED':
      return { kind: 'completed', connectionArn: record.connectionArn!, pipelineName: record.pipeline?.name };
    case 'REJECTED':
      return { kind: 'rejected', decidedBy: record.failure?.message ?? 'an approver' };
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

async function post(channel: string | undefined, build: () => SlackMessage): Promise<PostedMessage | undefined> {
  if (!channel || !process.env.SLACK_BOT_TOKEN) return undefined;
  try {
    return await sharedSlackClient().postMessage(channel, build());
  } catch (error) {
    logger.warn('could not post to Slack', { channel, error: error as Error });
    return undefined;
  }
}

function requesterName(record: ConnectionRequestRecord): string {
  return record.requester.email ?? record.requester.id;
}
