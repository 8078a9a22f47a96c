import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ACTIVE_STATUSES, type ConnectionRequestRecord } from '../../../functions/request/model.ts';
import { BrokerStore } from '../../../functions/request/store.ts';
import { workflowFailureOf } from '../../../functions/workflow/rollback-plan.ts';

/**
 * Re-driving the requests a restart of `npm start` left in flight. On AWS an execution outlives
 * any process; locally the Step Functions engine keeps executions in memory, so a restart would
 * strand every request under way with its host and connection. On start, each non-terminal
 * request gets an execution again, from its record: every step is idempotent and skips what the
 * record says is done (a host already acquired, a connection already made, a wait already begun
 * is re-pointed at the new token without asking anyone again), so the new execution catches up
 * to where the old one stood and goes on.
 */

export interface RedriveSettings {
  hostSetupTimeoutSeconds: number;
  approvalTimeoutSeconds: number;
}

export interface Redrive {
  requestId: string;
  /** The recorded execution's name: locally it is free again, and the rollback of a cancel insists on its own ARN. */
  name: string;
  input: Record<string, unknown>;
}

/**
 * The execution that takes a request on from where its record stands. A request being rolled
 * back only rolls back, with the outcome it recorded; any other goes through the provisioning
 * path with what is left of its human wait's deadline (measured from when the wait began, so a
 * restart never extends it).
 */
export function redrivePlan(record: ConnectionRequestRecord, settings: RedriveSettings, nowMs: number): Redrive {
  const name = record.executionArn?.split(':').at(-1) || record.requestId;
  if (record.status === 'ROLLING_BACK') {
    const cancel = record.cancellation
      ? { Error: 'Cancelled', Cause: `Cancelled by ${record.cancellation.by}` }
      : workflowFailureOf(record.failure);
    return { requestId: record.requestId, name, input: { requestId: record.requestId, cancel } };
  }
  const waitedSeconds = record.waitingFor ? Math.max(0, (nowMs - Date.parse(record.waitingFor.since)) / 1000) : 0;
  const left = (total: number, waiting: boolean) => (waiting ? Math.max(1, Math.ceil(total - waitedSeconds)) : total);
  return {
    requestId: record.requestId,
    name,
    input: {
      requestId: record.requestId,
      settings: {
        hostSetupTimeoutSeconds: left(settings.hostSetupTimeoutSeconds, record.status === 'WAITING_FOR_HOST_SETUP'),
        approvalTimeoutSeconds: left(settings.approvalTimeoutSeconds, record.status === 'WAITING_FOR_APPROVAL'),
        attachPipeline: record.pipeline !== undefined,
      },
    },
  };
}

export interface RedriveDependencies {
  tableName: string;
  stateMachineArn: string;
  settings: RedriveSettings;
  nowMs: number;
}

/** Starts an execution for every request in flight; answers the ones it started. */
export async function redriveRequestsInFlight(dependencies: RedriveDependencies): Promise<Redrive[]> {
  const dynamo = new DynamoDBClient({});
  const stepFunctions = new SFNClient({});
  try {
    const store = new BrokerStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), dependencies.tableName);
    const started: Redrive[] = [];
    for (const status of ACTIVE_STATUSES) {
      let cursor: Record<string, unknown> | undefined;
      do {
        const page = await store.listRequests({ status, limit: 100, cursor });
        for (const record of page.requests) {
          const redrive = redrivePlan(record, dependencies.settings, dependencies.nowMs);
          try {
            const { executionArn } = await stepFunctions.send(
              new StartExecutionCommand({ stateMachineArn: dependencies.stateMachineArn, name: redrive.name, input: JSON.stringify(redrive.input) }),
            );
            // A request whose first start never got recorded (the create died in between) now has its execution.
            if (!record.executionArn) await store.updateRequest(record.requestId, (current) => (current.executionArn ? undefined : { ...current, executionArn }));
            started.push(redrive);
          } catch (error) {
            // Already running (a second start in one process): nothing to do.
            if (!(error instanceof ExecutionAlreadyExists)) throw error;
          }
        }
        cursor = page.cursor;
      } while (cursor);
    }
    return started;
  } finally {
    dynamo.destroy();
    stepFunctions.destroy();
  }
}
