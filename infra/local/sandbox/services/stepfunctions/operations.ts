import type { CallContext } from '../../context.ts';
import type { OperationHandler } from '../../service.ts';
import { sfnErrors } from '../../../stepfunctions/api-errors.ts';
import type { LocalStepFunctions } from '../../../stepfunctions/engine.ts';
import type { ExecutionStatus } from '../../../stepfunctions/execution.ts';
import { withoutExecutionData, type HistoryEvent } from '../../../stepfunctions/history.ts';
import {
  describeExecutionView,
  describeStateMachineView,
  executionListItem,
  startExecutionView,
  stateMachineListItem,
  stopExecutionView,
} from '../../../stepfunctions/views.ts';
import { pageSizeOf, paginate } from '../pagination.ts';

/** AWS's default page size for GetExecutionHistory, ListExecutions and ListStateMachines. */
const DEFAULT_PAGE_SIZE = 100;

/**
 * The Step Functions API operations the sandbox serves, over the local engine. Inputs arrive checked
 * against the hand-written model (required members, lengths, enums); the engine applies AWS's rules.
 */
export function stepFunctionsOperations(engine: LocalStepFunctions): Record<string, OperationHandler> {
  return {
    async StartExecution(input: { stateMachineArn: string; name?: string; input?: string; traceHeader?: string }) {
      return startExecutionView(await engine.startExecution(input));
    },

    DescribeExecution({ executionArn }: { executionArn: string }) {
      return describeExecutionView(engine.execution(executionArn));
    },

    StopExecution({ executionArn, error, cause }: { executionArn: string; error?: string; cause?: string }) {
      return stopExecutionView(engine.stopExecution(executionArn, error, cause));
    },

    GetExecutionHistory(input: {
      executionArn: string;
      maxResults?: number;
      reverseOrder?: boolean;
      nextToken?: string;
      includeExecutionData?: boolean;
    }) {
      const history = engine.execution(input.executionArn).historyEvents();
      const ordered = input.reverseOrder ? [...history].reverse() : [...history];
      const { page, nextToken } = paginate<HistoryEvent>(ordered, {
        list: `history:${input.executionArn}:${input.reverseOrder ? 'reverse' : 'forward'}`,
        keyOf: (event) => event.id,
        sortedByKey: false,
        pageSize: pageSizeOf(input.maxResults, DEFAULT_PAGE_SIZE),
        nextToken: input.nextToken,
        invalidToken: sfnErrors.invalidPaginationToken,
      });
      const events = input.includeExecutionData === false ? page.map(withoutExecutionData) : page;
      return { events, nextToken };
    },

    ListExecutions(input: { stateMachineArn?: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string; mapRunArn?: string }) {
      if (input.mapRunArn !== undefined) throw sfnErrors.invalidArn(input.mapRunArn);
      if (input.stateMachineArn === undefined) throw sfnErrors.validation('Must provide a StateMachine ARN or MapRun ARN');
      const stateMachine = engine.stateMachine(input.stateMachineArn);
      const matching = engine
        .listExecutions(stateMachine.arn)
        .filter((execution) => input.statusFilter === undefined || execution.status === input.statusFilter);
      const { page, nextToken } = paginate(matching, {
        list: `executions:${stateMachine.arn}:${input.statusFilter ?? 'ALL'}`,
        keyOf: (execution) => execution.arn,
        sortedByKey: false,
        pageSize: pageSizeOf(input.maxResults, DEFAULT_PAGE_SIZE),
        nextToken: input.nextToken,
        invalidToken: sfnErrors.invalidPaginationToken,
      });
      return { executions: page.map(executionListItem), nextToken };
    },

    SendTaskSuccess({ taskToken, output }: { taskToken: string; output: string }) {
      engine.sendTaskSuccess(taskToken, output);
      return {};
    },

    SendTaskFailure({ taskToken, error, cause }: { taskToken: string; error?: string; cause?: string }) {
      engine.sendTaskFailure(taskToken, error, cause);
      return {};
    },

    SendTaskHeartbeat({ taskToken }: { taskToken: string }) {
      engine.sendTaskHeartbeat(taskToken);
      return {};
    },

    DescribeStateMachine({ stateMachineArn }: { stateMachineArn: string }) {
      return describeStateMachineView(engine.stateMachine(stateMachineArn));
    },

    ListStateMachines(input: { maxResults?: number; nextToken?: string }, call: CallContext) {
      const { page, nextToken } = paginate(engine.listStateMachines(call), {
        list: 'state-machines',
        keyOf: (stateMachine) => stateMachine.name,
        sortedByKey: true,
        pageSize: pageSizeOf(input.maxResults, DEFAULT_PAGE_SIZE),
        nextToken: input.nextToken,
        invalidToken: sfnErrors.invalidPaginationToken,
      });
      return { stateMachines: page.map(stateMachineListItem), nextToken };
    },
  };
}
