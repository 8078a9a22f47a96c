/**
 * osls's CloudFormation logical id for a function's AWS::Lambda::Function resource
 * (lib/plugins/aws/lib/naming.js getLambdaLogicalId): '-' becomes 'Dash', '_' becomes
 * 'Underscore', the first letter is upper-cased. `health` → `HealthLambdaFunction`,
 * `slack-events` → `SlackDasheventsLambdaFunction`. The state machine's
 * DefinitionSubstitutions name functions by this id (`!GetAtt HealthLambdaFunction.Arn`).
 */
export function functionLogicalId(functionName: string): string {
  const normalized = functionName.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}
