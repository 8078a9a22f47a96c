import { logger } from '../shell/powertools.ts';
import { InvalidToken, SendTaskFailureCommand, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { decideApproval, resumeWorkflow } from '../approval/decide.ts';
import type { ApprovalRecord } from '../approval/store.ts';
import { timelineEntry } from '../request/store.ts';
import { workflowContext } from '../workflow/context.ts';
import { HANDSHAKE_ACTOR, showApprovalClosed, type NoticeOptions } from '../workflow/notifications.ts';
import { sendApprovalNotice } from '../approval/request-approval.ts';
import type { WaitDecision } from './sweep-plan.ts';
import type { WaitRecord } from './wait-store.ts';
import { recordHumanWait } from '../workflow/metrics.ts';


/** Who noticed: the minute sweep, or a person who asked to check (Slack button, API). */
export type Noticer = { by: 'watcher' } | { by: 'check'; who: string };

/** What acting on a decision did. `closed`: the wait was already over (cancelled, timed out, resumed by someone else). */
export type ActOutcome = 'resumed' | 'failed' | 'notified' | 'closed' | 'nothing';

/**
 * Carries out one wait decision. Every path is safe to repeat and to race: a resume that meets a
 * closed token (a cancel, a timeout, another sweep or check that got there first) changes nothing
 * and ends the wait record; an approval is decided by one conditional write, so of a sweep, a
 * check and a click exactly one approves.
 */
export async function actOn(decision: WaitDecision, noticer: Noticer, slack: NoticeOptions = {}): Promise<ActOutcome> {
  switch (decision.kind) {
    case 'keep-waiting':
      return 'nothing';
    case 'notify': {
      const { waits } = workflowContext();
      await sendApprovalNotice(decision.wait.requestId, decision.wait.approvalId!, decision.notice, slack);
      await waits.markNotice(decision.wait, decision.notice === 'reminder' ? 'remindedAt' : 'escalatedAt', new Date());
      return 'notified';
    }
    case 'resume': {
      const outcome = decision.wait.kind === 'host-setup' ? await resumeHostSetup(decision.wait, noticer) : await approveByHandshake(decision.wait, noticer, slack);
      if (outcome === 'resumed') {
        recordHumanWait(decision.wait.kind, decision.wait.since, new Date());
        logger.info('a person finished their step; the workflow goes on', { requestId: decision.wait.requestId, kind: decision.wait.kind, noticedBy: noticer.by });
      }
      return outcome;
    }
    case 'fail':
      return failWait(decision.wait, decision.error, decision.cause);
  }
}

function noticed(noticer: Noticer): string {
  return noticer.by === 'watcher' ? 'noticed by the watcher' : `noticed when ${noticer.who} asked to check`;
}

async function resumeHostSetup(wait: WaitRecord, noticer: Noticer): Promise<ActOutcome> {
  const { store } = workflowContext();
  // Said before the workflow moves on, so the timeline reads in order; only while it still waits.
  // Once: a sweep whose SendTaskSuccess failed after this write finds waitingFor gone and says nothing again.
  await store.updateRequest(wait.requestId, (current) =>
    current.status !== 'WAITING_FOR_HOST_SETUP' || current.waitingFor === undefined
      ? undefined
      : {
          ...current,
          waitingFor: undefined,
          timeline: [...current.timeline, timelineEntry('host-setup', 'aws-console', `Host ${wait.resourceArn} is AVAILABLE (${noticed(noticer)}).`)],
        },
  );
  return sendToken(wait, { success: { status: 'AVAILABLE', noticedBy: noticer.by === 'watcher' ? 'watcher' : noticer.who } });
}

/** APPROVAL_MODE=handshake: the connection is AVAILABLE, so the handshake approves. */
async function approveByHandshake(wait: WaitRecord, noticer: Noticer, slack: NoticeOptions): Promise<ActOutcome> {
  const { approvals, store, aws, waits } = workflowContext();
  const approval = await approvals.get(wait.approvalId!);
  if (approval && (approval.status === 'APPROVED' || approval.status === 'REJECTED')) return passOn(approval, wait);
  if (!approval || approval.status !== 'PENDING') {
    await waits.end(wait.requestId, wait.kind);
    return 'closed';
  }
  const outcome = await decideApproval(approval, 'approve', HANDSHAKE_ACTOR, { aws, approvals, store }, {
    seenAvailable: true,
    timelineMessage: `Approved: the handshake is done in the AWS console and the connection is AVAILABLE (${noticed(noticer)}; APPROVAL_MODE=handshake).`,
  });
  if (outcome.kind !== 'decided') {
    await waits.end(wait.requestId, wait.kind);
    return 'closed';
  }
  await showApprovalClosed(outcome.approval, await store.getRequest(wait.requestId), { outcome: 'approved', decidedBy: HANDSHAKE_ACTOR, at: new Date(outcome.approval.decidedAt ?? Date.now()) }, slack);
  await waits.end(wait.requestId, wait.kind);
  return 'resumed';
}

/** AWS says the resource will never become AVAILABLE: the waiting state fails with its reason, and the workflow rolls back. */
async function failWait(wait: WaitRecord, error: string, cause: string): Promise<ActOutcome> {
  if (wait.kind === 'host-setup') return sendToken(wait, { failure: { error, cause } });
  const { approvals, waits } = workflowContext();
  const approval = await approvals.get(wait.approvalId!);
  if (approval && (approval.status === 'APPROVED' || approval.status === 'REJECTED')) return passOn(approval, wait);
  if (!approval || approval.status !== 'PENDING') {
    await waits.end(wait.requestId, wait.kind);
    return 'closed';
  }
  return sendToken({ ...wait, taskToken: approval.taskToken }, { failure: { error, cause } });
}

/**
 * Decided, yet the request still waits: the decision never reached the workflow (its
 * SendTaskSuccess/Failure failed after the decision was written). Hand it over now; a repeat is
 * harmless (a closed token changes nothing).
 */
async function passOn(approval: ApprovalRecord, wait: WaitRecord): Promise<ActOutcome> {
  const { aws, waits } = workflowContext();
  const delivered = await resumeWorkflow(approval, aws.stepFunctions);
  await waits.end(wait.requestId, wait.kind);
  return delivered === 'resumed' ? 'resumed' : 'closed';
}

async function sendToken(
  wait: WaitRecord,
  result: { success: Record<string, unknown> } | { failure: { error: string; cause: string } },
): Promise<ActOutcome> {
  const { aws, waits } = workflowContext();
  try {
    if ('success' in result) await aws.stepFunctions.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: JSON.stringify(result.success) }));
    else await aws.stepFunctions.send(new SendTaskFailureCommand({ taskToken: wait.taskToken, error: result.failure.error, cause: result.failure.cause.slice(0, 32_768) }));
  } catch (error) {
    if (!(error instanceof TaskTimedOut || error instanceof TaskDoesNotExist || error instanceof InvalidToken)) throw error;
    logger.info('a wait was already over when its resource moved', { requestId: wait.requestId, kind: wait.kind, error: error.name });
    await waits.end(wait.requestId, wait.kind, wait.taskToken);
    return 'closed';
  }
  await waits.end(wait.requestId, wait.kind, wait.kind === 'host-setup' ? wait.taskToken : undefined);
  return 'success' in result ? 'resumed' : 'failed';
}
