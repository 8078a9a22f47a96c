/**
 * serverless.yml, resolved by `osls print`, mapped to what the local runtime needs: the
 * functions with their routes and schedules, the state machines and the tables. Nothing
 * is cached: serverless.yml stays the single source of truth on every start.
 */
import { mapServiceConfig } from './map-service-config.ts';
import { printServiceConfig } from './osls-print.ts';

export { functionLogicalId } from './logical-ids.ts';
export { substituteDefinition } from './definition-substitutions.ts';
export { mapServiceConfig } from './map-service-config.ts';

/** A CloudFormation intrinsic left unresolved, e.g. `{ Ref: 'BrokerTable' }` or `{ 'Fn::GetAtt': ['X', 'Arn'] }`. */
export type CloudFormationValue = Record<string, unknown>;

export interface LocalHttpRoute {
  /** Upper case; `ANY` for `*`. */
  method: string;
  /** e.g. `/v1/connection-requests/{id}`; `*` for the `$default` route. */
  path: string;
  /** Name of an entry in `httpApiAuthorizers`. */
  authorizer?: string;
  /** The route's authorizationScopes; the token must carry at least one. */
  scopes?: string[];
}

export interface LocalSchedule {
  /** `rate(...)` or `cron(...)`, exactly as written. */
  rate: string;
  enabled: boolean;
  /** The event the function receives instead of EventBridge's Scheduled Event. */
  input?: unknown;
}

export interface LocalFunction {
  /** The key under `functions:` (e.g. `health`). */
  name: string;
  /** The deployed Lambda name (e.g. `connection-broker-local-health`). */
  functionName: string;
  /** e.g. `HealthLambdaFunction`; what DefinitionSubstitutions refer to. */
  logicalId: string;
  /** Absolute path of the handler's source file. */
  handlerFile: string;
  exportName: string;
  /**
   * provider.environment overlaid by the function's. Numbers and booleans become strings
   * as Lambda would store them; CloudFormation intrinsics ({ Ref }, { Fn::GetAtt }) are
   * left for the caller to resolve, so the type is wider than Lambda's string map.
   */
  environment: Record<string, string | CloudFormationValue>;
  httpRoutes: LocalHttpRoute[];
  schedules: LocalSchedule[];
  timeoutSeconds: number;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  definition: Record<string, unknown>;
  /** Raw CloudFormation values, e.g. `{ HealthFunctionArn: { 'Fn::GetAtt': ['HealthLambdaFunction', 'Arn'] } }`. */
  substitutions: Record<string, unknown>;
}

export interface LocalTable {
  logicalId: string;
  /** AWS::DynamoDB::Table Properties as CloudFormation would receive them. */
  properties: Record<string, unknown>;
}

export interface LocalJwtAuthorizer {
  issuerUrl: string;
  audience: string[];
  /** e.g. `$request.header.Authorization`. */
  identitySource: string;
}

export interface LocalServiceConfig {
  service: string;
  stage: string;
  region: string;
  functions: LocalFunction[];
  stateMachines: LocalStateMachine[];
  tables: LocalTable[];
  httpApiAuthorizers: Record<string, LocalJwtAuthorizer>;
  /** How long `osls print` took, for the startup summary. */
  oslsPrintMs: number;
}

export interface LoadServiceConfigOptions {
  /** The repository root (where serverless.yml and node_modules/ are). */
  root: string;
  /** Default `local`. */
  stage?: string;
  /** Default `us-east-1`. */
  region?: string;
}

export async function loadServiceConfig(options: LoadServiceConfigOptions): Promise<LocalServiceConfig> {
  const stage = options.stage ?? 'local';
  const region = options.region ?? 'us-east-1';
  const printed = await printServiceConfig({ root: options.root, stage, region });
  return { ...mapServiceConfig(printed.config, { root: options.root }), oslsPrintMs: printed.durationMs };
}
