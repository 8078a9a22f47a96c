/**
 * Errors a workflow step raises. Their `name` is the Step Functions error name, which the state
 * machine's Retry/Catch rules and the rollback step match on, so names are part of the contract.
 */
abstract class WorkflowError extends Error {
  abstract readonly retryable: boolean;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class VpcInitializationFailed extends WorkflowError {
  readonly retryable = false;
  constructor(hostArn: string, statusMessage: string | undefined) {
    super(
      'VpcInitializationFailed',
      `The host ${hostArn} could not initialize its VPC configuration${statusMessage ? `: ${statusMessage}` : ''}. ` +
        'Check that the VPC, subnets and security groups are in this account and Region, that the subnets are in the ' +
        'selected VPC and in different Availability Zones, and that the creator may manage network interfaces and VPC endpoints.',
    );
  }
}

export class HostInError extends WorkflowError {
  readonly retryable = false;
  constructor(hostArn: string) {
    super('HostInError', `The host ${hostArn} is in ERROR (its GitHub App was changed or deleted); it must be deleted and recreated.`);
  }
}

export class ConnectionNameTaken extends WorkflowError {
  readonly retryable = false;
  constructor(name: string) {
    super('ConnectionNameTaken', `A connection named ${name} already exists and was not created by this request.`);
  }
}

export class ConnectionNotAvailable extends WorkflowError {
  readonly retryable = true;
  constructor(connectionArn: string, status: string | undefined) {
    super('ConnectionNotAvailable', `The connection ${connectionArn} is ${status ?? 'missing'}, not AVAILABLE.`);
  }
}

export class SourceActionNotFound extends WorkflowError {
  readonly retryable = false;
  constructor(pipelineName: string, detail: string) {
    super('SourceActionNotFound', `Cannot attach to pipeline ${pipelineName}: ${detail}`);
  }
}

export class TriggerNotPossible extends WorkflowError {
  readonly retryable = false;
  constructor(pipelineName: string, detail: string) {
    super('TriggerNotPossible', `Cannot add the trigger to pipeline ${pipelineName}: ${detail}`);
  }
}

/** Someone kept changing the pipeline while we tried to attach; the state machine retries a little later. */
export class PipelineEditConflict extends WorkflowError {
  readonly retryable = true;
  constructor(pipelineName: string, attempts: number) {
    super(
      'PipelineEditConflict',
      `Pipeline ${pipelineName} changed under us on each of ${attempts} attempts (someone else is editing it); nothing of theirs was overwritten.`,
    );
  }
}

/** The spoke account's association with the hub's resource share is not ASSOCIATED yet; the state machine tries again. */
export class ShareNotReady extends WorkflowError {
  readonly retryable = true;
  constructor(accountId: string, status: string) {
    super('ShareNotReady', `Account ${accountId}'s association with the resource share is ${status}.`);
  }
}

/** Git sync's first sync has not reported yet; the state machine looks again later (FirstRun's retrier). */
export class FirstSyncInProgress extends WorkflowError {
  readonly retryable = true;
  constructor(stackName: string, status: string | undefined) {
    // Named as the first run's wait, which the FirstRun state retries.
    super('FirstRunInProgress', `The first Git sync of stack ${stackName} is ${status ?? 'not started'} yet.`);
  }
}

/** Git sync's first sync failed: the request rolls back what it made. */
export class GitSyncFailed extends WorkflowError {
  readonly retryable = false;
  constructor(stackName: string, detail: string) {
    super('GitSyncFailed', `The first Git sync of stack ${stackName} failed: ${detail}`);
  }
}

/** The first run's source action has not finished yet; the state machine looks again later. */
export class FirstRunInProgress extends WorkflowError {
  readonly retryable = true;
  constructor(pipelineName: string, executionId: string) {
    super('FirstRunInProgress', `The source stage of ${pipelineName} (execution ${executionId}) is still running.`);
  }
}

/**
 * The first run's source action failed, and we retried the stage. IAM changes take a while to
 * reach CodePipeline, so the state machine tries again with backoff before it gives up.
 */
export class FirstRunSourceFailed extends WorkflowError {
  readonly retryable = true;
  constructor(pipelineName: string, executionId: string, error: string) {
    super('FirstRunSourceFailed', `The source stage of ${pipelineName} failed in execution ${executionId}: ${error}`);
  }
}

/**
 * The request was cancelled, or has finished, since this execution started: the step changes
 * nothing more. A cancelled request is rolled back by the execution the cancel started; the state
 * machine's Catch sends this error to RollBack, which leaves such a request to that execution.
 */
export class RequestNotActive extends WorkflowError {
  readonly retryable = false;
  constructor(requestId: string, status: string) {
    super('RequestNotActive', `Request ${requestId} is ${status}: this step changes nothing more.`);
  }
}

export class ConnectionInError extends WorkflowError {
  readonly retryable = false;
  constructor(connectionArn: string) {
    super('ConnectionInError', `The connection ${connectionArn} is in ERROR (its app installation was removed or changed); it must be deleted and requested again.`);
  }
}

/** The host or connection a request waited on was deleted by someone else meanwhile. */
export class WaitedResourceGone extends WorkflowError {
  readonly retryable = false;
  constructor(resourceArn: string) {
    super('WaitedResourceGone', `${resourceArn} no longer exists: it was deleted while the request waited for it.`);
  }
}
