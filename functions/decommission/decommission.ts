import { approvalPolicy } from '../approval/request-approval.ts';
import { mentionsOf } from '../approval/approvers.ts';
import { resumeWorkflow } from '../approval/decide.ts';
import { newApprovalId } from '../approval/store.ts';
import { provideClients } from '../adapters/aws-clients.ts';
import { codeBuildClient } from '../adapters/aws/codebuild.ts';
import { pipelinesClient } from '../adapters/aws/codepipeline.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { iamClient } from '../adapters/aws/iam.ts';
import { ramClient } from '../adapters/aws/ram.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import { nameReservationKey } from '../connection/naming.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { notifyDecommissionApproval, recordNotDelivered } from '../workflow/notifications.ts';
import { undo } from '../workflow/roll-back.ts';
import { outcomeOf, planRollback, type WorkflowFailure } from '../workflow/rollback-plan.ts';
import { stepHandler } from '../workflow/step-handler.ts';
import { collectConnectionUsage } from './connection-users.ts';
import { decideDecommission, describeUser } from './guard.ts';

provideClients(pipelinesClient, iamClient, connectionsClient, codeBuildClient, documentsClient, ramClient, stepFunctionsClient);

/** The decommission machine's steps (statemachines/decommission.asl.yml), one Lambda. */
export type DecommissionInput = StepInput & ({ step: 'ask'; taskToken: string } | { step: 'run' } | { step: 'abandon'; error?: WorkflowFailure });

/** The connection is used by something the decommission may not detach: nothing was changed. */
export class ConnectionInUse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionInUse';
  }
}

async function decommission(event: DecommissionInput): Promise<{ status: string }> {
  switch (event.step) {
    case 'ask':
      await askApprovers(event.requestId, event.taskToken);
      return { status: 'WAITING_FOR_DECOMMISSION_APPROVAL' };
    case 'run':
      return { status: (await run(event.requestId)).status };
    case 'abandon':
      return { status: (await abandon(event.requestId, event.error)).status };
  }
}

/**
 * An owner's decommission waits for the approvers (AwaitApproval, `.waitForTaskToken`): the same
 * approval records, Slack buttons and admin API (POST …/approve, …/reject) as the handshake's,
 * with its own approval id, which the record points at from now on.
 */
async function askApprovers(requestId: string, taskToken: string): Promise<void> {
  const { store, approvals, config, aws } = workflowContext();
  const record = await store.updateRequest(requestId, (current) =>
    current.decommission?.approvalId ? undefined : { ...current, approvalId: undefined, decommission: { ...current.decommission!, approvalId: newApprovalId() } },
  );
  const approvalId = record.decommission!.approvalId!;
  const approval = await approvals.open({
    approvalId,
    requestId,
    taskToken,
    purpose: 'decommission',
    expiresAt: Math.floor(Date.now() / 1000) + config.approvalSchedule.timeoutSeconds + 86_400,
  });
  if (approval.status === 'APPROVED' || approval.status === 'REJECTED') {
    // Decided while a retried attempt of this state was starting: pass it on with the new token.
    await resumeWorkflow(approval, aws.stepFunctions);
    return;
  }
  const asked = await store.updateRequest(requestId, (current) =>
    current.approvalId === approvalId
      ? undefined
      : {
          ...current,
          approvalId,
          waitingFor: {
            what: 'an approver to allow deleting the connection',
            who: config.approversChannel ? `approvers (Slack ${config.approversChannel})` : 'approvers (admin API)',
            since: new Date().toISOString(),
          },
          timeline: [...current.timeline, timelineEntry('decommission', 'system', 'Asked the approvers to allow the decommission.')],
        },
  );
  if (approval.requestMessage) return;
  const notice = await notifyDecommissionApproval({
    approvalId,
    requestId,
    requestedBy: asked.decommission!.by,
    providerEndpoint: asked.providerEndpoint,
    connectionName: asked.connectionName,
    connectionArn: asked.connectionArn!,
    detaches: asked.decommission!.usedBy.map(describeUser),
    ...(asked.decommission!.reason ? { reason: asked.decommission!.reason } : {}),
    approvers: mentionsOf(approvalPolicy(asked).approvers),
  });
  if (notice.posted) await approvals.attachMessage(approvalId, 'requestMessage', notice.posted);
  await recordNotDelivered(requestId, 'decommission', notice);
}

/**
 * Looks again at what uses the connection (it may have changed since the API's guard), then undoes
 * the request as a rollback would, step by step, each step's outcome on the timeline as it is done:
 * the pipeline's source action put back, the grants removed, the connection deleted, the host too
 * when nothing else uses it. Every step tolerates having been done already, so a retry converges.
 */
async function run(requestId: string): Promise<ConnectionRequestRecord> {
  const context = workflowContext();
  const { store } = context;
  const started = await store.updateRequest(requestId, (current) => {
    if (current.status !== 'WAITING_FOR_DECOMMISSION_APPROVAL') return undefined;
    return {
      ...current,
      status: 'DECOMMISSIONING',
      waitingFor: undefined,
      timeline: [...current.timeline, timelineEntry('decommission', 'system', 'Decommissioning the connection.')],
    };
  });
  if (started.status === 'DECOMMISSIONED') return started;
  if (started.status !== 'DECOMMISSIONING') throw new Error(`request ${requestId} is ${started.status}, not being decommissioned`);

  const aws = context.awsFor(started);
  // RAM shares are the hub's: read them only for a connection in the broker's own account and Region.
  const home = aws === context.aws;
  // A shared request's connection is the hub's: the spoke leaves the share, the share stays.
  if (started.connectionStrategy !== 'shared') {
    const usage = await collectConnectionUsage(started.connectionArn!, home ? aws : { pipelines: aws.pipelines, connections: aws.connections, codeBuild: aws.codeBuild });
    const decision = decideDecommission(started, usage, { detach: started.decommission!.detach });
    if (!decision.allowed) throw new ConnectionInUse(decision.blocking.map(describeUser).join(' '));
  }
  for (const step of planRollback(started)) {
    // The host goes when nothing else uses it, whichever request of the broker made it; a host the
    // broker found and adopted (made in the console) is not its to delete.
    const brokersHost = started.hostCreatedByRequest === true || started.hostCreatedBy !== undefined;
    const entry = await undo(step.kind === 'release-host' ? { ...step, deleteIfUnused: brokersHost } : step, started);
    await store.updateRequest(requestId, (current) => ({ ...current, timeline: [...current.timeline, { ...entry, step: 'decommission' }] }));
  }
  const finished = await store.updateRequest(requestId, (current) => ({
    ...current,
    status: 'DECOMMISSIONED',
    decommission: { ...current.decommission!, finishedAt: new Date().toISOString() },
    timeline: [...current.timeline, timelineEntry('decommission', 'system', 'Decommissioned: this record is the connection\'s tombstone.')],
  }));
  // The name may be asked for again.
  await store.releaseConnectionName(nameReservationKey(finished.connectionName, finished.accountId), requestId);
  return finished;
}

/**
 * Refused, timed out, or failed: the request is COMPLETED again and says why. Nothing was deleted
 * unless the timeline says so; a failure part way leaves what is done done (each step converges),
 * and the decommission may simply be asked for again.
 */
async function abandon(requestId: string, error: WorkflowFailure | undefined): Promise<ConnectionRequestRecord> {
  const { store, approvals } = workflowContext();
  const outcome = outcomeOf(error);
  const why =
    outcome.status === 'REJECTED'
      ? `Refused: ${outcome.failure?.message ?? 'rejected'}.`
      : outcome.status === 'TIMED_OUT'
        ? 'Nobody allowed it in time.'
        : `It did not finish: ${outcome.failure?.message ?? 'unknown error'}.`;
  const record = await store.updateRequest(requestId, (current) =>
    current.status === 'DECOMMISSIONED' || current.status === 'COMPLETED'
      ? undefined
      : {
          ...current,
          status: 'COMPLETED',
          waitingFor: undefined,
          decommission: { ...current.decommission!, abandoned: { code: outcome.failure?.code ?? 'Unknown', message: why } },
          timeline: [...current.timeline, timelineEntry('decommission', 'system', `The connection was not decommissioned. ${why}`)],
        },
  );
  const approvalId = record.decommission?.approvalId;
  // A timed-out wait leaves its approval PENDING: close it, so a late click changes nothing.
  if (approvalId) await approvals.decide(approvalId, 'EXPIRED', 'system');
  return record;
}

export const handler = stepHandler('decommission', decommission);
