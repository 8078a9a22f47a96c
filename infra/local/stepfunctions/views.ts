import type { Execution, ExecutionStatus } from './execution.ts';
import type { RegisteredStateMachine } from './state-machines.ts';

/** Times are sandbox epoch seconds, the timestamp form of the awsJson protocol. */
const seconds = (ms: number) => ms / 1000;

/** DescribeExecution's output. */
export interface DescribeExecutionView {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  inputDetails: { included: boolean };
  /** Only once SUCCEEDED, as in AWS. */
  output?: string;
  outputDetails?: { included: boolean };
  error?: string;
  cause?: string;
  traceHeader?: string;
}

export function describeExecutionView(execution: Execution): DescribeExecutionView {
  const view: DescribeExecutionView = { ...executionListItem(execution), input: execution.inputText, inputDetails: { included: true } };
  if (execution.outputText !== undefined) {
    view.output = execution.outputText;
    view.outputDetails = { included: true };
  }
  if (execution.error !== undefined) view.error = execution.error;
  if (execution.cause !== undefined) view.cause = execution.cause;
  if (execution.traceHeader !== undefined) view.traceHeader = execution.traceHeader;
  return view;
}

export interface ExecutionListItem {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
}

export function executionListItem(execution: Execution): ExecutionListItem {
  const item: ExecutionListItem = {
    executionArn: execution.arn,
    stateMachineArn: execution.stateMachine.arn,
    name: execution.name,
    status: execution.status,
    startDate: seconds(execution.startDateMs),
  };
  if (execution.stopDateMs !== undefined) item.stopDate = seconds(execution.stopDateMs);
  return item;
}

export function describeStateMachineView(stateMachine: RegisteredStateMachine) {
  return {
    ...stateMachineListItem(stateMachine),
    status: 'ACTIVE',
    definition: stateMachine.definitionText,
    roleArn: stateMachine.roleArn,
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

export function stateMachineListItem(stateMachine: RegisteredStateMachine) {
  return {
    stateMachineArn: stateMachine.arn,
    name: stateMachine.name,
    type: 'STANDARD',
    creationDate: seconds(stateMachine.creationDateMs),
  };
}

export function startExecutionView(execution: Execution) {
  return { executionArn: execution.arn, startDate: seconds(execution.startDateMs) };
}

export function stopExecutionView(execution: Execution) {
  return { stopDate: seconds(execution.stopDateMs ?? execution.startDateMs) };
}
