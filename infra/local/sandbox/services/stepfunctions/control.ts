import { ControlApiError } from '../../errors.ts';
import type { ControlRoute } from '../../service.ts';
import type { LocalStepFunctions } from '../../../stepfunctions/engine.ts';
import type { Execution } from '../../../stepfunctions/execution.ts';
import { describeExecutionView, executionListItem } from '../../../stepfunctions/views.ts';

/** Control routes for looking into executions: status, transition counts and pending callbacks (never the tokens). */
export function stepFunctionsControlRoutes(engine: LocalStepFunctions): ControlRoute[] {
  const summary = (execution: Execution) => ({
    ...executionListItem(execution),
    transitions: execution.transitions,
    pendingTaskTokens: engine.pendingTaskTokens(execution.arn),
  });
  return [
    {
      method: 'GET',
      path: '/executions',
      summary: 'Step Functions executions, newest first, with status and state transitions',
      handle: () => ({ executions: engine.listExecutions().map(summary) }),
    },
    {
      method: 'GET',
      path: '/executions/:name',
      summary: 'One execution by name (or ARN): DescribeExecution plus transitions and pending task tokens',
      handle: ({ params }) => {
        const execution = findExecution(engine, params.name!);
        return { ...describeExecutionView(execution), ...summary(execution) };
      },
    },
  ];
}

function findExecution(engine: LocalStepFunctions, nameOrArn: string): Execution {
  const matching = engine.listExecutions().filter((execution) => execution.name === nameOrArn || execution.arn === nameOrArn);
  if (matching.length === 0) throw new ControlApiError(404, 'ExecutionNotFound', `No execution named ${nameOrArn}`, 'name');
  if (matching.length > 1) {
    throw new ControlApiError(409, 'AmbiguousExecutionName', `${matching.length} state machines have an execution named ${nameOrArn}; use its ARN`, 'name');
  }
  return matching[0]!;
}
