import { ExecutionDoesNotExist, GetExecutionHistoryCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { Clients } from '../adapters/aws-clients.ts';
import type { Caller } from './caller.ts';
import { visibleRequest } from './manage-request.ts';
import type { BrokerStore } from './store.ts';
import { progressFromHistory, workflowExecutionOf, type WorkflowProgress } from './workflow-progress.ts';

/** Pages of 1,000 events: a request's execution has a few dozen, a long rollback a few hundred. */
const PAGE_SIZE = 1000;

/** GET /v1/connection-requests/{id}/workflow: the path the request's execution took, from its history. */
export async function readWorkflowProgress(caller: Caller, requestId: string, dependencies: { store: BrokerStore; aws: Pick<Clients, 'stepFunctions'> }): Promise<WorkflowProgress> {
  const record = await visibleRequest(caller, requestId, dependencies.store);
  const { workflow, executionArn } = workflowExecutionOf(record);
  if (executionArn === undefined) return { requestId, workflow, steps: [] };
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await dependencies.aws.stepFunctions.send(new GetExecutionHistoryCommand({ executionArn, maxResults: PAGE_SIZE, includeExecutionData: false, nextToken }));
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
  } catch (error) {
    // Step Functions keeps a closed execution's history for 90 days; the record outlives it.
    if (error instanceof ExecutionDoesNotExist) return { requestId, workflow, executionArn, steps: [], historyExpired: true };
    throw error;
  }
  return { requestId, workflow, executionArn, ...progressFromHistory(events) };
}
