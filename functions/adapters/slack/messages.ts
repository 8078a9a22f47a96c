import { capitalise, handshakeStep, hostSetupStep, mustSentence } from '../../request/next-action.ts';
import { hostWords, providerTypeOf, providerWords, type ProviderType } from '../../request/provider.ts';
import { BLOCK_KIT_LIMITS, mrkdwn, plainText, type Block, type Button, type SlackMessage } from './block-kit.ts';
import { escapeText, link, person, slackDate } from './mrkdwn.ts';

/**
 * The Slack messages of a provisioning request, as pure functions of their facts. Each one says who
 * must act and where, because only the AWS console can finish a host or a connection.
 *
 * Approval buttons carry the approval id and nothing else: the Step Functions task token stays in
 * our table. A token is a bearer credential that may be 2048 characters long (a button value holds
 * 2000), and anything in a message is copied to every reader, client and export.
 */

export const APPROVE_ACTION_ID = 'approve';
export const REJECT_ACTION_ID = 'reject';
/** "Done — check now": look at the request's host or connection at once instead of within the minute. */
export const CHECK_NOW_ACTION_ID = 'check_now';
export const APPROVAL_BLOCK_ID = 'approval-decision';
export const HOST_SETUP_BLOCK_ID = 'host-setup-done';

/** Request ids are UUIDs; the button that carries one carries nothing else. */
const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** Approval ids are short random strings (base64url or UUID); the narrow pattern keeps anything token-like out of a button. */
const APPROVAL_ID = /^[A-Za-z0-9_-]{8,128}$/;

/** Bad input to a message builder: a bug in the caller, never something to show a user. */
export class MessageInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'MessageInputError';
  }
}

export interface HostSetupFacts {
  requestId: string;
  /** A Slack user id (mentioned) or a name (shown as given). */
  requester: string;
  providerEndpoint: string;
  hostName: string;
  hostArn: string;
  /** The host's page in the AWS console. */
  consoleUrl: string;
  /** A VPC host, which must finish initializing before it can be set up. */
  vpc?: boolean;
  /** What runs at the endpoint; GHES when left out. */
  providerType?: ProviderType;
}

/** To the provider's administrators (GHES or GitLab): the host exists but only they can finish it with "Set up host". */
export function hostSetupMessage(facts: HostSetupFacts): SlackMessage {
  const consoleUrl = checkedConsoleUrl(facts.consoleUrl);
  const endpoint = escapeText(facts.providerEndpoint);
  const words = { ...providerWords(providerTypeOf(facts)), ...hostWords(providerTypeOf(facts)) };
  return {
    // The same sentence as the request's nextAction.message (requests/next-action.ts).
    text: fallback(`${mustSentence(hostSetupStep(facts))} Host ${facts.hostName}, request ${facts.requestId}.`),
    blocks: [
      { type: 'header', text: plainText(`Set up a ${words.product} host`, BLOCK_KIT_LIMITS.headerText) },
      section(`*Who must act:* a *${words.hostAdminRole} of ${endpoint}*, signed in to the AWS console of this account. ${words.hostSetupNeeds}`),
      section(
        `*What to do:*\n1. Open the host in the AWS console: ${link(consoleUrl, facts.hostName)}\n` +
          `2. Choose *Set up host* and ${words.hostSetupDoes}.\n` +
          '3. Nothing to do here afterwards: the broker notices within a minute that the host is Available and carries on. ' +
          'Choose *Done — check now* to have it look at once.',
      ),
      fields([
        ['Request', escapeText(facts.requestId)],
        ['Requested by', person(facts.requester)],
        [words.product, endpoint],
        ['Host', escapeText(facts.hostName)],
        ['Host ARN', escapeText(facts.hostArn)],
      ]),
      { type: 'actions', block_id: HOST_SETUP_BLOCK_ID, elements: [checkNowButton(facts.requestId)] },
    ],
  };
}

export interface ApprovalRequestFacts {
  /** The opaque id the buttons carry back; it maps to the task token on our side only. */
  approvalId: string;
  requestId: string;
  requester: string;
  providerEndpoint: string;
  connectionName: string;
  connectionArn: string;
  /** The connection's page in the AWS console (its address depends on the ARN's service prefix). */
  consoleUrl: string;
  region: string;
  /** Mentions (`<@U…>`, `<!subteam^S…>`) of who may approve; shown so everyone knows whose click counts. */
  approvers?: string[];
  /** Set on the copy posted when an overdue approval is escalated. */
  escalation?: { waitedSeconds: number; mentions: string[] };
  /** `handshake` (default): the finished handshake is the approval; `explicit`: an approver must also approve. */
  approvalMode?: 'handshake' | 'explicit';
  /** What runs at the endpoint; GHES when left out. */
  providerType?: ProviderType;
}

/** To the approvers: finish "Update pending connection" in the console, then approve or reject here. */
export function approvalRequestMessage(facts: ApprovalRequestFacts): SlackMessage {
  if (!APPROVAL_ID.test(facts.approvalId)) {
    throw new MessageInputError('approvalId', 'must be 8-128 letters, digits, "-" or "_" (an opaque id, never a task token)');
  }
  const consoleUrl = checkedConsoleUrl(facts.consoleUrl);
  const endpoint = escapeText(facts.providerEndpoint);
  const connection = escapeText(facts.connectionName, 64);
  const approvers = checkedMentions(facts.approvers ?? [], 'approvers');
  const escalation = facts.escalation && { waited: duration(facts.escalation.waitedSeconds), mentions: checkedMentions(facts.escalation.mentions, 'escalation.mentions') };
  const mode = facts.approvalMode ?? 'handshake';
  const providerType = providerTypeOf(facts);
  const words = providerWords(providerType);
  const afterwards =
    mode === 'handshake'
      ? '3. That is all: once the connection is Available, that is the approval, and the broker notices within a minute and carries on. ' +
        'Choose *Done — check now* to have it look at once.\n'
      : '3. Come back here and choose *Approve*. The broker checks that the connection is Available before it continues.\n';
  const reject = decisionButton(REJECT_ACTION_ID, 'Reject', 'danger', facts.approvalId, {
    title: 'Reject this request?',
    text: `The broker removes the pending connection ${connection} and tells the requester it was rejected.`,
    confirm: 'Reject',
  });
  const buttons =
    mode === 'handshake'
      ? [checkNowButton(facts.requestId), reject]
      : [
          decisionButton(APPROVE_ACTION_ID, 'Approve', 'primary', facts.approvalId, {
            title: 'Approve this connection?',
            text:
              `Approve only after *Update pending connection* is done for ${connection}. ` +
              'The broker then verifies it and attaches it to the pipeline.',
            confirm: 'Approve',
          }),
          reject,
        ];
  return {
    text: fallback(
      (escalation ? `Escalated after ${escalation.waited} without a decision. ` : '') +
        `Approval needed: connection ${facts.connectionName} to ${facts.providerEndpoint}, requested by `,
      { person: facts.requester },
      // The same sentence as the request's nextAction.message (requests/next-action.ts).
      `. ${mustSentence(handshakeStep({ connectionName: facts.connectionName, approvalMode: mode, providerType }))} Region: ${facts.region}.`,
    ),
    blocks: [
      {
        type: 'header',
        text: plainText(escalation ? 'Escalated: an approval is overdue' : `Approve a ${words.product} connection`, BLOCK_KIT_LIMITS.headerText),
      },
      ...(escalation
        ? [
            section(
              `:rotating_light: Nobody has approved or rejected this request for *${escalation.waited}*.` +
                (escalation.mentions.length > 0 ? ` ${escalation.mentions.join(' ')}, please decide or find ${words.connectionOwner}.` : ''),
            ),
          ]
        : []),
      section(
        `*Who must act:* an *${words.connectionOwnerOn(endpoint)}*, signed in to the AWS console ` +
          `in *${escapeText(facts.region, 40)}*. ${words.connectionOwnerNeeds}`,
      ),
      section(
        `*What to do:*\n1. Open the connection in the AWS console: ${link(consoleUrl, facts.connectionName)}\n` +
          `2. Choose *Update pending connection* and ${words.handshakeDoes}.\n` +
          afterwards +
          'Choose *Reject* if this connection should not be made.',
      ),
      fields([
        ['Request', escapeText(facts.requestId)],
        ['Requested by', person(facts.requester)],
        [words.product, endpoint],
        ['Connection', connection],
        ['Connection ARN', escapeText(facts.connectionArn)],
        ['Region', escapeText(facts.region, 40)],
      ]),
      ...(approvers.length > 0 ? [context(`Who may approve: ${approvers.join(' ')}`)] : []),
      {
        type: 'actions',
        block_id: APPROVAL_BLOCK_ID,
        elements: buttons,
      },
    ],
  };
}

export interface DecommissionApprovalFacts {
  approvalId: string;
  requestId: string;
  /** Who asked to decommission: the connection's owner (an admin's runs without asking). */
  requestedBy: string;
  providerEndpoint: string;
  connectionName: string;
  connectionArn: string;
  /** One line per thing the decommission detaches (functions/decommission/guard.ts describeUser). */
  detaches: string[];
  reason?: string;
  approvers?: string[];
}

/** To the approvers: an owner asks to delete a connection; allow or refuse it here (or through the admin API). */
export function decommissionApprovalMessage(facts: DecommissionApprovalFacts): SlackMessage {
  if (!APPROVAL_ID.test(facts.approvalId)) {
    throw new MessageInputError('approvalId', 'must be 8-128 letters, digits, "-" or "_" (an opaque id, never a task token)');
  }
  const connection = escapeText(facts.connectionName, 64);
  const approvers = checkedMentions(facts.approvers ?? [], 'approvers');
  const detaches = facts.detaches.length > 0 ? facts.detaches.map((line) => `• ${escapeText(line, 300)}`).join('\n') : 'Nothing uses it now.';
  return {
    text: fallback(`Decommission asked: connection ${facts.connectionName} to ${facts.providerEndpoint}, by `, { person: facts.requestedBy }, '. Allow or refuse it.'),
    blocks: [
      { type: 'header', text: plainText('Allow deleting a connection?', BLOCK_KIT_LIMITS.headerText) },
      section(
        `${person(facts.requestedBy)} asks to *decommission* connection *${connection}* to ${escapeText(facts.providerEndpoint)}: ` +
          'the broker detaches what it attached, removes the UseConnection grants it added, deletes the connection, and the host when nothing else uses it.' +
          (facts.reason ? `\n*Reason:* ${escapeText(facts.reason, 500)}` : ''),
      ),
      section(`*What changes:*\n${detaches}`),
      fields([
        ['Request', escapeText(facts.requestId)],
        ['Connection ARN', escapeText(facts.connectionArn)],
      ]),
      ...(approvers.length > 0 ? [context(`Who may decide: ${approvers.join(' ')}`)] : []),
      {
        type: 'actions',
        block_id: APPROVAL_BLOCK_ID,
        elements: [
          decisionButton(APPROVE_ACTION_ID, 'Allow', 'primary', facts.approvalId, {
            title: 'Delete this connection?',
            text: `The broker deletes ${connection}. Pipelines it detaches go back to the source action they had before.`,
            confirm: 'Allow',
          }),
          decisionButton(REJECT_ACTION_ID, 'Refuse', 'danger', facts.approvalId, {
            title: 'Refuse the decommission?',
            text: `${connection} stays, and keeps working.`,
            confirm: 'Refuse',
          }),
        ],
      },
    ],
  };
}

export interface ReminderFacts {
  requestId: string;
  connectionName: string;
  providerEndpoint: string;
  consoleUrl: string;
  waitedSeconds: number;
  /** Who may approve, as mentions, so the reminder notifies them. */
  approvers: string[];
  /** What runs at the endpoint; GHES when left out. */
  providerType?: ProviderType;
}

/** A reply in the approval request's thread: still waiting, who should act, where. The buttons stay on the request. */
export function reminderMessage(facts: ReminderFacts): SlackMessage {
  const consoleUrl = checkedConsoleUrl(facts.consoleUrl);
  const approvers = checkedMentions(facts.approvers, 'approvers');
  const waited = duration(facts.waitedSeconds);
  const subject = `connection ${escapeText(facts.connectionName, 64)} to ${escapeText(facts.providerEndpoint)}`;
  return {
    text: fallback(`Reminder: the connection ${facts.connectionName} to ${facts.providerEndpoint} has waited ${waited} for the handshake and an approval.`),
    blocks: [
      section(
        `:alarm_clock: *Reminder:* the ${subject} has waited *${waited}*.` +
          (approvers.length > 0 ? ` ${approvers.join(' ')}` : '') +
          `\n${capitalise(providerWords(providerTypeOf(facts)).connectionOwner)} must choose *Update pending connection* (${link(consoleUrl, 'open the connection')}), ` +
          'then approve or reject with the buttons above.',
      ),
      context(`Request ${escapeText(facts.requestId)}`),
    ],
  };
}

export type DecisionFacts = {
  requestId: string;
  connectionName: string;
  providerEndpoint: string;
  decidedAt: Date;
} & ({ outcome: 'approved' | 'rejected'; decidedBy: string } | { outcome: 'expired' } | { outcome: 'cancelled'; reason: string });

/** Replaces the approval request once decided: who, when, what; no buttons, so no second click. */
export function decisionMessage(facts: DecisionFacts): SlackMessage {
  const subject = `connection ${escapeText(facts.connectionName, 64)} to ${escapeText(facts.providerEndpoint)}`;
  const plainSubject = `connection ${facts.connectionName} to ${facts.providerEndpoint}`;
  const when = slackDate(facts.decidedAt);
  const plainWhen = facts.decidedAt.toISOString();
  if (facts.outcome === 'cancelled') {
    return summaryMessage(
      facts.requestId,
      `:heavy_minus_sign: *No longer needed* ${when}: ${subject} (${escapeText(facts.reason, 300)}).`,
      `No longer needed at ${plainWhen}: ${plainSubject} (${facts.reason}).`,
    );
  }
  if (facts.outcome === 'expired') {
    return summaryMessage(
      facts.requestId,
      `:hourglass: *Expired* ${when}: nobody approved ${subject} in time.`,
      `Expired at ${plainWhen}: nobody approved ${plainSubject} in time.`,
    );
  }
  const [icon, verb] = facts.outcome === 'approved' ? [':white_check_mark:', 'Approved'] : [':no_entry:', 'Rejected'];
  return summaryMessage(
    facts.requestId,
    `${icon} *${verb}* by ${person(facts.decidedBy)} ${when}: ${subject}.`,
    [`${verb} by `, { person: facts.decidedBy }, ` at ${plainWhen}: ${plainSubject}.`],
  );
}

export type RequestOutcome =
  /** `attention`: what the pipeline still needs (the request view's attention messages); the message then says so instead of "ready and attached". */
  | { kind: 'completed'; connectionArn: string; pipelineName?: string; attention?: string[] }
  | { kind: 'rejected'; decidedBy: string }
  | { kind: 'expired' }
  | { kind: 'failed'; reason: string }
  | { kind: 'cancelled' };

export interface OutcomeFacts {
  requestId: string;
  providerEndpoint: string;
  connectionName: string;
  outcome: RequestOutcome;
}

/** To the requester: how their request ended and, when it did not succeed, that it was rolled back. */
export function outcomeMessage({ requestId, providerEndpoint, connectionName, outcome }: OutcomeFacts): SlackMessage {
  const subject = `connection ${escapeText(connectionName, 64)} to ${escapeText(providerEndpoint)}`;
  const plainSubject = `connection ${connectionName} to ${providerEndpoint}`;
  const rollback = 'What the broker created for it is being removed.';
  const [summary, plain] = ((): [string, string | FallbackPart[]] => {
    switch (outcome.kind) {
      case 'completed': {
        if (outcome.attention && outcome.attention.length > 0) return needsAction(subject, plainSubject, outcome.connectionArn, outcome.pipelineName, outcome.attention);
        const pipeline = outcome.pipelineName ? ` and attached to pipeline *${escapeText(outcome.pipelineName, 100)}*` : '';
        const plainPipeline = outcome.pipelineName ? ` and attached to pipeline ${outcome.pipelineName}` : '';
        return [
          `:white_check_mark: Your ${subject} is ready${pipeline}.\n*Connection ARN:* ${escapeText(outcome.connectionArn)}`,
          `Your ${plainSubject} is ready${plainPipeline}: ${outcome.connectionArn}`,
        ];
      }
      case 'rejected':
        return [
          `:no_entry: Your request for ${subject} was rejected by ${person(outcome.decidedBy)}. ${rollback}`,
          [`Your request for ${plainSubject} was rejected by `, { person: outcome.decidedBy }, `. ${rollback}`],
        ];
      case 'expired':
        return [
          `:hourglass: Your request for ${subject} expired: nobody approved it in time. ${rollback}`,
          `Your request for ${plainSubject} expired: nobody approved it in time. ${rollback}`,
        ];
      case 'failed':
        return [
          `:x: Your request for ${subject} failed: ${escapeText(outcome.reason, 1000)}\n${rollback}`,
          `Your request for ${plainSubject} failed: ${outcome.reason} ${rollback}`,
        ];
      case 'cancelled':
        return [
          `:heavy_minus_sign: Your request for ${subject} was cancelled. ${rollback}`,
          `Your request for ${plainSubject} was cancelled. ${rollback}`,
        ];
    }
  })();
  return summaryMessage(requestId, summary, plain);
}

/** At most this many actions are listed in the message; the request view has them all. */
const MAX_LISTED_ACTIONS = 5;

/** COMPLETED, but the pipeline cannot use the connection yet: say what is left, not "ready and attached". */
function needsAction(subject: string, plainSubject: string, connectionArn: string, pipelineName: string | undefined, attention: string[]): [string, string] {
  const pipeline = pipelineName ? `pipeline *${escapeText(pipelineName, 100)}*` : 'the pipeline';
  const plainPipeline = pipelineName ? `pipeline ${pipelineName}` : 'the pipeline';
  const listed = attention.slice(0, MAX_LISTED_ACTIONS);
  const more = attention.length > listed.length ? `\n…and ${attention.length - listed.length} more (see the request's attention).` : '';
  return [
    `:warning: Your ${subject} is ready, but ${pipeline} needs action before it can use it:\n` +
      `${listed.map((item) => `• ${escapeText(item, 400)}`).join('\n')}${more}\n*Connection ARN:* ${escapeText(connectionArn)}`,
    `Your ${plainSubject} is ready, but ${plainPipeline} needs action before it can use it: ${listed.join(' ')}${more ? ` …and ${attention.length - listed.length} more.` : ''} Connection: ${connectionArn}`,
  ];
}

/** One mrkdwn summary and the request id: the shape of every "this is how it ended" message. */
function summaryMessage(requestId: string, summary: string, plainSummary: string | FallbackPart[]): SlackMessage {
  return {
    text: fallback(...(typeof plainSummary === 'string' ? [plainSummary] : plainSummary), ` (request ${requestId})`),
    blocks: [section(summary), context(`Request ${escapeText(requestId)}`)],
  };
}

function section(text: string): Block {
  return { type: 'section', text: mrkdwn(text) };
}

function context(text: string): Block {
  return { type: 'context', elements: [mrkdwn(text)] };
}

/** Label/value pairs; every value is already escaped and capped, so each field stays under 2000. */
function fields(pairs: [label: string, value: string][]): Block {
  return { type: 'section', fields: pairs.map(([label, value]) => mrkdwn(`*${label}*\n${value}`)) };
}

/** "Done — check now": carries the request id (shown in the message anyway), never a token. */
function checkNowButton(requestId: string): Button {
  if (!REQUEST_ID.test(requestId)) throw new MessageInputError('requestId', 'must be 8-64 letters, digits or "-"');
  return { type: 'button', action_id: CHECK_NOW_ACTION_ID, text: plainText('Done — check now', BLOCK_KIT_LIMITS.buttonText), style: 'primary', value: requestId };
}

function decisionButton(
  actionId: string,
  label: string,
  style: 'primary' | 'danger',
  approvalId: string,
  dialog: { title: string; text: string; confirm: string },
): Button {
  return {
    type: 'button',
    action_id: actionId,
    text: plainText(label, BLOCK_KIT_LIMITS.buttonText),
    style,
    value: approvalId,
    confirm: {
      title: plainText(dialog.title, BLOCK_KIT_LIMITS.confirmTitle),
      text: mrkdwn(dialog.text),
      confirm: plainText(dialog.confirm, BLOCK_KIT_LIMITS.confirmButton),
      deny: plainText('Cancel', BLOCK_KIT_LIMITS.confirmButton),
      style,
    },
  };
}

/** Plain text, or a person: mentioned as Slack does (`<@U…>`, which Slack shows each reader as the name), anyone else by name. */
type FallbackPart = string | { person: string };

/**
 * The notification text is read as mrkdwn too, so it is escaped like the blocks; it is capped
 * well below Slack's 40,000 characters because nobody reads a longer notification.
 * People are mentioned; a text over the cap is cut without its mentions.
 */
function fallback(...parts: FallbackPart[]): string {
  const text = parts.map((part) => (typeof part === 'string' ? escapeText(part, BLOCK_KIT_LIMITS.fallbackText) : person(part.person))).join('');
  if (text.length <= BLOCK_KIT_LIMITS.fallbackText) return text;
  return escapeText(parts.map((part) => (typeof part === 'string' ? part : part.person)).join(''), BLOCK_KIT_LIMITS.fallbackText);
}

/** Mentions go into mrkdwn as they are, so only well-formed user and user group mentions pass. */
function checkedMentions(mentions: string[], field: string): string[] {
  for (const mention of mentions) {
    if (!/^(<@[UW][A-Z0-9]{2,20}>|<!subteam\^S[A-Z0-9]{2,20}>)$/.test(mention)) {
      throw new MessageInputError(field, 'must be user (<@U…>) or user group (<!subteam^S…>) mentions');
    }
  }
  return mentions.slice(0, 30);
}

/** "36 hours", "3 days", "45 minutes": how long something waited, as people say it. */
export function duration(seconds: number): string {
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? '' : 's'}`;
  if (seconds >= 3 * 86_400 && seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds >= 3600) return plural(Math.round(seconds / 3600), 'hour');
  return plural(Math.max(1, Math.round(seconds / 60)), 'minute');
}

/**
 * Console links go into mrkdwn as they are, so only https addresses of a sane length, without the
 * characters that end a Slack link (`|`, `>`; a real console URL has them percent-encoded), pass.
 */
function checkedConsoleUrl(url: string): string {
  if (!/^https:\/\/[^\s<>|]+$/.test(url) || url.length > 2000) {
    throw new MessageInputError('consoleUrl', 'must be an https URL of at most 2000 characters without spaces, "<", ">" or "|"');
  }
  return url;
}
