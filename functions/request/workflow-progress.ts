import * as z from 'zod';
import { isDecommissioning, isUpdatingHost, type ConnectionRequestRecord } from './model.ts';

/**
 * Where a request's workflow is, for the console's graph: which state machine runs it, the states
 * its execution entered in order (the path taken) and the one it is in now. The source is the
 * execution's own history (GetExecutionHistory), so the graph shows what Step Functions did, not
 * what the record says; the console draws the states from the same ASL files the stack deploys.
 */

export const WORKFLOWS = ['provisioning', 'decommission', 'host-update'] as const;
export type Workflow = (typeof WORKFLOWS)[number];

export const workflowProgressSchema = z
  .object({
    requestId: z.string(),
    workflow: z.enum(WORKFLOWS).meta({ description: 'The state machine (statemachines/<workflow>.asl.yml) this execution runs.' }),
    executionArn: z.string().optional().meta({ description: 'Absent while the workflow has not started.' }),
    executionStatus: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']).optional(),
    steps: z
      .array(
        z.object({
          state: z.string().meta({ description: 'The ASL state name.' }),
          enteredAt: z.iso.datetime(),
          exitedAt: z.iso.datetime().optional().meta({ description: 'Absent while the execution is in this state.' }),
        }),
      )
      .meta({ description: 'Every state entered, in order: the path taken (a state entered twice appears twice).' }),
    current: z.string().optional().meta({ description: 'The state the execution is in now; absent once it has ended.' }),
    historyExpired: z
      .literal(true)
      .optional()
      .meta({ description: 'Step Functions no longer has the execution (it keeps a closed execution for 90 days): no path to show; the timeline still tells it.' }),
  })
  .meta({ id: 'WorkflowProgress', description: "The request's workflow as Step Functions ran it, for drawing it over the state machine's graph." });

export type WorkflowProgress = z.output<typeof workflowProgressSchema>;

/** The execution a request's graph shows: a decommission's or a host update's while (or once) it runs, else the provisioning one. */
export function workflowExecutionOf(
  record: Pick<ConnectionRequestRecord, 'status' | 'executionArn' | 'decommission' | 'hostUpdate'>,
): { workflow: Workflow; executionArn: string | undefined } {
  if (isDecommissioning(record.status) || record.status === 'DECOMMISSIONED') return { workflow: 'decommission', executionArn: record.decommission?.executionArn };
  if (isUpdatingHost(record)) return { workflow: 'host-update', executionArn: record.hostUpdate?.executionArn };
  return { workflow: 'provisioning', executionArn: record.executionArn };
}

/** The parts of a GetExecutionHistory event this reads. */
export interface HistoryEventLike {
  timestamp?: Date;
  type?: string;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string };
}

const ENDINGS: Record<string, WorkflowProgress['executionStatus']> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/** The path taken and the current state, from an execution's history events in order. */
export function progressFromHistory(events: readonly HistoryEventLike[]): Pick<WorkflowProgress, 'steps' | 'current' | 'executionStatus'> {
  const steps: WorkflowProgress['steps'] = [];
  let executionStatus: WorkflowProgress['executionStatus'] = events.length > 0 ? 'RUNNING' : undefined;
  for (const event of events) {
    const at = (event.timestamp ?? new Date(0)).toISOString();
    const entered = event.stateEnteredEventDetails?.name;
    const exited = event.stateExitedEventDetails?.name;
    if (event.type?.endsWith('StateEntered') && entered !== undefined) steps.push({ state: entered, enteredAt: at });
    if (event.type?.endsWith('StateExited') && exited !== undefined) {
      // The newest open visit of that state: Map and Parallel branches do not nest in these machines.
      const open = steps.findLast((step) => step.state === exited && step.exitedAt === undefined);
      if (open) open.exitedAt = at;
    }
    const ending = event.type === undefined ? undefined : ENDINGS[event.type];
    if (ending !== undefined) executionStatus = ending;
  }
  const running = executionStatus === 'RUNNING';
  const current = running ? steps.findLast((step) => step.exitedAt === undefined)?.state : undefined;
  return { steps, executionStatus, ...(current === undefined ? {} : { current }) };
}
