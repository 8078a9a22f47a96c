import { approvalPolicyFor, decidersOf, hasAnyone, parseApproversConfig, type ApproversConfig } from '../approval/approvers.ts';
import { connectionConsoleUrl, executionConsoleUrl, gitSyncConsoleUrl, hostConsoleUrl, roleConsoleUrl } from './console-links.ts';
import type { BrokerConfig } from '../shell/config.ts';
import type { ConnectionRequestRecord, PermissionFinding, TimelineEntry } from './model.ts';
import { TEAM_TAG_KEY } from '../attach/tag-based-grant.ts';
import type { GrantMode } from '../attach/config.ts';
import { hostWords, isCloudProvider, providerTypeOf, providerWords, type HostProviderType, type ProviderType } from './provider.ts';

/**
 * What happens next for a request, and who must do it: the request view's `nextAction`, and the
 * words the Slack messages and the timeline use for the same steps (defined once, here).
 *
 * {@link nextAction} is a pure function of the record, the settings and the time: no I/O, so the
 * API can compute it for every request it shows, and tests can state it for every status.
 */

/** Who must act next. */
export const NEXT_ACTION_ACTORS = ['ghes-admin', 'gitlab-admin', 'approver', 'requester', 'platform-admin'] as const;
export type NextActionActor = (typeof NEXT_ACTION_ACTORS)[number];

/** Who chooses "Set up host", per provider. */
const HOST_ADMIN_ACTORS: Readonly<Record<HostProviderType, NextActionActor>> = { GitHubEnterpriseServer: 'ghes-admin', GitLabSelfManaged: 'gitlab-admin' };

/**
 * The workflow stage the action belongs to. `new-request`: the request has ended and the only way
 * on is to fix the cause and ask again.
 */
export const NEXT_ACTION_STAGES = ['host-setup', 'handshake-and-approval', 'pipeline-permissions', 'rollback', 'new-request', 'decommission-approval', 'git-sync'] as const;
export type NextActionStage = (typeof NEXT_ACTION_STAGES)[number];

export interface NextAction {
  stage: NextActionStage;
  actor: NextActionActor;
  /** One sentence: who must do what. */
  message: string;
  /** The console page where it is done, when there is one (for the resource's own ARN prefix). */
  actionUrl?: string;
  /** ISO 8601: when the workflow stops waiting for it (it then times out and rolls back). */
  deadline?: string;
}

/** The settings the decision depends on (see {@link nextActionSettings} for where they come from). */
export interface NextActionSettings {
  /** How long the workflow waits for "Set up host", from when the provider's administrators were asked (7 days). */
  hostSetupTimeoutSeconds: number;
  /** How long it waits for the handshake and approval, from when the approvers were asked (72 h). */
  approvalTimeoutSeconds: number;
  /** Where GHES and GitLab administrators are asked to set up hosts; unset, nobody is told. */
  hostAdminsChannel?: string;
  /** Where approvers are asked; unset, nobody is told. */
  approversChannel?: string;
  /** Who may approve per endpoint (SLACK_APPROVERS, parsed); undefined when the setting is not valid. */
  approvers: ApproversConfig | undefined;
  /** GRANT_PIPELINE_PERMISSIONS: whether the broker grants UseConnection itself. */
  grantMode: GrantMode;
  /** APPROVAL_MODE. `handshake`: the finished handshake is the approval; `explicit`: an approver must also approve. */
  approvalMode: 'explicit' | 'handshake';
}

/** The settings as the broker is configured (the Lambda environment, read by shared/config.ts). */
export function nextActionSettings(config: BrokerConfig): NextActionSettings {
  let approvers: ApproversConfig | undefined;
  try {
    approvers = parseApproversConfig(config.slackApprovers);
  } catch {
    approvers = undefined;
  }
  return {
    hostSetupTimeoutSeconds: config.hostSetupTimeoutSeconds,
    approvalTimeoutSeconds: config.approvalSchedule.timeoutSeconds,
    hostAdminsChannel: config.hostAdminsChannel,
    approversChannel: config.approversChannel,
    approvers,
    grantMode: config.pipelineAttach.grantMode,
    approvalMode: config.approvalMode,
  };
}

/** A rollback (at most 9 attempts of a 60 s step, a minute apart) is over within ~20 minutes; after this it is stuck. */
export const ROLLBACK_STALLED_AFTER_SECONDS = 3600;
/** A cancel records the request, then hands the rollback to a new execution within a second or two; past this, the hand-off failed. */
export const CANCEL_HANDOFF_GRACE_SECONDS = 30;

// ---------------------------------------------------------------------------------------------
// The words, defined once.

/** One person's part of a human step: who (`a GitHub organization owner`) and what they must do (`choose …`). */
export interface HumanAsk {
  who: string;
  /** A verb phrase in the bare infinitive: `choose "Set up host" in the AWS console for …`. */
  does: string;
}

/** A human step: one or more asks, done in that order. */
export type HumanStep = readonly HumanAsk[];

/** The provider administrator's "Set up host" (a VPC host must first finish initializing); GHES when no provider is given. */
export function hostSetupStep(facts: { providerEndpoint: string; vpc?: boolean; providerType?: ProviderType }): HumanStep {
  const once = facts.vpc ? ', once it has finished initializing its VPC configuration' : '';
  return [{ who: hostWords(providerTypeOf(facts)).hostAdmin, does: `choose "Set up host" in the AWS console for the host of ${facts.providerEndpoint}${once}` }];
}

/** The handshake ("Update pending connection") by whoever the provider needs, then (explicit mode) an approver's Approve. */
export function handshakeStep(facts: { connectionName: string; approvalMode?: 'explicit' | 'handshake'; providerType?: ProviderType }): HumanStep {
  const handshake: HumanAsk = {
    who: providerWords(providerTypeOf(facts)).connectionOwner,
    does: `choose "Update pending connection" in the AWS console for connection ${facts.connectionName}`,
  };
  return facts.approvalMode === 'handshake' ? [handshake] : [handshake, { who: 'an approver', does: 'approve it' }];
}

/** `A … must …, then … must ….`: the sentence of nextAction.message and the Slack notices. */
export function mustSentence(step: HumanStep): string {
  return `${capitalise(step.map(({ who, does }) => `${who} must ${does}`).join(', then '))}.`;
}

/** `a … to …, then … to …`: what the request is waiting for (the record's `waitingFor.what`). */
export function waitingForPhrase(step: HumanStep): string {
  return step.map(({ who, does }) => `${who} to ${does}`).join(', then ');
}

/**
 * When nobody who could do the step is told: `<why>: a platform administrator must have a … <do> …`.
 * `adminFinish` replaces the asks a platform administrator can do themselves (approving through the API).
 */
function arrangedSentence(why: string, step: HumanStep, adminFinish?: string): string {
  const [first, ...rest] = step;
  const others = adminFinish ? [adminFinish] : rest.map(({ who, does }) => `have ${who} ${does}`);
  const arranged = [`have ${first!.who} ${first!.does}`, ...others].join(', then ');
  return `${capitalise(why)}: a platform administrator must ${arranged}.`;
}

/** The text with its first letter upper-cased: a `who` that starts a sentence. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// The decision.

/** Failures the requester can fix by changing the request (or waiting for a colleague) and asking again. */
const REQUESTER_FIXABLE_FAILURES: ReadonlySet<string> = new Set([
  'VpcInitializationFailed',
  'ConnectionNameTaken',
  'ConnectionNotAvailable',
  'SourceActionNotFound',
  'TriggerNotPossible',
  'PipelineEditConflict',
  'FirstRunSourceFailed',
  'GitSyncFailed',
]);

/**
 * Who must do what next, or undefined when nobody has to: the system is working (creating,
 * verifying, attaching, rolling back in time), or the request is finished with nothing left to do
 * (COMPLETED with every permission in place, or CANCELLED).
 */
export function nextAction(record: ConnectionRequestRecord, settings: NextActionSettings, now: Date = new Date()): NextAction | undefined {
  switch (record.status) {
    case 'ACCEPTED':
    case 'PROVISIONING_HOST':
    case 'CREATING_CONNECTION':
    case 'VERIFYING_CONNECTION':
      return undefined;
    case 'WAITING_FOR_HOST_SETUP':
      return hostSetupAction(record, settings);
    case 'WAITING_FOR_APPROVAL':
      return approvalAction(record, settings);
    case 'ATTACHING_PIPELINE':
    case 'COMPLETED':
      return gitSyncBlockedAction(record) ?? permissionsAction(record, settings);
    case 'ROLLING_BACK':
      return rollbackAction(record, now);
    case 'FAILED':
    case 'REJECTED':
    case 'TIMED_OUT':
      return askAgainAction(record);
    case 'CANCELLED':
      return undefined;
    case 'WAITING_FOR_DECOMMISSION_APPROVAL':
      return decommissionApprovalAction(record, settings);
    case 'DECOMMISSIONING':
    case 'DECOMMISSIONED':
    case 'UPDATING_HOST':
      return undefined;
  }
}

/** An owner's decommission: an approver allows or refuses it (Slack, or the admin API's approve/reject). */
function decommissionApprovalAction(record: ConnectionRequestRecord, settings: NextActionSettings): NextAction {
  const decide = `allow or refuse deleting connection ${record.connectionName} (POST /v1/connection-requests/${record.requestId}/approve or /reject)`;
  const since = record.waitingFor?.since ?? record.decommission?.at;
  return {
    stage: 'decommission-approval',
    actor: settings.approversChannel === undefined ? 'platform-admin' : 'approver',
    message:
      settings.approversChannel === undefined
        ? `Nobody is asked in Slack (SLACK_APPROVERS_CHANNEL is not set): an admin must ${decide}.`
        : `An approver must ${decide}; the approvers were asked in Slack.`,
    ...defined({ deadline: since ? deadlineAfter(since, settings.approvalTimeoutSeconds) : undefined }),
  };
}

/** Git sync stopped at a blocker: nothing syncs until an admin resolves it (after the cause is fixed). */
function gitSyncBlockedAction(record: ConnectionRequestRecord): NextAction | undefined {
  const blocker = record.gitSyncState?.blockers?.[0];
  if (!blocker || !record.gitSync) return undefined;
  const stack = record.gitSync.stackName;
  return {
    stage: 'git-sync',
    actor: 'platform-admin',
    message:
      `Git sync of stack ${stack} is blocked (${blocker.reason || blocker.type}): fix the cause, then an admin resolves blocker ${blocker.id} ` +
      `(POST /v1/sync-configurations/${stack}/blockers/${blocker.id}/resolve) and Git sync goes on.`,
    actionUrl: gitSyncConsoleUrl(record.region, stack),
  };
}

function hostSetupAction(record: ConnectionRequestRecord, settings: NextActionSettings): NextAction {
  const providerType = providerTypeOf(record);
  const step = hostSetupStep({ providerEndpoint: record.providerEndpoint, vpc: record.vpcConfiguration !== undefined, providerType });
  const configured = settings.hostAdminsChannel !== undefined;
  return {
    stage: 'host-setup',
    // Only a self-managed provider has a host to set up (a cloud request never waits here).
    actor: configured && !isCloudProvider(providerType) ? HOST_ADMIN_ACTORS[providerType] : 'platform-admin',
    message: configured ? mustSentence(step) : arrangedSentence('nobody is asked in Slack to set up hosts (SLACK_HOST_ADMINS_CHANNEL is not set)', step),
    ...defined({
      actionUrl: linkTo(record.hostArn, hostConsoleUrl) ?? record.waitingFor?.link,
      deadline: deadlineAfter(waitStart(record, 'host-setup'), settings.hostSetupTimeoutSeconds),
    }),
  };
}

function approvalAction(record: ConnectionRequestRecord, settings: NextActionSettings): NextAction {
  const step = handshakeStep({ connectionName: record.connectionName, approvalMode: settings.approvalMode, providerType: providerTypeOf(record) });
  const unconfigured = whyNobodyApproves(record, settings);
  return {
    stage: 'handshake-and-approval',
    actor: unconfigured ? 'platform-admin' : 'approver',
    message: unconfigured
      ? arrangedSentence(unconfigured, step, settings.approvalMode === 'handshake' ? undefined : 'approve it through the admin API')
      : mustSentence(step),
    ...defined({
      actionUrl: linkTo(record.connectionArn, connectionConsoleUrl) ?? record.waitingFor?.link,
      deadline: deadlineAfter(waitStart(record, 'approval'), settings.approvalTimeoutSeconds),
    }),
  };
}

/** Why no approver hears of the request (then a platform administrator must arrange it), or undefined. */
function whyNobodyApproves(record: ConnectionRequestRecord, settings: NextActionSettings): string | undefined {
  if (settings.approversChannel === undefined) return 'nobody is asked in Slack to approve (SLACK_APPROVERS_CHANNEL is not set)';
  if (settings.approvalMode === 'handshake') return undefined;
  if (settings.approvers === undefined) return 'nobody may approve in Slack (SLACK_APPROVERS is not valid)';
  if (!hasAnyone(decidersOf(approvalPolicyFor(settings.approvers, record.providerEndpoint, record.accountApprovers)))) {
    return `nobody may approve ${record.providerEndpoint} in Slack (SLACK_APPROVERS names no approver for it)`;
  }
  return undefined;
}

/**
 * Who must see to permissions the pipeline's roles still lack, and the sentence saying so (`where`,
 * e.g. ` (… says what and where)`, goes before the full stop): nextAction's and `attention`'s words.
 */
export function missingPermissionsAsk(findings: readonly PermissionFinding[], grantMode: GrantMode, where = ''): { actor: NextActionActor; message: string } {
  const [first] = findings;
  const lacking =
    findings.length === 1
      ? `The ${first!.purpose} ${first!.roleArn} lacks permission to use the connection`
      : `${findings.length} of the pipeline's roles lack permission to use the connection`;
  // The attach step's findings say when what the pipeline names is missing (workflow/pipeline-permissions.ts, attach-pipeline.ts).
  const pipelineBroken = findings.some((finding) => /does not exist/.test(finding.detail));
  const [actor, message]: [NextActionActor, string] =
    grantMode === 'check-only'
      ? ['requester', `${lacking}: the requester must have it granted, as the broker only checks${where}.`]
      : pipelineBroken
        ? ['requester', `${lacking}, as the pipeline names a role or CodeBuild project that does not exist: the requester must fix the pipeline${where}.`]
        : grantMode === 'tag-based'
          ? [
              'platform-admin',
              `${lacking}: a platform administrator must tag the role ${TEAM_TAG_KEY}=<team> and install the policy infra/iam/pipeline-role-use-tagged-connections.json on it${where}.`,
            ]
          : ['platform-admin', `${lacking}, which the broker may not grant: a platform administrator must grant it${where}.`];
  return { actor, message };
}

function permissionsAction(record: ConnectionRequestRecord, settings: NextActionSettings): NextAction | undefined {
  const findings = record.permissionFindings ?? [];
  if (findings.length === 0) return undefined;
  const { actor, message } = missingPermissionsAsk(findings, settings.grantMode, ' (pipelineAttachment.missingPermissions says what and where)');
  return {
    stage: 'pipeline-permissions',
    actor,
    message,
    ...defined({ actionUrl: findings.map((finding) => linkTo(finding.roleArn, roleConsoleUrl)).find((url) => url !== undefined) }),
  };
}

function rollbackAction(record: ConnectionRequestRecord, now: Date): NextAction | undefined {
  const cancellation = record.cancellation;
  if (cancellation && !cancellation.rollbackExecutionArn && secondsSince(cancellation.at, now) > CANCEL_HANDOFF_GRACE_SECONDS) {
    return {
      stage: 'rollback',
      actor: 'requester',
      message: 'The rollback of this cancelled request could not be started: the requester must cancel it again.',
    };
  }
  if (secondsSince(record.updatedAt, now) > ROLLBACK_STALLED_AFTER_SECONDS) {
    return {
      stage: 'rollback',
      actor: 'platform-admin',
      message:
        'The rollback has not finished within an hour: a platform administrator must find out from its workflow execution why it stopped, ' +
        'and remove what the request created.',
      ...defined({ actionUrl: linkTo(cancellation?.rollbackExecutionArn ?? record.executionArn, executionConsoleUrl) }),
    };
  }
  return undefined;
}

function askAgainAction(record: ConnectionRequestRecord): NextAction {
  const code = record.failure?.code ?? 'Unknown';
  switch (record.status) {
    case 'REJECTED':
      return { stage: 'new-request', actor: 'requester', message: 'An approver rejected the request: the requester must settle why with the approvers, and ask again if the connection is still needed.' };
    case 'TIMED_OUT': {
      const words = providerWords(providerTypeOf(record));
      return {
        stage: 'new-request',
        actor: 'requester',
        message:
          code === 'HostSetupTimedOut'
            ? `Nobody set up the host in time: the requester must find ${hostWords(providerTypeOf(record)).hostAdmin} of ${record.providerEndpoint} who can, and ask again.`
            : `Nobody finished the handshake and approved in time: the requester must find ${words.connectionOwner} and an approver who can, and ask again.`,
      };
    }
    default:
      return REQUESTER_FIXABLE_FAILURES.has(code)
        ? { stage: 'new-request', actor: 'requester', message: `The request failed and was rolled back (${code}): the requester must fix what the failure says and ask again.` }
        : {
            stage: 'new-request',
            actor: 'platform-admin',
            message: `The request failed in the broker or its AWS account (${code}): a platform administrator must fix the cause before the requester asks again.`,
          };
  }
}

/** When the wait began: the record's waitingFor, else the timeline entry that asked for the step. */
function waitStart(record: ConnectionRequestRecord, timelineStep: string): string | undefined {
  return record.waitingFor?.since ?? record.timeline.find((entry: TimelineEntry) => entry.step === timelineStep && entry.actor === 'system')?.at;
}

function deadlineAfter(since: string | undefined, seconds: number): string | undefined {
  const start = since === undefined ? NaN : Date.parse(since);
  return Number.isFinite(start) ? new Date(start + seconds * 1000).toISOString() : undefined;
}

function secondsSince(at: string, now: Date): number {
  const start = Date.parse(at);
  return Number.isFinite(start) ? (now.getTime() - start) / 1000 : 0;
}

/** A console link, or undefined for an ARN the console cannot be linked for (the view never fails on it). */
function linkTo(arn: string | undefined, link: (arn: string) => string): string | undefined {
  if (arn === undefined) return undefined;
  try {
    return link(arn);
  } catch {
    return undefined;
  }
}

/** Leaves out the members that are undefined, so the view's JSON has no empty keys. */
function defined<T extends Record<string, unknown>>(members: T): Partial<T> {
  return Object.fromEntries(Object.entries(members).filter(([, value]) => value !== undefined)) as Partial<T>;
}
