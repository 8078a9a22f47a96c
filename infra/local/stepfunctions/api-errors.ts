import { AwsServiceError } from '../sandbox/errors.ts';

/**
 * The Step Functions API's errors, with the codes the SDK maps to its exception classes and messages
 * in AWS's `Error Name: 'detail'` style. All are HTTP 400. Messages never contain a task token.
 */
export const sfnErrors = {
  stateMachineDoesNotExist: (arn: string) => new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`),
  executionDoesNotExist: (arn: string) => new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`),
  executionAlreadyExists: (arn: string) => new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`),
  invalidArn: (arn: string) => new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`),
  invalidName: (name: string) => new AwsServiceError('InvalidName', `Invalid Name: '${name}'`),
  invalidExecutionInput: (detail: string) => new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`),
  invalidOutput: (detail: string) => new AwsServiceError('InvalidOutput', `Invalid Output: '${detail}'`),
  /** Malformed: not a token this engine could have issued. */
  invalidToken: () => new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'"),
  /** Well-formed but unknown here, e.g. issued before the local runtime restarted. */
  taskDoesNotExist: () => new AwsServiceError('TaskDoesNotExist', "Task Does Not Exist: 'Provided task does not exist'"),
  /** AWS: "the task token has either expired or the task associated with the token has already been closed". */
  taskTimedOut: () => new AwsServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'"),
  invalidPaginationToken: () => new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid pagination token'"),
  validation: (message: string) => new AwsServiceError('ValidationException', message, 400),
};
