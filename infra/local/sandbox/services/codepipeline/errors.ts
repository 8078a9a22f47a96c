import { AwsServiceError, ValidationError } from '../../errors.ts';

/**
 * CodePipeline's modeled errors, with messages in AWS's words where they are known (PipelineNotFound,
 * the namespace rule) and plain, specific sentences elsewhere. All are client faults sent as 400.
 */
export const pipelineErrors = {
  pipelineNotFound: (accountId: string, name: string) =>
    new AwsServiceError('PipelineNotFoundException', `Account '${accountId}' does not have a pipeline with name '${name}'`),
  pipelineNameInUse: (accountId: string, name: string) =>
    new AwsServiceError('PipelineNameInUseException', `A pipeline with name '${name}' already exists in account '${accountId}'`),
  pipelineVersionNotFound: (name: string, version: number) =>
    new AwsServiceError('PipelineVersionNotFoundException', `Pipeline '${name}' does not have version ${version}`),
  pipelineLimitExceeded: (quota: number) =>
    new AwsServiceError(
      'LimitExceededException',
      `The number of pipelines in this account and Region has reached the limit of ${quota}. Delete pipelines or request a quota increase.`,
    ),
  invalidNextToken: () =>
    new AwsServiceError(
      'InvalidNextTokenException',
      'The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.',
    ),
  invalidStructure: (message: string) => new AwsServiceError('InvalidStructureException', message),
  invalidStage: (message: string) => new AwsServiceError('InvalidStageDeclarationException', message),
  invalidAction: (message: string) => new AwsServiceError('InvalidActionDeclarationException', message),
  invalidTags: (message: string) => new AwsServiceError('InvalidTagsException', message),
  tooManyTags: (limit: number) =>
    new AwsServiceError('TooManyTagsException', `A pipeline can have at most ${limit} tags.`),
  executionNotFound: (name: string, executionId: string) =>
    new AwsServiceError(
      'PipelineExecutionNotFoundException',
      `Pipeline execution '${executionId}' does not exist in pipeline '${name}'`,
    ),
  stageNotFound: (name: string, stageName: string) =>
    new AwsServiceError('StageNotFoundException', `Stage '${stageName}' does not exist in pipeline '${name}'`),
  notLatestExecution: (stageName: string, executionId: string, latestId: string) =>
    new AwsServiceError(
      'NotLatestPipelineExecutionException',
      `Pipeline execution '${executionId}' is not the latest execution of stage '${stageName}' (the latest is '${latestId}'); only the latest execution of a stage can be retried`,
    ),
  stageNotRetryable: (message: string) => new AwsServiceError('StageNotRetryableException', message),
  validation: (message: string) => new ValidationError(message),
};
