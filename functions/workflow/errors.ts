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

export class HostSetupTimedOut extends WorkflowError {
  readonly retryable = false;
  constructor(hostArn: string, waitedSeconds: number) {
    super('HostSetupTimedOut', `Nobody set up the host ${hostArn} within ${Math.round(waitedSeconds / 3600)} hours.`);
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
