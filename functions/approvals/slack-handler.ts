import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApprovalStore } from '../requests/approvals.ts';
import { BrokerStore } from '../requests/store.ts';
import { clients } from '../shared/clients.ts';
import { config } from '../shared/config.ts';
import { sharedSlackClient } from '../slack/client.ts';
import { InteractionPayloadError, parseInteractionPayload } from '../slack/interaction-payload.ts';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, decisionMessage } from '../slack/messages.ts';
import { decodeApiGatewayBody, slackSignatureHeaders, verifySlackRequest } from '../slack/signature.ts';
import { decideApproval } from './decide.ts';

const logger = new Logger({ serviceName: 'connection-broker-slack' });

/**
 * POST /slack/interactions: an Approve/Reject click. The signature is checked on the raw body
 * before anything is parsed; the button carries only the approval id; the decision is taken
 * exactly once (see decideApproval). Slack always gets a quick 200 unless the request is not
 * Slack's, and the clicker hears the result through the message's response_url.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const signingSecret = process.env.SLACK_SIGNING_SECRET;
  if (!signingSecret) {
    logger.error('SLACK_SIGNING_SECRET is not set; refusing Slack interactions');
    return { statusCode: 503, body: '' };
  }
  const rawBody = decodeApiGatewayBody(event);
  const verification = verifySlackRequest({ signingSecret, rawBody, ...slackSignatureHeaders(event.headers), nowSeconds: Math.floor(Date.now() / 1000) });
  if (!verification.ok) {
    logger.warn('rejected a Slack request', { reason: verification.reason });
    return { statusCode: 401, body: '' };
  }

  let payload;
  try {
    payload = parseInteractionPayload(rawBody);
  } catch (error) {
    if (error instanceof InteractionPayloadError) return { statusCode: 400, body: '' };
    throw error;
  }
  const expectedTeam = process.env.SLACK_TEAM_ID;
  const expectedApp = process.env.SLACK_APP_ID;
  if ((expectedTeam && payload.team.id !== expectedTeam) || (expectedApp && payload.api_app_id !== expectedApp)) {
    logger.warn('rejected a Slack request from another workspace or app');
    return { statusCode: 403, body: '' };
  }

  const action = payload.actions.find((candidate) => candidate.action_id === APPROVE_ACTION_ID || candidate.action_id === REJECT_ACTION_ID);
  if (!action) return { statusCode: 200, body: '' };
  const aws = clients();
  const settings = config();
  const approvals = new ApprovalStore(aws.documents, settings.tableName);
  const store = new BrokerStore(aws.documents, settings.tableName);
  const slack = sharedSlackClient();
  const reply = async (text: string) => {
    if (payload.response_url) await slack.respond(payload.response_url, { text, blocks: [] }, { replaceOriginal: false });
  };

  const approval = await approvals.get(action.value);
  if (!approval) {
    await reply('This approval is unknown or has expired; nothing was changed.');
    return { statusCode: 200, body: '' };
  }
  const decision = action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject';
  const outcome = await decideApproval(approval, decision, `slack:${payload.user.id}`, { aws, approvals, store });
  if (outcome.kind === 'handshake-pending') {
    await reply(
      `The connection is still ${outcome.connectionStatus}. A GitHub organization owner must first choose "Update pending connection" in the AWS console: ${outcome.consoleUrl} — then approve again.`,
    );
  } else if (outcome.kind === 'already-decided') {
    await reply(`This request was already ${outcome.status.toLowerCase()}${outcome.decidedBy ? ` by ${outcome.decidedBy}` : ''}; nothing was changed.`);
  } else if (payload.response_url) {
    const record = await store.getRequest(approval.requestId);
    await slack.respond(
      payload.response_url,
      decisionMessage({
        requestId: record.requestId,
        connectionName: record.connectionName,
        providerEndpoint: record.providerEndpoint,
        decidedAt: new Date(outcome.approval.decidedAt ?? Date.now()),
        outcome: decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: `<@${payload.user.id}>`,
      }),
    );
  }
  return { statusCode: 200, body: '' };
}
