import { isActive, type RequestStatus } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import type { RemainingTime } from '../shell/deadline.ts';
import { workflowContext, type StepInput } from './context.ts';
import { RequestNotActive } from './errors.ts';
import { noticeDeadline, notifyOutcome, recordNotDelivered } from './notifications.ts';
import { provideClients } from '../adapters/aws-clients.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from './step-handler.ts';
import { recordRequestEnded } from './metrics.ts';
import { onceOnly } from './once-only.ts';

provideClients(documentsClient);

/**
 * The last step: the request is COMPLETED and the requester hears so. Only an active request
 * completes: one cancelled (ROLLING_BACK) or finished otherwise keeps its status, and the step
 * fails with RequestNotActive. Repeated after it completed, it changes nothing.
 *
 * COMPLETED is written first, and only the invocation whose write made the request COMPLETED tells
 * the requester, after it: a retry after a partial run (a lost answer, a crash) finds COMPLETED and
 * succeeds without a second message, so the requester hears at most once and the execution ends
 * as the record says. The message gets the time the step can spare (noticeDeadline); one Slack
 * does not take in time is recorded as not delivered, and the step still succeeds.
 */
async function completeRequest(event: StepInput, context?: RemainingTime): Promise<{ status: 'COMPLETED' }> {
  const deadline = noticeDeadline(context);
  const { store } = workflowContext();
  let refused: RequestStatus | undefined;
  let completedHere = false;
  const record = await store.updateRequest(event.requestId, (current) => {
    refused = current.status !== 'COMPLETED' && !isActive(current.status) ? current.status : undefined;
    // The last call of `change` is the one whose result was written (or the record left as it is).
    completedHere = current.status !== 'COMPLETED' && !refused;
    if (!completedHere) return undefined;
    return {
      ...current,
      status: 'COMPLETED',
      waitingFor: undefined,
      timeline: [...current.timeline, timelineEntry('done', 'system', 'The connection is ready.')],
    };
  });
  if (refused) throw new RequestNotActive(event.requestId, refused);
  // Neither throws: after COMPLETED nothing may fail the step.
  if (completedHere) recordRequestEnded('COMPLETED');
  if (completedHere) await recordNotDelivered(record.requestId, 'done', await notifyOutcome(record, undefined, { deadline }));
  return { status: 'COMPLETED' };
}

/**
 * Step Functions may invoke a step again after it finished (a lost response: Lambda.ServiceException,
 * Lambda.Unknown). Completing is the one step whose second run would only repeat the first: the
 * stored result is returned instead, for an hour.
 */
export const handler = stepHandler('complete-request', completeRequest, {
  use: [onceOnly({ eventKeyJmesPath: 'requestId', staticPkValue: 'IDEMPOTENCY#complete-request' })],
});
