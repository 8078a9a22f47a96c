import { logger } from '../shell/powertools.ts';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApprovalStore } from './store.ts';
import { BrokerStore } from '../request/store.ts';
import { clients, provideClients } from '../adapters/aws-clients.ts';
import { clientsForArn } from '../adapters/aws/target-clients.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import { ApiError, serviceUnavailable } from '../shell/http-errors.ts';
import { httpHandler, type HttpRoute } from '../shell/http-handler.ts';
import { config } from '../shell/config.ts';
import { deadlineFor, type RemainingTime } from '../shell/deadline.ts';
import { slackClientWithin } from '../adapters/slack/client.ts';
import { slackCredentials } from '../adapters/slack/credentials.ts';
import { showApprovalClosed } from '../workflow/notifications.ts';
import { answerClick } from './answer-click.ts';
import { parseApproversConfig } from './approvers.ts';
import { readInteraction, type CheckClick } from './interaction.ts';
import { checkMessage, checkRequest } from '../waits/check.ts';
import { workflowContext } from '../workflow/context.ts';
import { RequestNotFoundError } from '../request/store-errors.ts';
import type { SlackClient } from '../adapters/slack/client.ts';
import type { Deadline } from '../shell/deadline.ts';


const EMPTY_200: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: '' };

/**
 * Time kept back from Slack for what must happen after a Slack call: the decision (a conditional
 * write, GetConnection, SendTaskSuccess) follows the user-group lookup.
 */
export const CLICK_RESERVE_MS = 3000;

/**
 * "Done — check now": anyone in the channel may ask (the message went to the people who act, and
 * a check only does, sooner, what the watcher does within the minute). They hear, privately, what
 * it found.
 */
async function answerCheck(click: CheckClick, slack: SlackClient, deadline: Deadline): Promise<void> {
  const { store } = workflowContext();
  let reply: string;
  try {
    const check = await checkRequest(click.requestId, `slack:${click.userId}`, { slack, deadline });
    reply = checkMessage(check, (await store.getRequest(click.requestId)).status);
  } catch (error) {
    if (!(error instanceof RequestNotFoundError)) {
      logger.warn('a check from Slack failed; the watcher looks again within the minute', { requestId: click.requestId, error: (error as Error).message });
      reply = 'Could not check just now; the broker looks again within the minute anyway.';
    } else {
      reply = 'This request is unknown; nothing was checked.';
    }
  }
  logger.info('checked a request from Slack', { requestId: click.requestId, userId: click.userId });
  if (!click.responseUrl) return;
  try {
    await slack.respond(click.responseUrl, { text: reply, blocks: [] }, { replaceOriginal: false });
  } catch (error) {
    logger.warn('could not answer the clicker', { requestId: click.requestId, error: (error as Error).message });
  }
}

/**
 * POST /slack/interactions: an Approve/Reject click. Checked before anything is parsed (signature,
 * timestamp), then the workspace and app, then who clicked; decided exactly once (decideApproval).
 *
 * The work is done before answering, not after: Lambda cannot run on once it has returned, and
 * what is done (two DynamoDB reads, a conditional write, GetConnection, SendTaskSuccess, a message
 * update) takes well under a second once warm. Slack's three seconds only bound how long the user
 * waits for the ack: Slack does not retry interactions, so a late ack costs an error icon, never a
 * lost or doubled decision. The slow parts are bounded (Slack calls with 1 s timeouts, the secret
 * cached for five minutes), and together they end by the Lambda's remaining time less
 * CLICK_RESERVE_MS, so a slow Slack or Secrets Manager cannot time the function out mid-decision.
 */
async function interaction(event: APIGatewayProxyEventV2, context?: RemainingTime): Promise<APIGatewayProxyStructuredResultV2> {
  const settings = config();
  const slackDeadline = deadlineFor(context, CLICK_RESERVE_MS);
  let credentials;
  try {
    credentials = await slackCredentials(process.env, undefined, slackDeadline);
  } catch (error) {
    logger.error('could not read the Slack credentials; refusing Slack interactions', { error: (error as Error).message });
    throw serviceUnavailable('SlackNotConfigured', 'Slack interactivity is not available right now.');
  }
  if (!credentials || !settings.slackTeamId || !settings.slackAppId) {
    // Fail closed: without the secret, the workspace and the app there is nothing to check against.
    logger.error('Slack interactivity is not configured (signing secret, SLACK_TEAM_ID and SLACK_APP_ID are all required)');
    throw serviceUnavailable('SlackNotConfigured', 'Slack interactivity is not configured.');
  }

  const verdict = readInteraction(event, {
    signingSecret: credentials.signingSecret,
    teamId: settings.slackTeamId,
    appId: settings.slackAppId,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  if (verdict.kind === 'refused') {
    logger.warn('refused a Slack request', { reason: verdict.reason, status: verdict.status });
    // Slack reads only the status; the reason stays in our log, not in the answer.
    throw new ApiError(verdict.status, 'SlackRequestRefused', 'This is not a valid Slack request for this app.');
  }
  if (verdict.kind === 'ignored') return EMPTY_200;
  logger.appendKeys(verdict.kind === 'check' ? { requestId: verdict.check.requestId } : { approvalId: verdict.click.approvalId });

  const slack = slackClientWithin(credentials.botToken, 'interactive', slackDeadline);
  if (verdict.kind === 'check') {
    await answerCheck(verdict.check, slack, slackDeadline);
    return EMPTY_200;
  }

  const aws = clients();
  const approvals = new ApprovalStore(aws.documents, settings.tableName);
  const store = new BrokerStore(aws.documents, settings.tableName);
  const reply = await answerClick(verdict.click, {
    aws,
    awsForArn: (arn: string) => clientsForArn(arn, aws, settings),
    approvals,
    store,
    approversConfig: () => parseApproversConfig(settings.slackApprovers),
    membersOf: (userGroup) => slack.userGroupMembers(userGroup),
    showClosed: (approval, record, closing) => showApprovalClosed(approval, record, closing, { slack }),
    log: logger,
  });
  if (reply && verdict.click.responseUrl) {
    try {
      await slack.respond(verdict.click.responseUrl, { text: reply, blocks: [] }, { replaceOriginal: false });
    } catch (error) {
      logger.warn('could not answer the clicker', { approvalId: verdict.click.approvalId, error: (error as Error).message });
    }
  }
  return EMPTY_200;
}

provideClients(connectionsClient, stepFunctionsClient, documentsClient);

/** One route; its refusals are problem details like every other HTTP function's (Slack reads only the status). */
export const slackRoutes: HttpRoute<APIGatewayProxyEventV2>[] = [{ method: 'POST', path: '/slack/interactions', handler: interaction }];
export const handler = httpHandler(slackRoutes);
