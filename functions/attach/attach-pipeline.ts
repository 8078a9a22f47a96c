import { GetPipelineCommand, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { ListTagsForResourceCommand, TagResourceCommand } from '@aws-sdk/client-codestar-connections';
import { planConnectionTeam, TEAM_TAG_KEY, useConnectionContext, type RoleWithTags } from './tag-based-grant.ts';
import { useConnectionFinding } from './use-connection.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import type { GrantMode } from './config.ts';
import { planAttachment, type AttachmentPlan, type AttachTarget } from './attach-plan.ts';
import { diffDeclarations } from './declaration-diff.ts';
import { SourceActionSelectionError } from './errors.ts';
import type { SourceActionLocation } from './source-action.ts';
import { TriggerNotPossibleError } from './triggers.ts';
import type { ConnectionRequestRecord, PermissionFinding, PipelineAttachment, RoleGrant, TimelineEntry } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { GitSyncFailed, SourceActionNotFound, TriggerNotPossible } from '../workflow/errors.ts';
import { setUpGitSync } from './git-sync.ts';
import {
  checkUseConnection,
  existingPolicy,
  isGrant,
  plannedGrant,
  putUseConnectionPolicy,
  roleTags,
  rolesNeedingConnection,
  type RoleNeedingConnection,
} from './pipeline-permissions.ts';
import { safeUpdatePipeline, type ConcurrentEdit } from './safe-pipeline-update.ts';
import { provideClients, type Clients } from '../adapters/aws-clients.ts';
import { pipelinesClient } from '../adapters/aws/codepipeline.ts';
import { iamClient } from '../adapters/aws/iam.ts';
import { codeBuildClient } from '../adapters/aws/codebuild.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(pipelinesClient, iamClient, codeBuildClient, connectionsClient, documentsClient);

/**
 * Attaches the connection to the pipeline's source action:
 * 1. the roles that will use the connection get UseConnection (or, with grants switched off, are
 *    checked and what they lack is reported), before the pipeline points at it;
 * 2. the source action (and, when asked, its V2 trigger) is rewritten with a version-checked
 *    read-modify-write that recomputes on the fresh declaration when someone else edits it;
 * 3. the record keeps what it replaced, the grants it made and the diff, for rollback and the auditor.
 * Safe to run again: grants are recorded before they are made, the change before it is written.
 */
async function attachPipeline(event: StepInput): Promise<{ pipelineVersion: number; changed: boolean }> {
  const requested = await activeRequest(event.requestId);
  const attached = requested.pipeline ? await attachToPipeline(event) : { pipelineVersion: 0, changed: false };
  if (requested.gitSync) await attachGitSync(event.requestId);
  return attached;
}

/**
 * Git sync as the request's target: UseConnection for its role (recorded with the pipeline's grants,
 * so rollback removes it), then the trust, the repository link and the sync configuration.
 */
async function attachGitSync(requestId: string): Promise<void> {
  const context = workflowContext();
  const record = await updateActiveRequest(requestId, (current) =>
    current.timeline.some((entry) => entry.step === 'git-sync')
      ? undefined
      : {
          ...current,
          status: 'ATTACHING_PIPELINE',
          timeline: [...current.timeline, timelineEntry('git-sync', 'system', `Setting up Git sync of stack ${current.gitSync!.stackName} from ${current.gitSync!.repository}.`)],
        },
  );
  const connectionArn = record.connectionArn!;
  const role = { roleArn: record.gitSync!.roleArn, purpose: `Git sync role of stack ${record.gitSync!.stackName}` };
  const planned = plannedGrant(role, connectionArn);
  const outcome = isGrant(planned) ? await grant(requestId, planned, connectionArn) : { kind: 'finding' as const, finding: planned };
  if (outcome.kind === 'finding') throw new GitSyncFailed(record.gitSync!.stackName, `the ${role.purpose} ${role.roleArn} cannot be given UseConnection: ${outcome.finding.detail}`);
  await setUpGitSync(await activeRequest(requestId), context.awsFor(record));
}

async function attachToPipeline(event: StepInput): Promise<{ pipelineVersion: number; changed: boolean }> {
  const context = workflowContext();
  const { store, config } = context;
  const record = await updateActiveRequest(event.requestId, (current) =>
    current.status === 'ATTACHING_PIPELINE'
      ? undefined
      : {
          ...current,
          status: 'ATTACHING_PIPELINE',
          timeline: [...current.timeline, timelineEntry('attach', 'system', `Attaching the connection to pipeline ${current.pipeline!.name}.`)],
        },
  );
  const target = attachTargetOf(record);
  const name = record.pipeline!.name;
  const aws = context.awsFor(record);

  const { pipeline: first } = await aws.pipelines.send(new GetPipelineCommand({ name }));
  const firstPlan = plan(first!, target, name);
  // Permissions first: by the time the pipeline points at the connection, its roles may use it.
  await securePermissions(record.requestId, first!, firstPlan.location);

  const outcome = await safeUpdatePipeline<AttachmentPlan>({
    pipelines: aws.pipelines,
    name,
    // Computed on the first read: an edit made while we granted is caught by the re-read.
    initial: first!,
    maxAttempts: config.pipelineAttach.updateAttempts,
    rewrite: (current) => {
      const attachment = plan(current, target, name);
      return { declaration: attachment.declaration, plan: attachment };
    },
    // Recorded before the write, so a rollback after a crash right after it still knows what to restore.
    // A request cancelled meanwhile is not attached (RequestNotActive): nothing is written.
    beforeWrite: async ({ plan: change }, base) => {
      await updateActiveRequest(record.requestId, (current) => ({ ...current, attachment: attachmentOf(change, base, base.version!) }));
    },
  });

  // Someone's edit may have changed the roles (a new pipeline role, another CodeBuild project).
  if (rolesMayDiffer(first!, outcome.base)) await securePermissions(record.requestId, outcome.base, outcome.plan.location);

  const version = outcome.result.version ?? outcome.base.version!;
  await store.updateRequest(record.requestId, (current) => {
    // Nothing to write and already recorded: a repeated run after a crash keeps the first account.
    const attachment: PipelineAttachment =
      !outcome.updated && current.attachment
        ? { ...current.attachment, pipelineVersion: version }
        : {
            ...attachmentOf(outcome.plan, outcome.base, version),
            diff: outcome.updated ? diffDeclarations(outcome.base, outcome.result) : [],
            concurrentEdits: outcome.concurrentEdits.length,
          };
    return {
      ...current,
      attachment,
      timeline: [...current.timeline, ...editNotes(name, outcome.concurrentEdits), attachNote(name, outcome.plan, outcome.updated, version)],
    };
  });
  return { pipelineVersion: version, changed: outcome.updated };
}

function attachTargetOf(record: ConnectionRequestRecord): AttachTarget {
  const pipeline = record.pipeline!;
  return {
    connectionArn: record.connectionArn!,
    fullRepositoryId: pipeline.fullRepositoryId,
    branchName: pipeline.branchName,
    outputArtifactFormat: pipeline.outputArtifactFormat,
    detectChanges: pipeline.detectChanges,
    ...(pipeline.sourceActionName ? { sourceActionName: pipeline.sourceActionName } : {}),
    ...(pipeline.trigger ? { trigger: pipeline.trigger } : {}),
  };
}

/** planAttachment, with its refusals turned into the workflow's (non-retryable) errors. */
function plan(declaration: PipelineDeclaration, target: AttachTarget, name: string): AttachmentPlan {
  try {
    return planAttachment(declaration, target);
  } catch (error) {
    if (error instanceof SourceActionSelectionError) throw new SourceActionNotFound(name, error.message);
    if (error instanceof TriggerNotPossibleError) throw new TriggerNotPossible(name, error.message);
    throw error;
  }
}

function attachmentOf(change: AttachmentPlan, base: PipelineDeclaration, version: number): PipelineAttachment {
  return {
    ...change.location,
    previousAction: change.previousAction,
    attachedAction: change.attachedAction,
    actionChanged: change.actionChanged,
    ...(change.trigger ? { trigger: change.trigger } : {}),
    pipelineVersionBefore: base.version!,
    pipelineVersion: version,
  };
}

/**
 * Grants UseConnection to every role that needs it (recording each grant before making it), or,
 * with grants switched off, only checks. Either way the record ends up listing what is still
 * missing, so the requester and the platform team see exactly which statement to add where.
 */
async function securePermissions(requestId: string, declaration: PipelineDeclaration, location: SourceActionLocation): Promise<void> {
  const context = workflowContext();
  const { store, config } = context;
  const record = await activeRequest(requestId);
  const aws = context.awsFor(record);
  const connectionArn = record.connectionArn!;
  // A connection shared with AWS RAM is granted and checked in the receiving account.
  const sharedTo = record.connectionStrategy === 'shared' ? record.accountId : undefined;
  const { roles, unknown } = await rolesNeedingConnection(declaration, location, record.pipeline!.outputArtifactFormat);
  const findings: PermissionFinding[] = [...unknown];
  const notes: TimelineEntry[] = [];
  const toCheck: RoleNeedingConnection[] = [];

  const grantMode = config.pipelineAttach.grantMode;
  if (grantMode === 'tag-based') {
    const tagged = await tagConnectionForRoles(aws, requestId, roles, connectionArn);
    findings.push(...tagged.findings);
    notes.push(...tagged.notes);
    // Checked with what IAM will know: the connection's and each role's tags.
    for (const role of tagged.toCheck) {
      const missing = await checkUseConnection(aws.iam, role, connectionArn, useConnectionContext(role.tags, tagged.connectionTags));
      if (missing) findings.push(missing);
    }
  }

  for (const role of grantMode === 'tag-based' ? [] : roles) {
    if (grantMode === 'check-only') {
      toCheck.push(role);
      continue;
    }
    const planned = plannedGrant(role, connectionArn, sharedTo);
    if (!isGrant(planned)) {
      findings.push(planned);
      continue;
    }
    const outcome = await grant(requestId, planned, connectionArn);
    if (outcome.kind === 'finding') {
      findings.push({ ...outcome.finding });
      continue;
    }
    if (outcome.kind === 'granted') {
      notes.push(
        timelineEntry(
          'permissions',
          'system',
          `Granted codestar-connections:UseConnection and codeconnections:UseConnection on this connection to the ${role.purpose} ${role.roleArn} (inline policy ${planned.policyName}).`,
        ),
      );
    }
    toCheck.push(role);
  }
  // Also after granting: an explicit Deny elsewhere on the role would still stop the pipeline.
  for (const role of toCheck) {
    const missing = await checkUseConnection(aws.iam, role, connectionArn, undefined, sharedTo);
    if (missing) findings.push(missing);
  }
  const mode = MODE_NOTES[grantMode];
  for (const finding of findings) {
    notes.push(timelineEntry('permissions', 'system', `Action needed${mode}: the ${finding.purpose} ${finding.roleArn} lacks ${finding.missing.join(' and ')}. ${finding.detail}`));
  }
  if (findings.length === 0 && grantMode !== 'inline-policy') {
    notes.push(timelineEntry('permissions', 'system', `The pipeline's roles may already use the connection${mode}.`));
  }
  await store.updateRequest(requestId, (current) => ({
    ...current,
    permissionFindings: mergeFindings(current.permissionFindings ?? [], findings, roles),
    timeline: [...current.timeline, ...notes],
  }));
}

/** How the timeline names the grant mode, after "Action needed" and on an all-clear. */
const MODE_NOTES: Record<GrantMode, string> = {
  'inline-policy': '',
  'check-only': ' (GRANT_PIPELINE_PERMISSIONS=check-only: the broker only checks)',
  'tag-based': ' (GRANT_PIPELINE_PERMISSIONS=tag-based: the broker tags the connection and writes no IAM)',
};

/**
 * The tag-based grant: the connection is tagged for the team its roles carry (tag-based-grant.ts),
 * once, before the pipeline points at it. The roles to check are those with tags; the rest are findings.
 */
async function tagConnectionForRoles(
  aws: Clients,
  requestId: string,
  roles: readonly RoleNeedingConnection[],
  connectionArn: string,
): Promise<{ findings: PermissionFinding[]; notes: TimelineEntry[]; toCheck: (RoleNeedingConnection & { tags: Record<string, string> })[]; connectionTags: Record<string, string> }> {
  const account = connectionArn.split(':')[4]!;
  const withTags: RoleWithTags[] = [];
  const findings: PermissionFinding[] = [];
  for (const role of roles) {
    const tags = await roleTags(aws.iam, role.roleArn, account);
    if (tags === undefined) {
      findings.push(useConnectionFinding(role, connectionArn, `The role is not in the connection's account ${account}; the broker cannot read its tags.`));
      continue;
    }
    withTags.push({ ...role, tags });
  }
  const plan = planConnectionTeam(withTags, connectionArn);
  findings.push(...plan.findings);
  const notes: TimelineEntry[] = [];
  const client = connectionsClientFor(connectionArn, aws);
  if (plan.team !== undefined) {
    // Nothing is tagged for a request cancelled meanwhile (the rollback deletes the connection anyway).
    await activeRequest(requestId);
    await client.send(new TagResourceCommand({ ResourceArn: connectionArn, Tags: [{ Key: TEAM_TAG_KEY, Value: plan.team }] }));
    notes.push(timelineEntry('permissions', 'system', `Tagged the connection ${TEAM_TAG_KEY}=${plan.team}, the team of the pipeline's roles (GRANT_PIPELINE_PERMISSIONS=tag-based: no IAM written).`));
  }
  const { Tags = [] } = await client.send(new ListTagsForResourceCommand({ ResourceArn: connectionArn }));
  const connectionTags = Object.fromEntries(Tags.map((tag) => [tag.Key!, tag.Value ?? '']));
  const reported = new Set(plan.findings.map((item) => item.roleArn));
  const toCheck = withTags.flatMap((role) => (role.tags !== 'missing' && !reported.has(role.roleArn) ? [{ roleArn: role.roleArn, purpose: role.purpose, tags: role.tags }] : []));
  return { findings, notes, toCheck, connectionTags };
}

type GrantOutcome = { kind: 'granted' | 'already-granted' } | { kind: 'finding'; finding: PermissionFinding };

async function grant(requestId: string, planned: RoleGrant, connectionArn: string): Promise<GrantOutcome> {
  const context = workflowContext();
  const { store } = context;
  // Nothing is granted for a request cancelled meanwhile; a grant is recorded before it is made.
  const record = await activeRequest(requestId);
  const aws = context.awsFor(record);
  const recorded = record.grants?.find((candidate) => candidate.roleArn === planned.roleArn && candidate.policyName === planned.policyName);
  if (!recorded) {
    const existing = await existingPolicy(aws.iam, planned);
    if (existing === 'role-missing') {
      return { kind: 'finding', finding: useConnectionFinding(planned, connectionArn, `The role ${planned.roleName} does not exist, so the pipeline cannot run.`) };
    }
    const entry: RoleGrant = { ...planned, ...(existing === undefined ? {} : { replacedDocument: existing }) };
    await updateActiveRequest(requestId, (current) =>
      current.grants?.some((candidate) => candidate.roleArn === entry.roleArn && candidate.policyName === entry.policyName)
        ? undefined
        : { ...current, grants: [...(current.grants ?? []), entry] },
    );
  }
  try {
    await putUseConnectionPolicy(aws.iam, planned, connectionArn);
  } catch (error) {
    if (!isAccessDenied(error)) throw error;
    // Never made, so there is nothing for rollback to remove.
    await store.updateRequest(requestId, (current) => ({
      ...current,
      grants: (current.grants ?? []).filter((candidate) => !(candidate.roleArn === planned.roleArn && candidate.policyName === planned.policyName)),
    }));
    const detail = `The broker may not change this role (${(error as Error).message}); widen the grantableRoles setting or grant it yourself.`;
    return { kind: 'finding', finding: useConnectionFinding(planned, connectionArn, detail) };
  }
  return { kind: recorded ? 'already-granted' : 'granted' };
}

function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AccessDenied' || error.name === 'AccessDeniedException');
}

/** The findings for the roles just looked at replace their earlier ones; others stay. */
function mergeFindings(previous: PermissionFinding[], current: PermissionFinding[], looked: RoleNeedingConnection[]): PermissionFinding[] {
  const lookedAt = new Set([...looked.map((role) => role.roleArn), ...current.map((finding) => finding.roleArn)]);
  return [...previous.filter((finding) => !lookedAt.has(finding.roleArn) && finding.roleArn !== '(unknown)'), ...current];
}

function rolesMayDiffer(before: PipelineDeclaration, after: PipelineDeclaration): boolean {
  if (before.roleArn !== after.roleArn) return true;
  return JSON.stringify(before.stages) !== JSON.stringify(after.stages);
}

function editNotes(name: string, edits: ConcurrentEdit[]): TimelineEntry[] {
  return edits.map((edit) =>
    timelineEntry(
      'attach',
      'system',
      edit.caught === 'before-write'
        ? `Pipeline ${name} changed while we were attaching (version ${edit.basedOn} → ${edit.found}); recomputed our change on version ${edit.found} so that edit is kept.`
        : `Another edit of pipeline ${name} (version ${edit.found}) landed just before ours; rebuilt our change on it and wrote again so that edit is kept.`,
    ),
  );
}

function attachNote(name: string, change: AttachmentPlan, updated: boolean, version: number): TimelineEntry {
  const where = `${change.location.stageName}/${change.location.actionName}`;
  const trigger = change.trigger?.changed ? ' and set its trigger' : '';
  return timelineEntry(
    'attach',
    'system',
    updated
      ? `Attached the connection to ${name} (${where})${trigger}, pipeline version ${version}.`
      : `Pipeline ${name} (${where}) already uses the connection as requested; left it unchanged (version ${version}).`,
  );
}

export const handler = stepHandler('attach-pipeline', attachPipeline);
