import * as z from 'zod';
import { connectionConsoleUrl, hostConsoleUrl } from './console-links.ts';
import { REQUEST_STATUSES, STATUSES, type ConnectionRequestRecord, type FirstRun, type PermissionFinding, type TimelineEntry, type WaitingFor } from './model.ts';
import { attentionItems, type AttentionItem } from './attention.ts';
import { nextAction, nextActionSettings, NEXT_ACTION_ACTORS, NEXT_ACTION_STAGES, type NextAction, type NextActionSettings } from './next-action.ts';
import { gitSyncTargetSchema, pipelineTargetSchema, vpcSettingsSchema } from './contract.ts';
import { config, type BrokerConfig } from '../shell/config.ts';
import { PROVIDER_TYPES, providerTypeOf } from './provider.ts';

/**
 * What the API shows of a request, as zod schemas: the one definition of the view. The OpenAPI
 * document's `ConnectionRequest`, `Status` and their parts are generated from these
 * (`z.toJSONSchema`, io `output`), and {@link requestView} is typed by them, so a field the view
 * sends but the schema does not declare is a compile error.
 */

/** A request's status (functions/request/model.ts lists them, with the step each belongs to). */
export const requestStatusSchema = z.enum(REQUEST_STATUSES).meta({
  description: `Where the request is; \`currentStep\` says it in words. Final: ${REQUEST_STATUSES.filter((status) => STATUSES[status].terminal).join(', ')}.`,
});

const isoDateTime = () => z.iso.datetime();

export const timelineEntrySchema = z.object({
  at: isoDateTime(),
  step: z.string(),
  actor: z.string().meta({ description: 'Who acted: a requester or approver id, `system`, or `aws-console` for what people do there.' }),
  message: z.string(),
});

export const waitingForSchema = z
  .object({
    what: z.string(),
    who: z.string(),
    link: z.string().optional().meta({ description: 'Where that person acts.' }),
    since: isoDateTime(),
  })
  .meta({ description: 'The human wait the request is in (host set-up, handshake and approval); nextAction says the same, with its deadline counted from since.' });

export const nextActionSchema = z
  .object({
    stage: z.enum(NEXT_ACTION_STAGES).meta({ description: 'The workflow stage; new-request: fix the cause and ask again.' }),
    actor: z.enum(NEXT_ACTION_ACTORS).meta({
      description:
        'ghes-admin: "Set up host" in the console (gitlab-admin: the same for a GitLab self-managed host); approver: the handshake in the console (and Approve); requester: fix and ask again, or get missing permissions granted; ' +
        'platform-admin: what only the platform team can do (a stuck rollback, permissions the broker may not grant, nobody configured to ask).',
    }),
    message: z.string().meta({ description: 'One sentence: who must do what.' }),
    actionUrl: z.url().optional().meta({ description: 'The console page where it is done (for the resource’s own ARN prefix).' }),
    deadline: isoDateTime().optional().meta({ description: 'When the workflow stops waiting (it then times out and rolls back).' }),
  })
  .meta({ description: 'Who must do what next, where and by when (functions/request/next-action.ts). The message uses the words of the Slack notices and the timeline.' });

export const attentionItemSchema = z.object({
  kind: z.enum(['pipeline-permissions', 'first-run']),
  actor: z.enum(NEXT_ACTION_ACTORS),
  message: z.string(),
  actionUrl: z.string().optional(),
});

const permissionFindingSchema = z.object({
  roleArn: z.string(),
  purpose: z.string(),
  missing: z.array(z.string()).meta({ description: '`codestar-connections:UseConnection on arn:…`, or why the role could not be checked.' }),
  detail: z.string(),
});

const firstRunSchema = z.object({
  how: z.enum(['retried', 'started', 'skipped']),
  pipelineExecutionId: z.string().optional(),
  status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'SKIPPED']),
  reason: z.string().optional(),
  retries: z.int().optional(),
  lastError: z.string().optional(),
});

export const pipelineAttachmentSchema = z
  .object({
    stageName: z.string().optional(),
    actionName: z.string().optional(),
    pipelineVersion: z.int().optional(),
    changed: z.boolean().optional().meta({ description: 'False when the source action already used the connection as requested.' }),
    concurrentEdits: z.int().optional().meta({ description: 'Edits by others during the attach; each was kept.' }),
    grantedPolicies: z.array(z.object({ roleArn: z.string(), policyName: z.string(), purpose: z.string() })),
    missingPermissions: z.array(permissionFindingSchema),
    firstRun: firstRunSchema.optional(),
  })
  .meta({ description: 'What the attach step did, and what is still missing for the pipeline to use the connection.' });

const connectionUserSchema = z.object({
  kind: z.enum(['pipeline', 'repository-link', 'sync-configuration', 'codebuild-project', 'resource-share']),
  name: z.string(),
  arn: z.string().optional(),
  where: z.string().optional().meta({ description: 'For a pipeline: the source action, `Stage/Action`.' }),
  restorable: z.boolean().optional().meta({ description: 'The broker can undo it with detach: true: a pipeline source action it attached for this request (the action it had before is put back), or the Git sync configuration and repository link this request made (deleted; the stack stays).' }),
});

export const decommissionViewSchema = z
  .object({
    by: z.string(),
    at: isoDateTime(),
    reason: z.string().optional(),
    detach: z.boolean(),
    approval: z.enum(['approvers', 'none']).meta({ description: '`approvers`: an owner asked and the approvers decide; `none`: an admin asked, and it ran at once.' }),
    usedBy: z.array(connectionUserSchema).meta({ description: 'What used the connection when the decommission was asked for.' }),
    finishedAt: isoDateTime().optional(),
    abandoned: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: 'Why it did not happen (refused, timed out, failed); the connection stays.' }),
  })
  .meta({ description: "DELETE /v1/connections/{id}: the connection's retirement. Once DECOMMISSIONED, the request is its tombstone (ARNs, who, when, what used it)." });

export const hostUpdateViewSchema = z
  .object({
    by: z.string(),
    at: isoDateTime(),
    providerEndpoint: z.object({ from: z.string(), to: z.string() }).optional(),
    vpcConfigurationChanged: z.boolean(),
    finishedAt: isoDateTime().optional(),
    abandoned: z.object({ code: z.string(), message: z.string() }).optional().meta({ description: 'Why it did not finish; what AWS changed already stays (the timeline says what).' }),
  })
  .meta({ description: 'PATCH /v1/hosts/{id}: the latest change to the host this request created.' });

export const gitSyncViewSchema = gitSyncTargetSchema
  .extend({
    repositoryLinkId: z.string().optional(),
    status: z.string().optional().meta({ description: "The latest sync's status as the workflow last saw it: INITIATED, IN_PROGRESS, QUEUED, SUCCEEDED, FAILED. A request completes with a first deployment still under way after 12 minutes (IN_PROGRESS here); GET /v1/sync-configurations shows the live status." }),
    blockers: z
      .array(z.object({ id: z.string(), type: z.string(), reason: z.string(), createdAt: isoDateTime() }))
      .meta({ description: 'Open sync blockers: Git sync stops until each is resolved (POST /v1/sync-configurations/{stackName}/blockers/{id}/resolve, admins).' }),
  })
  .meta({ description: 'Git sync as asked for, and what became of it.' });

/** Git sync as the view shows it: the target, the link used, the latest status and the open blockers. */
function gitSyncView(record: ConnectionRequestRecord): z.output<typeof gitSyncViewSchema> | undefined {
  if (!record.gitSync) return undefined;
  const state = record.gitSyncState ?? {};
  return {
    ...record.gitSync,
    ...(state.repositoryLinkId ? { repositoryLinkId: state.repositoryLinkId } : {}),
    ...(state.status ? { status: state.status } : {}),
    blockers: state.blockers ?? [],
  };
}

export const requestViewSchema = z.object({
  requestId: z.uuid(),
  status: requestStatusSchema,
  currentStep: z.string(),
  requester: z.object({
    id: z.string(),
    email: z.string().optional(),
    slackUserId: z.string().optional().meta({ description: 'From the JWT; the outcome is sent to this Slack user as a DM.' }),
  }),
  providerEndpoint: z.string().meta({ description: 'The normalised GHES or GitLab URL.' }),
  providerType: z.enum(PROVIDER_TYPES).meta({ description: 'What runs at providerEndpoint, as the request gave it (default GitHubEnterpriseServer).' }),
  connectionName: z.string(),
  accountId: z.string().optional().meta({ description: "The spoke account provisioned in; absent for the broker's own." }),
  region: z.string(),
  vpcConfiguration: vpcSettingsSchema
    .extend({ tlsCertificate: z.literal('(provided)').optional().meta({ description: 'Never echoed back: `(provided)` when one was given.' }) })
    .optional(),
  pipeline: pipelineTargetSchema.optional().meta({ description: 'What the connection is attached to, defaults filled in; `trigger: true` shows as its push filter on the branch.' }),
  tags: z.record(z.string(), z.string()).meta({ description: 'The tags as a key → value object, whichever form was sent.' }),
  hostArn: z.string().optional(),
  connectionArn: z.string().optional(),
  pipelineAttachment: pipelineAttachmentSchema.optional(),
  gitSync: gitSyncViewSchema.optional(),
  waitingFor: waitingForSchema.optional(),
  nextAction: nextActionSchema
    .nullable()
    .meta({ description: 'Who must do what next; null when nobody has to act (the system is working, or the request is done).' }),
  attention: z.array(attentionItemSchema).meta({
    description:
      'What a COMPLETED request still needs before its pipeline can use the connection: one item per pipeline role that lacks UseConnection ' +
      '(or does not exist) and one for a first run that did not fetch the source. Empty when nothing is left, and before the request ends.',
  }),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  decommission: decommissionViewSchema.optional(),
  hostUpdate: hostUpdateViewSchema.optional(),
  replaces: z
    .object({ requestId: z.string(), connectionArn: z.string(), pipelines: z.array(z.string()) })
    .optional()
    .meta({ description: 'POST /v1/connections/{id}/replace: the request and connection this one replaces, and the pipelines it moves.' }),
  repointed: z
    .array(z.object({ pipelineName: z.string(), actions: z.array(z.string()), pipelineVersion: z.number().optional(), pipelineExecutionId: z.string().optional() }))
    .optional()
    .meta({ description: 'The pipelines this replacement moved to its connection (Stage/Action), and the run it started in each.' }),
  replacedBy: z.string().optional().meta({ description: 'The request whose connection replaces this one.' }),
  createdAt: isoDateTime(),
  updatedAt: isoDateTime(),
  timeline: z.array(timelineEntrySchema),
  links: z.object({ self: z.string(), hostConsole: z.url().optional(), connectionConsole: z.url().optional() }),
});

export type RequestView = z.output<typeof requestViewSchema>;

/** The host update as the view shows it: no execution id, and never a TLS certificate. */
function hostUpdateView(record: ConnectionRequestRecord): z.output<typeof hostUpdateViewSchema> | undefined {
  const update = record.hostUpdate;
  if (!update) return undefined;
  return {
    by: update.by,
    at: update.at,
    ...(update.changes.providerEndpoint ? { providerEndpoint: { from: update.previous.providerEndpoint, to: update.changes.providerEndpoint } } : {}),
    vpcConfigurationChanged: update.changes.vpcConfiguration !== undefined,
    ...(update.finishedAt ? { finishedAt: update.finishedAt } : {}),
    ...(update.abandoned ? { abandoned: update.abandoned } : {}),
  };
}

/** The decommission as the view shows it: no execution or approval ids. */
function decommissionView(record: ConnectionRequestRecord): z.output<typeof decommissionViewSchema> | undefined {
  if (!record.decommission) return undefined;
  const { executionArn: _execution, approvalId: _approval, ...shown } = record.decommission;
  return shown;
}

// The record's parts the view passes through as they are must be exactly what the schemas declare
// (a field added to the record type would otherwise reach clients undeclared).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameAsRecord: [
  Same<TimelineEntry, z.output<typeof timelineEntrySchema>>,
  Same<WaitingFor, z.output<typeof waitingForSchema>>,
  Same<NextAction, z.output<typeof nextActionSchema>>,
  Same<AttentionItem, z.output<typeof attentionItemSchema>>,
  Same<PermissionFinding, z.output<typeof permissionFindingSchema>>,
  Same<FirstRun, z.output<typeof firstRunSchema>>,
  Same<ConnectionRequestRecord['requester'], RequestView['requester']>,
  Same<NonNullable<ConnectionRequestRecord['failure']>, NonNullable<RequestView['failure']>>,
] = [true, true, true, true, true, true, true, true];
void sameAsRecord;

const settingsByConfig = new WeakMap<BrokerConfig, NextActionSettings>();

/** The next-action settings of the function's configuration (SLACK_APPROVERS parsed once per container). */
function viewSettings(): NextActionSettings {
  const current = config();
  let settings = settingsByConfig.get(current);
  if (!settings) {
    settings = nextActionSettings(current);
    settingsByConfig.set(current, settings);
  }
  return settings;
}

/**
 * What the API shows of a request: no internal bookkeeping, and links to act on it.
 *
 * `nextAction` (who must do what next, where, by when; null when nobody has to act) and
 * `waitingFor` (the record's account of the human wait it is in) come from the same record: for
 * host set-up and the handshake, nextAction's deadline counts from waitingFor.since and its link is
 * built from the same ARN with the same console-links function as waitingFor.link.
 */
export function requestView(record: ConnectionRequestRecord, settings: NextActionSettings = viewSettings(), now: Date = new Date()): RequestView {
  return {
    requestId: record.requestId,
    status: record.status,
    currentStep: STATUSES[record.status].step,
    requester: record.requester,
    providerEndpoint: record.providerEndpoint,
    providerType: providerTypeOf(record),
    connectionName: record.connectionName,
    accountId: record.accountId,
    region: record.region,
    vpcConfiguration: record.vpcConfiguration
      ? { ...record.vpcConfiguration, tlsCertificate: record.vpcConfiguration.tlsCertificate ? '(provided)' : undefined }
      : undefined,
    pipeline: record.pipeline,
    tags: record.tags,
    hostArn: record.hostArn,
    connectionArn: record.connectionArn,
    pipelineAttachment: pipelineAttachmentView(record),
    gitSync: gitSyncView(record),
    waitingFor: record.waitingFor,
    nextAction: nextAction(record, settings, now) ?? null,
    // What a finished request still needs before its pipeline can use the connection; [] when nothing.
    attention: attentionItems(record, settings),
    failure: record.failure,
    decommission: decommissionView(record),
    hostUpdate: hostUpdateView(record),
    replaces: record.replaces,
    repointed: record.repointed,
    replacedBy: record.replacedBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    timeline: record.timeline,
    links: {
      self: `/v1/connection-requests/${record.requestId}`,
      hostConsole: record.hostArn ? hostConsoleUrl(record.hostArn) : undefined,
      connectionConsole: record.connectionArn ? connectionConsoleUrl(record.connectionArn) : undefined,
    },
  };
}

/** What the attach step did and what the platform team still has to do; absent before the attach. */
function pipelineAttachmentView(record: ConnectionRequestRecord): z.output<typeof pipelineAttachmentSchema> | undefined {
  if (!record.attachment && !record.permissionFindings && !record.grants) return undefined;
  return {
    stageName: record.attachment?.stageName,
    actionName: record.attachment?.actionName,
    pipelineVersion: record.attachment?.pipelineVersion,
    changed: record.attachment ? record.attachment.actionChanged !== false || record.attachment.trigger?.changed === true : undefined,
    concurrentEdits: record.attachment?.concurrentEdits,
    grantedPolicies: (record.grants ?? []).map(({ roleArn, policyName, purpose }) => ({ roleArn, policyName, purpose })),
    missingPermissions: record.permissionFindings ?? [],
    firstRun: record.firstRun,
  };
}
