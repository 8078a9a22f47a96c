import { timelineEntry } from '../requests/store.ts';
import { workflowContext, type StepInput } from './context.ts';
import { notifyOutcome } from './notifications.ts';

/** The last step: the request is COMPLETED and the requester hears so. */
export async function handler(event: StepInput): Promise<{ status: 'COMPLETED' }> {
  const { store } = workflowContext();
  const record = await store.updateRequest(event.requestId, (current) =>
    current.status === 'COMPLETED'
      ? undefined
      : {
          ...current,
          status: 'COMPLETED',
          waitingFor: undefined,
          timeline: [...current.timeline, timelineEntry('done', 'system', 'The connection is ready.')],
        },
  );
  await notifyOutcome(record);
  return { status: 'COMPLETED' };
}
