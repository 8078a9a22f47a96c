import { createHash } from 'node:crypto';
import { PipelineNotFoundException, StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { pipelineIfAny } from '../decommission/connection-users.ts';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { provideClients } from '../adapters/aws-clients.ts';
import { codeBuildClient } from '../adapters/aws/codebuild.ts';
import { pipelinesClient } from '../adapters/aws/codepipeline.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { iamClient } from '../adapters/aws/iam.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import { isGrant, plannedGrant, putUseConnectionPolicy, rolesNeedingConnection } from '../attach/pipeline-permissions.ts';
import { safeUpdatePipeline } from '../attach/safe-pipeline-update.ts';
import type { ConnectionRequestRecord, PermissionFinding, RoleGrant } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { stepHandler } from '../workflow/step-handler.ts';
import { planRepoint } from './repoint.ts';

provideClients(pipelinesClient, iamClient, codeBuildClient, documentsClient, stepFunctionsClient);

/** The replacement's steps in the provisioning machine (RepointPipelines, RetireReplaced), one Lambda. */
export type ReplacementInput = StepInput & { step: 'repoint' | 'retire' };

async function replacementStep(event: ReplacementInput): Promise<{ status: string }> {
  if (event.step === 'repoint') await repoint(event.requestId);
  else await retireOrSayWhy(event.requestId);
  return { status: 'done' };
}

/**
 * The replacement is COMPLETED and its pipelines moved: failing to retire the old connection is no
 * reason to undo that. The old one stays, unused (the auditor reports it, its fix the decommission
 * route), and the request's timeline says so.
 */
async function retireOrSayWhy(requestId: string): Promise<void> {
  try {
    await retire(requestId);
  } catch (error) {
    const { store } = workflowContext();
    const { requestId: oldId, connectionArn: old } = (await store.getRequest(requestId)).replaces!;
    // Not started: the old request is COMPLETED again (not stuck DECOMMISSIONING), and may be decommissioned by hand.
    await store.updateRequest(oldId, (current) =>
      current.status !== 'DECOMMISSIONING' || current.decommission?.executionArn
        ? undefined
        : {
            ...current,
            status: 'COMPLETED',
            decommission: { ...current.decommission!, abandoned: { code: 'NotStarted', message: 'The decommission could not be started.' } },
          },
    );
    await store.updateRequest(requestId, (current) => ({
      ...current,
      timeline: [
        ...current.timeline,
        timelineEntry('replace', 'system', `Could not start decommissioning ${old} (${(error as Error).name}); it stays, unused: decommission it with DELETE /v1/connections/${old.split('/').at(-1)}.`),
      ],
    }));
  }
}

/**
 * The new connection is AVAILABLE: every role the moved source actions run under may use it
 * first (so no pipeline points at a connection it may not use), then each pipeline is moved over
 * in one version-checked update, then run once. The old connection is untouched until the
 * replacement has completed, so a rollback can always point the pipelines back at it.
 */
async function repoint(requestId: string): Promise<void> {
  const context = workflowContext();
  const record = await activeRequest(requestId);
  const replaces = record.replaces!;
  const newArn = record.connectionArn!;
  const aws = context.awsFor(record);

  // Who needs UseConnection on the new connection: the roles the broker granted on the old one,
  // and every role the moved source actions run under.
  const grants = new Map<string, RoleGrant>();
  const findings: PermissionFinding[] = [];
  const old = await context.store.getRequest(replaces.requestId);
  for (const grant of old.grants ?? []) grants.set(grant.roleArn, { roleArn: grant.roleArn, roleName: grant.roleName, policyName: '', purpose: grant.purpose });
  for (const pipelineName of replaces.pipelines) {
    const declaration = await pipelineIfAny(aws.pipelines, pipelineName);
    if (!declaration) continue;
    for (const action of planRepoint(declaration, replaces.connectionArn, newArn).actions) {
      const needed = await rolesNeedingConnection(declaration, action, action.outputArtifactFormat);
      findings.push(...needed.unknown);
      for (const role of needed.roles) if (!grants.has(role.roleArn)) grants.set(role.roleArn, { roleArn: role.roleArn, roleName: '', policyName: '', purpose: role.purpose });
    }
  }
  const planned = [...grants.values()].map((role) => plannedGrant(role, newArn));
  const toGrant = planned.filter(isGrant);
  findings.push(...planned.filter((entry): entry is PermissionFinding => !isGrant(entry)));
  // Recorded before they are put, so a rollback takes away whatever was put.
  await updateActiveRequest(requestId, (current) => ({ ...current, grants: toGrant, permissionFindings: findings }));
  for (const grant of toGrant) await putUseConnectionPolicy(aws.iam, grant, newArn);

  for (const pipelineName of replaces.pipelines) {
    let moved: string[] = [];
    try {
      const outcome = await safeUpdatePipeline({
        pipelines: aws.pipelines,
        name: pipelineName,
        maxAttempts: context.config.pipelineAttach.updateAttempts,
        rewrite: (current) => {
          const plan = planRepoint(current, replaces.connectionArn, newArn);
          return { declaration: plan.declaration, plan };
        },
        // Written before the update: a crash right after it still leaves rollback knowing to move it back.
        beforeWrite: async (rewrite) => {
          moved = rewrite.plan.actions.map((action) => `${action.stageName}/${action.actionName}`);
          await updateActiveRequest(requestId, (current) =>
            current.repointed?.some((entry) => entry.pipelineName === pipelineName) ? undefined : { ...current, repointed: [...(current.repointed ?? []), { pipelineName, actions: moved }] },
          );
        },
      });
      // A retried step finds the pipeline moved already: it still starts the run the first attempt did not.
      const entry = (await context.store.getRequest(requestId)).repointed?.find((candidate) => candidate.pipelineName === pipelineName);
      if (!entry || entry.pipelineExecutionId) continue;
      moved = entry.actions;
      // CodePipeline's token takes letters, digits and '-' only; a pipeline name may have '.', '_' or '@'.
      const token = `replace-${createHash('sha256').update(`${requestId}/${pipelineName}`).digest('hex').slice(0, 40)}`;
      const { pipelineExecutionId } = await aws.pipelines.send(new StartPipelineExecutionCommand({ name: pipelineName, clientRequestToken: token }));
      await updateActiveRequest(requestId, (current) => ({
        ...current,
        repointed: (current.repointed ?? []).map((candidate) => (candidate.pipelineName === pipelineName ? { ...candidate, pipelineVersion: outcome.result.version, pipelineExecutionId } : candidate)),
        timeline: [
          ...current.timeline,
          timelineEntry('replace', 'system', `Moved pipeline ${pipelineName} (${moved.join(', ')}) to ${newArn} and started a run (${pipelineExecutionId}).`),
        ],
      }));
    } catch (error) {
      if (error instanceof PipelineNotFoundException) continue;
      throw error;
    }
  }
}

/**
 * After the replacement completed: the old connection is decommissioned by its own machine (no
 * approval: asking for the replacement was the decision). Its guard finds nothing using it any
 * more, unless someone pointed a pipeline at it meanwhile, and then it keeps it and says why.
 */
async function retire(requestId: string): Promise<void> {
  const { store, aws, config } = workflowContext();
  const record = await store.getRequest(requestId);
  const oldId = record.replaces!.requestId;
  const at = new Date();
  // A decommission asked for earlier that did not happen (refused, failed) is no reason to skip this one.
  const under = (current: ConnectionRequestRecord) => current.decommission !== undefined && !current.decommission.abandoned && !current.decommission.finishedAt;
  const old = await store.updateRequest(oldId, (current: ConnectionRequestRecord) =>
    current.status !== 'COMPLETED' || under(current)
      ? undefined
      : {
          ...current,
          status: 'DECOMMISSIONING',
          approvalId: undefined,
          decommission: { by: record.requester.id, at: at.toISOString(), reason: `Replaced by request ${requestId} (${record.connectionArn})`, detach: false, approval: 'none', usedBy: [] },
          timeline: [...current.timeline, timelineEntry('decommission', 'system', `Replaced by request ${requestId}: decommissioning the old connection.`, at)],
        },
  );
  if (old.status !== 'DECOMMISSIONING' || old.decommission?.executionArn) return;
  const { executionArn } = await aws.stepFunctions.send(
    new StartExecutionCommand({
      stateMachineArn: config.decommissionStateMachineArn,
      // Named by the decommission's own time: a retried step finds the same execution.
      name: `decommission-${oldId.slice(0, 36)}-${Date.parse(old.decommission!.at)}`,
      input: JSON.stringify({ requestId: oldId, approval: 'none', approvalTimeoutSeconds: config.approvalSchedule.timeoutSeconds }),
    }),
  );
  await store.updateRequest(oldId, (current) => ({ ...current, decommission: { ...current.decommission!, executionArn } }));
}

export const handler = stepHandler('replace-connection', replacementStep);
