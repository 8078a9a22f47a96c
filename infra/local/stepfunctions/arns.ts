/** Step Functions ARNs: `arn:aws:states:<region>:<account>:stateMachine:<name>` and `…:execution:<stateMachine>:<name>`. */

export interface Scope {
  accountId: string;
  region: string;
}

export function stateMachineArn({ accountId, region }: Scope, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

export function executionArn({ accountId, region }: Scope, stateMachineName: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:execution:${stateMachineName}:${name}`;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;

export function isStateMachineArn(arn: string): boolean {
  return STATE_MACHINE_ARN.test(arn);
}

export function isExecutionArn(arn: string): boolean {
  return EXECUTION_ARN.test(arn);
}
