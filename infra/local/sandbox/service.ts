import type { PrincipalSource } from './authorization/authorizer.ts';
import type { ResourceFacts } from './authorization/catalogue.ts';
import type { CallContext } from './context.ts';
import type { AwsServiceError } from './errors.ts';
import type { SandboxClock } from './clock.ts';
import type { ConstraintOverrides } from './model/validate.ts';
import type { SmithyModel } from './model/smithy-model.ts';
import type { SandboxStore } from './store.ts';

/** Settings that shape the sandbox's AWS behaviour; all have AWS's defaults. */
export interface SandboxConfig {
  defaultAccountId: string;
  defaultRegion: string;
  /** Hosts per account and Region (AWS: 50, not adjustable). */
  hostQuota: number;
  /** Connections per account and Region (AWS: 250, adjustable). */
  connectionQuota: number;
  /** Pipelines per account and Region (AWS: 1000). */
  pipelineQuota: number;
  /** How long a VPC host stays VPC_CONFIG_INITIALIZING, in sandbox-clock seconds. */
  vpcInitializationSeconds: number;
  /**
   * How long a role policy written through the IAM API takes to count for pipeline and build runs,
   * in sandbox-clock seconds (AWS: "usually seconds"; 0 by default so tests opt in).
   */
  iamPropagationSeconds: number;
  /**
   * How long a RAM association stays ASSOCIATING (or DISASSOCIATING) before it is ASSOCIATED
   * (DISASSOCIATED), in sandbox-clock seconds (AWS: seconds; 0 by default so tests opt in).
   */
  ramAssociationSeconds: number;
}

export const DEFAULT_CONFIG: SandboxConfig = {
  defaultAccountId: '111111111111',
  defaultRegion: 'us-east-1',
  hostQuota: 50,
  connectionQuota: 250,
  pipelineQuota: 1000,
  vpcInitializationSeconds: 300,
  iamPropagationSeconds: 0,
  ramAssociationSeconds: 0,
};

export interface SandboxDeps {
  store: SandboxStore;
  clock: SandboxClock;
  config: SandboxConfig;
}

// Inputs arrive as validated JSON; handlers narrow them to their own input types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OperationHandler = (input: any, call: CallContext) => unknown;

export interface ProtocolError {
  code: string;
  status: number;
  message: string;
}

/** What AWS's Coral front end answers for any service without modeled throttling or failure errors. */
export const GENERIC_THROTTLING: ProtocolError = { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' };
export const GENERIC_SERVER_ERROR: ProtocolError = {
  code: 'InternalFailure',
  status: 500,
  message: 'The request processing has failed because of an unknown error, exception or failure.',
};

/** A service spoken over awsJson1_0 / awsJson1_1 and dispatched on X-Amz-Target. */
export interface JsonProtocolService {
  /** The endpoint namespace: fault rules, call counts and ARNs use it. */
  name: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  /** Every X-Amz-Target prefix clients send (JS SDK and botocore spell some differently). */
  targetPrefixes: string[];
  model: SmithyModel;
  validationOverrides?: ConstraintOverrides;
  /** Error shapes name their text `Message` (CodeStar) or `message` (CodePipeline). */
  errorMessageMember: 'Message' | 'message';
  throttling: ProtocolError;
  serverError: ProtocolError;
  operations: Record<string, OperationHandler>;
}

/** A service spoken over the AWS query protocol (form-encoded request, XML response), e.g. IAM. */
export interface QueryProtocolService {
  name: string;
  /** SigV4 signing name that identifies the service's requests. */
  signingName: string;
  apiVersion: string;
  xmlNamespace: string;
  throttling: ProtocolError;
  serverError: ProtocolError;
  /** Called with the form parameters unflattened (`Tags.member.1.Key` → `Tags[0].Key`). */
  operations: Record<string, OperationHandler>;
}

/**
 * A service spoken over restJson1 (RAM): each operation has its own HTTP method and path (the
 * model's `smithy.api#http` trait); see protocols/rest-json.ts.
 */
export interface RestJsonProtocolService {
  /** The endpoint namespace (and SigV4 signing name): fault rules, call counts, ARNs and IAM use it. */
  name: string;
  model: SmithyModel;
  operations: Record<string, OperationHandler>;
  /** Rewrites a model-validation failure into the service's own error (RAM has no ValidationException). */
  validationError?: (error: AwsServiceError) => AwsServiceError;
  throttling: ProtocolError;
  serverError: ProtocolError;
}

export interface ControlRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Account and Region named by `?account=` / `?region=` (or the body), else the defaults. */
  accountId: string;
  region: string;
}

export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below `/_sandbox`, with `:name` parameters. */
  path: string;
  summary: string;
  handle(request: ControlRequest): unknown;
}

/** What one emulated service contributes to the sandbox. */
export interface SandboxModule {
  jsonServices?: JsonProtocolService[];
  queryServices?: QueryProtocolService[];
  restJsonServices?: RestJsonProtocolService[];
  controlRoutes?: ControlRoute[];
  /** Everything this module holds, for the control API's inventory. */
  inventory?(): unknown;
  /** What IAM needs to know of this module's resources to authorise a call (tags, role paths). */
  resourceFacts?: Partial<ResourceFacts>;
  /** The principals behind credentials this module issues (STS sessions), by access key id. */
  principals?: PrincipalSource;
}
