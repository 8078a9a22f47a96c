import type { ActionDeclaration } from '@aws-sdk/client-codepipeline';
import { GetPipelineCommand, PipelineNotFoundException, UpdatePipelineCommand } from '@aws-sdk/client-codepipeline';
import {
  DeleteConnectionCommand,
  DeleteHostCommand,
  ListConnectionsCommand,
  ResourceNotFoundException,
  ResourceUnavailableException,
} from '@aws-sdk/client-codestar-connections';
import { restoreSourceAction } from '../pipelines/source-action.ts';
import { isTerminal, type ConnectionRequestRecord, type TimelineEntry } from '../requests/model.ts';
import { timelineEntry } from '../requests/store.ts';
import { endpointKey, workflowContext, type StepInput } from './context.ts';
import { notifyOutcome } from './notifications.ts';
import { outcomeOf, planRollback, type RollbackStep, type WorkflowFailure } from './rollback-plan.ts';

/** The state machine's Catch target: undo what this request created, in order, and record why. */
export async function handler(event: StepInput & { error?: WorkflowFailure }): Promise<{ status: string }> {
  const record = await rollBackRequest(event.requestId, event.error);
  return { status: record.status };
}

/**
 * Undoes the request's own changes: pipeline reference, then connection, then the host if this
 * request created it and nothing else uses it. Every step tolerates having been done already, so
 * a retried or repeated rollback converges. Also used by cancel.
 */
export async function rollBackRequest(requestId: string, failure: WorkflowFailure | undefined, actor = 'system'): Promise<ConnectionRequestRecord> {
  const { store, approvals } = workflowContext();
  const outcome = outcomeOf(failure);
  const started = await store.updateRequest(requestId, (current) =>
    isTerminal(current.status)
      ? undefined
      : {
          ...current,
          status: 'ROLLING_BACK',
          waitingFor: undefined,
          failure: outcome.failure,
          timeline: [...current.timeline, timelineEntry('rollback', actor, `Rolling back: ${outcome.failure?.message ?? outcome.status}.`)],
        },
  );
  if (isTerminal(started.status)) return started;

  for (const approval of await approvals.forRequest(requestId)) {
    if (approval.status === 'PENDING') await approvals.decide(approval.approvalId, 'EXPIRED', actor);
  }
  const notes: TimelineEntry[] = [];
  for (const step of planRollback(started)) notes.push(await undo(step, started));

  const finished = await store.updateRequest(requestId, (current) => ({
    ...current,
    status: outcome.status,
    timeline: [...current.timeline, ...notes, timelineEntry('rollback', 'system', `Rollback finished; the request is ${outcome.status}.`)],
  }));
  await notifyOutcome(finished);
  return finished;
}

async function undo(step: RollbackStep, record: ConnectionRequestRecord): Promise<TimelineEntry> {
  const { aws, store } = workflowContext();
  switch (step.kind) {
    case 'restore-pipeline': {
      try {
        const { pipeline } = await aws.pipelines.send(new GetPipelineCommand({ name: step.pipelineName }));
        const attachment = record.attachment!;
        const restored = restoreSourceAction(pipeline!, attachment, attachment.previousAction as ActionDeclaration);
        await aws.pipelines.send(new UpdatePipelineCommand({ pipeline: restored }));
        return timelineEntry('rollback', 'system', `Restored the source action of ${step.pipelineName}.`);
      } catch (error) {
        if (error instanceof PipelineNotFoundException) return timelineEntry('rollback', 'system', `Pipeline ${step.pipelineName} no longer exists.`);
        throw error;
      }
    }
    case 'delete-connection': {
      try {
        await aws.connections.send(new DeleteConnectionCommand({ ConnectionArn: step.connectionArn }));
        return timelineEntry('rollback', 'system', `Deleted connection ${step.connectionArn}.`);
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return timelineEntry('rollback', 'system', `Connection ${step.connectionArn} was already gone.`);
        throw error;
      }
    }
    case 'release-host': {
      const key = endpointKey(record.providerEndpoint, record.vpcConfiguration?.vpcId);
      const otherUsers = await store.leaveHost(key, record.requestId);
      if (!step.deleteIfUnused) return timelineEntry('rollback', 'system', `Kept host ${step.hostArn}: this request did not create it.`);
      if (otherUsers.length > 0 || (await hasConnections(step.hostArn))) {
        return timelineEntry('rollback', 'system', `Kept host ${step.hostArn}: other requests or connections use it.`);
      }
      try {
        await aws.connections.send(new DeleteHostCommand({ HostArn: step.hostArn }));
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

async function hasConnections(hostArn: string): Promise<boolean> {
  const { Connections } = await workflowContext().aws.connections.send(new ListConnectionsCommand({ HostArnFilter: hostArn, MaxResults: 1 }));
  return (Connections?.length ?? 0) > 0;
}
