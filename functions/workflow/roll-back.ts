import { PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { DeleteRolePolicyCommand, NoSuchEntityException, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  DeleteConnectionCommand,
  DeleteHostCommand,
  DeleteRepositoryLinkCommand,
  DeleteSyncConfigurationCommand,
  ListConnectionsCommand,
  ResourceNotFoundException,
  ResourceUnavailableException,
  SyncConfigurationStillExistsException,
} from '@aws-sdk/client-codestar-connections';
import { gitSyncClient, roleTrust } from '../attach/git-sync.ts';
import { accessDeniedCode } from '../audit/collect/access-denied.ts';
import { GIT_SYNC_TRUST_SID, SYNC_TYPE, trustWithoutGitSync } from '../attach/git-sync-plan.ts';
import { planRestore } from '../attach/attach-plan.ts';
import { roleNameOf } from '../audit/rules/attachment.ts';
import { planRepoint } from '../replace/repoint.ts';
import { IN_PLACE_STATUSES, isTerminal, type ConnectionRequestRecord, type RoleGrant, type TimelineEntry } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { workflowContext, type StepInput } from './context.ts';
import { closeOpenApprovals, rejectedBy } from '../approval/close-approvals.ts';
import { notifyOutcome } from './notifications.ts';
import { outcomeOf, planRollback, type RollbackStep, type WorkflowFailure } from './rollback-plan.ts';
import { safeUpdatePipeline } from '../attach/safe-pipeline-update.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { DisassociateResourceShareCommand, InvalidStateTransitionException, UnknownResourceException } from '@aws-sdk/client-ram';
import { provideClients, type Clients } from '../adapters/aws-clients.ts';
import { ramClient } from '../adapters/aws/ram.ts';
import { ShareUsersStore } from '../sharing/store.ts';
import { nameReservationKey } from '../connection/naming.ts';
import { pipelinesClient } from '../adapters/aws/codepipeline.ts';
import { iamClient } from '../adapters/aws/iam.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from './step-handler.ts';
import { recordRequestEnded } from './metrics.ts';

provideClients(pipelinesClient, iamClient, connectionsClient, documentsClient, ramClient);

/**
 * The state machine's Catch target: undo what this request created, in order, and record why. A
 * cancel's rollback comes here too, from the execution the cancel started (after its wait).
 */
async function rollBack(event: StepInput & { error?: WorkflowFailure; executionArn?: string }): Promise<{ status: string }> {
  const record = await rollBackRequest(event.requestId, event.error, 'system', event.executionArn);
  return { status: record.status };
}

/**
 * Undoes the request's own changes: pipeline reference, then connection, then the host if this
 * request created it and nothing else uses it. Every step tolerates having been done already, so
 * a retried or repeated rollback converges.
 *
 * A cancelled request ends CANCELLED whatever error brought its execution here, and once the cancel
 * has handed its rollback to an execution of its own, any other execution (`executionArn`, the one
 * calling) leaves the request to it: a stopped execution's step that ran on must not roll back
 * alongside.
 */
export async function rollBackRequest(
  requestId: string,
  failure: WorkflowFailure | undefined,
  actor = 'system',
  executionArn?: string,
): Promise<ConnectionRequestRecord> {
  const { store } = workflowContext();
  let outcome = outcomeOf(failure);
  let by = actor;
  let leftToCancel = false;
  const started = await store.updateRequest(requestId, (current) => {
    if (isTerminal(current.status)) return undefined;
    const rollbackExecution = current.cancellation?.rollbackExecutionArn;
    leftToCancel = rollbackExecution !== undefined && executionArn !== undefined && executionArn !== rollbackExecution;
    if (leftToCancel) return undefined;
    if (current.cancellation) {
      by = current.cancellation.by;
      outcome = { status: 'CANCELLED', failure: current.failure ?? { code: 'Cancelled', message: `Cancelled by ${by}` } };
    }
    return {
      ...current,
      status: 'ROLLING_BACK',
      waitingFor: undefined,
      failure: outcome.failure,
      timeline: [...current.timeline, timelineEntry('rollback', by, `Rolling back: ${outcome.failure?.message ?? outcome.status}.`)],
    };
  });
  if (leftToCancel) return started;
  if (isTerminal(started.status)) {
    // A repeated rollback: give the name back in case the first one stopped before it could.
    if (started.status !== 'COMPLETED') await store.releaseConnectionName(nameReservationKey(started.connectionName, started.accountId), requestId);
    return started;
  }

  // Nothing is waited for any more: the watcher leaves the request alone.
  const { waits } = workflowContext();
  await Promise.all([waits.end(requestId, 'host-setup'), waits.end(requestId, 'handshake')]);
  await closeOpenApprovals(started, outcome.status, by);
  const notes: TimelineEntry[] = [];
  for (const step of planRollback(started)) notes.push(await undo(step, started));

  const finished = await store.updateRequest(requestId, (current) => ({
    ...current,
    status: outcome.status,
    timeline: [...current.timeline, ...notes, timelineEntry('rollback', 'system', `Rollback finished; the request is ${outcome.status}.`)],
  }));
  recordRequestEnded(finished.status);
  // The request ended without a connection: its name may be asked for again.
  await store.releaseConnectionName(nameReservationKey(finished.connectionName, finished.accountId), requestId);
  await notifyOutcome(finished, await rejectedBy(finished));
  return finished;
}

/** One step of a rollback (or of a decommission, which undoes a completed request the same way), as a timeline entry. */
export async function undo(step: RollbackStep, record: ConnectionRequestRecord): Promise<TimelineEntry> {
  const context = workflowContext();
  const { store } = context;
  // Everything is undone where the request made it: its account and Region.
  const aws = context.awsFor(record);
  switch (step.kind) {
    case 'restore-pipeline':
      return restorePipeline(aws, step.pipelineName, record);
    case 'repoint-back':
      return repointBack(aws, step);
    case 'delete-sync-configuration':
    case 'delete-repository-link':
    case 'restore-trust':
      return undoGitSync(step, record, aws);
    case 'remove-grant':
      return removeGrant(aws, step.grant);
    case 'leave-share':
      return leaveShare(aws, new ShareUsersStore(aws.documents, context.config.tableName), step.shareArn, step.accountId, record.requestId);
    case 'delete-connection': {
      try {
        await connectionsClientFor(step.connectionArn, aws).send(new DeleteConnectionCommand({ ConnectionArn: step.connectionArn }));
        return timelineEntry('rollback', 'system', `Deleted connection ${step.connectionArn}.`);
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return timelineEntry('rollback', 'system', `Connection ${step.connectionArn} was already gone.`);
        throw error;
      }
    }
    case 'release-host': {
      const key = context.hostKeyOf(record);
      const otherUsers = await store.leaveHost(key, record.requestId);
      if (!step.deleteIfUnused) return timelineEntry('rollback', 'system', `Kept host ${step.hostArn}: this request did not create it.`);
      if (otherUsers.length > 0 || (await hasConnections(aws, step.hostArn))) {
        return timelineEntry('rollback', 'system', `Kept host ${step.hostArn}: other requests or connections use it.`);
      }
      try {
        await connectionsClientFor(step.hostArn, aws).send(new DeleteHostCommand({ HostArn: step.hostArn }));
        await store.forgetHost(key);
        return timelineEntry('rollback', 'system', `Deleted host ${step.hostArn}.`);
      } catch (error) {
        if (error instanceof ResourceNotFoundException) {
          await store.forgetHost(key);
          return timelineEntry('rollback', 'system', `Host ${step.hostArn} was already gone.`);
        }
        if (error instanceof ResourceUnavailableException) {
          return timelineEntry('rollback', 'system', `Could not delete host ${step.hostArn} yet (${error.message}); the auditor will report it.`);
        }
        throw error;
      }
    }
  }
}

/** Takes back what the request made for Git sync; what is gone already is noted, not an error. */
async function undoGitSync(
  step: Extract<RollbackStep, { kind: 'delete-sync-configuration' | 'delete-repository-link' | 'restore-trust' }>,
  record: ConnectionRequestRecord,
  aws: Clients,
): Promise<TimelineEntry> {
  const client = gitSyncClient(record, aws);
  try {
    switch (step.kind) {
      case 'delete-sync-configuration':
        await client.send(new DeleteSyncConfigurationCommand({ ResourceName: step.stackName, SyncType: SYNC_TYPE }));
        return timelineEntry('rollback', 'system', `Deleted the Git sync configuration of stack ${step.stackName} (the stack itself is left as it is).`);
      case 'delete-repository-link':
        try {
          await client.send(new DeleteRepositoryLinkCommand({ RepositoryLinkId: step.repositoryLinkId }));
        } catch (error) {
          if (error instanceof SyncConfigurationStillExistsException) return timelineEntry('rollback', 'system', `Kept repository link ${step.repositoryLinkId}: another sync configuration uses it.`);
          throw error;
        }
        return timelineEntry('rollback', 'system', `Deleted repository link ${step.repositoryLinkId}.`);
      case 'restore-trust': {
        // Another request's Git sync deploys with the same role: it keeps trusting Git sync.
        const { store } = workflowContext();
        const sharer = await store.findRequest(IN_PLACE_STATUSES, (candidate) =>
          candidate.requestId !== record.requestId && roleNameOf(candidate.gitSync?.roleArn) === step.roleName,
        );
        if (sharer) return timelineEntry('rollback', 'system', `Kept Git sync's trust on role ${step.roleName}: request ${sharer.requestId}'s Git sync uses the role too.`);
        const without = trustWithoutGitSync((await roleTrust(aws.iam, step.roleName)).document);
        if (!without) return timelineEntry('rollback', 'system', `Role ${step.roleName} no longer holds the broker's Git sync trust statement.`);
        try {
          await aws.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: step.roleName, PolicyDocument: JSON.stringify(without) }));
        } catch (error) {
          if (!accessDeniedCode(error)) throw error;
          return timelineEntry('rollback', 'system', `Could not take Git sync's trust off role ${step.roleName} (${(error as Error).message}); remove its ${GIT_SYNC_TRUST_SID} statement by hand.`);
        }
        return timelineEntry('rollback', 'system', `Took Git sync's trust statement off role ${step.roleName} (the rest of its trust policy is as it is now).`);
      }
    }
  } catch (error) {
    if (error instanceof ResourceNotFoundException || error instanceof NoSuchEntityException) {
      return timelineEntry('rollback', 'system', `${step.kind === 'restore-trust' ? `Role ${step.roleName}` : step.kind === 'delete-repository-link' ? `Repository link ${step.repositoryLinkId}` : `The sync configuration of ${step.stackName}`} was already gone.`);
    }
    throw error;
  }
}

async function hasConnections(aws: Clients, hostArn: string): Promise<boolean> {
  const { Connections } = await connectionsClientFor(hostArn, aws).send(new ListConnectionsCommand({ HostArnFilter: hostArn, MaxResults: 1 }));
  return (Connections?.length ?? 0) > 0;
}

/** A replacement's pipeline goes back to the connection it used before, where it still points at the new one. */
async function repointBack(aws: Clients, step: Extract<RollbackStep, { kind: 'repoint-back' }>): Promise<TimelineEntry> {
  const { config } = workflowContext();
  try {
    const outcome = await safeUpdatePipeline({
      pipelines: aws.pipelines,
      name: step.pipelineName,
      maxAttempts: config.pipelineAttach.updateAttempts,
      rewrite: (current) => {
        const plan = planRepoint(current, step.from, step.to);
        return { declaration: plan.declaration, plan };
      },
    });
    return timelineEntry(
      'rollback',
      'system',
      outcome.updated ? `Pointed ${step.pipelineName} back at ${step.to} (${outcome.plan.actions.map((action) => `${action.stageName}/${action.actionName}`).join(', ')}).` : `Left pipeline ${step.pipelineName} as it is: it no longer uses the new connection.`,
    );
  } catch (error) {
    if (error instanceof PipelineNotFoundException) return timelineEntry('rollback', 'system', `Pipeline ${step.pipelineName} no longer exists.`);
    throw error;
  }
}

/**
 * Puts the source action (and its trigger) back as they were, with the same version-checked
 * read-modify-write as the attach, and only where they are still what we set.
 */
async function restorePipeline(aws: Clients, pipelineName: string, record: ConnectionRequestRecord): Promise<TimelineEntry> {
  const { config } = workflowContext();
  const attachment = record.attachment!;
  try {
    const outcome = await safeUpdatePipeline({
      pipelines: aws.pipelines,
      name: pipelineName,
      maxAttempts: config.pipelineAttach.updateAttempts,
      rewrite: (current) => {
        const plan = planRestore(current, attachment, record.connectionArn!);
        return { declaration: plan.declaration, plan };
      },
    });
    const kept = outcome.concurrentEdits.length > 0 ? ` (recomputed ${outcome.concurrentEdits.length} time(s) around someone else's edit, which is kept)` : '';
    const notes = outcome.plan.notes.join(' ');
    const secrets = JSON.stringify(attachment.previousAction).includes('"****"')
      ? ' GetPipeline masks secrets, so a secret of the previous action (such as a GitHub OAuth token) must be entered again.'
      : '';
    const done = outcome.updated ? `Restored the source action of ${pipelineName}${kept}.${secrets}` : `Left pipeline ${pipelineName} as it is.`;
    return timelineEntry('rollback', 'system', [done, notes].filter(Boolean).join(' '));
  } catch (error) {
    if (error instanceof PipelineNotFoundException) return timelineEntry('rollback', 'system', `Pipeline ${pipelineName} no longer exists.`);
    throw error;
  }
}

/**
 * This request stops using the account's association with the hub's resource share. The account
 * leaves the share only when no other request uses it and the broker made the association (one
 * made by hand stays); the share and the hub's connection always stay. Already gone is fine.
 */
async function leaveShare(aws: Clients, users: ShareUsersStore, shareArn: string, accountId: string, requestId: string): Promise<TimelineEntry> {
  const { stillUsedBy, associatedByBroker } = await users.leave(shareArn, accountId, requestId);
  if (stillUsedBy.length > 0) {
    return timelineEntry('rollback', 'system', `Kept account ${accountId} in resource share ${shareArn}: request(s) ${stillUsedBy.join(', ')} still use it.`);
  }
  if (!associatedByBroker) return timelineEntry('rollback', 'system', `Kept account ${accountId} in resource share ${shareArn}: the broker did not associate it.`);
  try {
    await aws.ram.send(new DisassociateResourceShareCommand({ resourceShareArn: shareArn, principals: [accountId] }));
    await users.forgetAssociation(shareArn, accountId);
    return timelineEntry('rollback', 'system', `Took account ${accountId} out of resource share ${shareArn}; the hub's connection and share stay.`);
  } catch (error) {
    if (error instanceof UnknownResourceException || error instanceof InvalidStateTransitionException) {
      return timelineEntry('rollback', 'system', `Account ${accountId} was no longer in resource share ${shareArn}.`);
    }
    throw error;
  }
}

/** Takes away the inline policy this request added, or puts back the one it replaced. */
async function removeGrant(aws: Clients, grant: RoleGrant): Promise<TimelineEntry> {
  try {
    if (grant.replacedDocument !== undefined) {
      await aws.iam.send(new PutRolePolicyCommand({ RoleName: grant.roleName, PolicyName: grant.policyName, PolicyDocument: grant.replacedDocument }));
      return timelineEntry('rollback', 'system', `Put back the earlier inline policy ${grant.policyName} of role ${grant.roleName}.`);
    }
    await aws.iam.send(new DeleteRolePolicyCommand({ RoleName: grant.roleName, PolicyName: grant.policyName }));
    return timelineEntry('rollback', 'system', `Removed inline policy ${grant.policyName} from role ${grant.roleName}.`);
  } catch (error) {
    if (error instanceof NoSuchEntityException) return timelineEntry('rollback', 'system', `Inline policy ${grant.policyName} of role ${grant.roleName} was already gone.`);
    throw error;
  }
}

export const handler = stepHandler('roll-back', rollBack);
