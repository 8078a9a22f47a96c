/**
 * The API's errors. Each carries its HTTP status and a stable code; `toResponse` in http.ts is the
 * one place that turns any error into an answer: an RFC 9457 problem details object whose `type`
 * names the code ({@link problemTypeUri}) and whose `code` repeats it.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 503,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, details: ErrorDetail[] = []) => new ApiError(400, 'BadRequest', message, details);
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'A valid bearer token is required.');
export const forbidden = (message: string) => new ApiError(403, 'Forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'NotFound', message);
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(409, code, message, details);
export const unprocessable = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(422, code, message, details);
export const serviceUnavailable = (code: string, message: string) => new ApiError(503, code, message);

/** What one problem type means: the statuses it comes with, its title (the same for every occurrence), and when it happens. */
export interface ProblemType {
  statuses: readonly (400 | 401 | 403 | 404 | 409 | 422 | 500 | 503)[];
  title: string;
  description: string;
}

/**
 * Every code the API answers with, and what it means. The OpenAPI document publishes this table
 * (`components.x-problem-types`), and each problem's `type` points into it there.
 */
export const PROBLEM_TYPES = {
  BadRequest: { statuses: [400], title: 'The request is not valid', description: 'A field, parameter or header is missing or malformed; `errors` names each one by its path.' },
  Unauthorized: { statuses: [401], title: 'No valid bearer token', description: 'The token names no caller (no `sub` claim).' },
  Forbidden: { statuses: [403], title: 'Not allowed', description: 'Only admins may do this, or the GHES endpoint is not on the allow-list.' },
  NotFound: { statuses: [404], title: 'Not found', description: 'No such resource, or not one the caller may see.' },
  ConnectionNameTaken: { statuses: [409], title: 'The connection name is taken', description: 'A connection of that name exists, or another request under way is creating it.' },
  SyncConfigurationExists: { statuses: [409], title: 'The stack has a Git sync configuration already', description: '`errors` names `gitSync.stackName`: choose another stack, or delete that sync configuration first.' },
  RequestInProgress: { statuses: [409], title: 'The same Idempotency-Key is still being processed', description: 'Retry shortly: the first attempt is still running.' },
  RequestFinished: { statuses: [409], title: 'The request has finished', description: 'It can no longer be cancelled.' },
  AlreadyRollingBack: { statuses: [409], title: 'The request is already being rolled back', description: 'Follow `links.self` until it is CANCELLED.' },
  NotWaitingForApproval: { statuses: [409], title: 'The request is not waiting for approval', description: 'Nothing to approve or reject now.' },
  HandshakePending: {
    statuses: [409],
    title: 'The handshake is not finished',
    description: 'A GitHub organization owner (GitLab: a project owner) must finish it in the AWS console first; `errors` links the console page.',
  },
  AlreadyDecided: { statuses: [409], title: 'The approval is already decided', description: 'The other decision was made, or the approval expired.' },
  AuditInProgress: { statuses: [409], title: 'Another audit is running', description: '`errors` names the running audit.' },
  AccountNotAllowed: {
    statuses: [403],
    title: 'Not allowed in that account',
    description: "The account belongs to another team (`errors` at `accountId`), or the account's own endpoint list leaves the GHES host out (at `providerEndpoint`).",
  },
  AccountNotRegistered: { statuses: [422], title: 'The account is not registered', description: 'An admin registers a spoke account (PUT /v1/accounts/{accountId}) once the spoke role is deployed there.' },
  ConnectionNotShareable: {
    statuses: [422],
    title: 'The connection cannot be shared',
    description: "Not an AVAILABLE CodeConnections connection of the broker's own account (CodeStar Connections ARNs cannot be shared with AWS RAM).",
  },
  SharingNotPossible: {
    statuses: [422],
    title: 'No connection to share',
    description: "connectionStrategy shared: nothing is offered for the endpoint and the pipeline's organization, or the request is for the broker's own account.",
  },
  IdempotencyKeyReused: { statuses: [422], title: 'The Idempotency-Key was used with another body', description: 'Use a new key for a new request.' },
  UnsupportedRegion: { statuses: [422], title: 'The Region does not offer GHES or GitLab self-managed connections', description: 'Refused by pre-flight.' },
  ConnectionQuotaReached: { statuses: [422], title: 'The connection quota is reached', description: 'Refused by pre-flight.' },
  HostQuotaReached: { statuses: [422], title: 'The host quota is reached', description: 'Refused by pre-flight: a new host would not fit.' },
  UnsupportedGhesVersion: { statuses: [422], title: 'The GHES version is not supported', description: 'Refused by pre-flight (GHES only: a GitLab version is not checked).' },
  PipelineNotFound: { statuses: [422], title: 'No such pipeline', description: 'Refused by pre-flight.' },
  SourceActionNotFound: { statuses: [422], title: 'No such source action', description: 'Refused by pre-flight: name the source action when the pipeline has several.' },
  TriggerNotPossible: { statuses: [422], title: 'The trigger cannot be set', description: 'Refused by pre-flight: a trigger on a V1 pipeline, or one too many.' },
  SlackRequestRefused: {
    statuses: [400, 401, 403],
    title: 'Not a valid Slack request for this app',
    description: '401: bad signature or timestamp; 400: a malformed payload; 403: another workspace or app. Slack reads only the status.',
  },
  SlackNotConfigured: { statuses: [503], title: 'Slack interactivity is not available', description: 'The signing secret, workspace or app is not configured or cannot be read.' },
  ConnectionInUse: {
    statuses: [409],
    title: 'The connection is in use',
    description: 'Nothing was changed. `errors` names each pipeline, Git sync configuration, repository link, CodeBuild project or resource share that uses it (`usedBy.<kind>.<name>`, e.g. `usedBy.codebuild-project.web-build`) and what to do; pass `detach: true` for the pipelines the broker attached.',
  },
  DecommissionUnderWay: { statuses: [409], title: 'The connection is being decommissioned', description: 'Follow the request (`links.self`); an approver may still refuse it.' },
  HostUpdateUnderWay: { statuses: [409], title: 'The host is being updated', description: 'Follow the request that created it (`links.self`) until it is COMPLETED again.' },
  HostNotUpdatable: { statuses: [409], title: 'The host cannot be updated now', description: 'The request that created it is not COMPLETED (it is under way, being decommissioned, or over).' },
  HostUpdateNotStarted: { statuses: [503], title: 'The host update could not be started', description: 'Nothing was changed; try again.' },
  HostNotInError: { statuses: [409], title: 'The host is not in ERROR', description: 'Only a broken host is recreated; PATCH /v1/hosts/{id} changes one that works.' },
  UsageNotReadable: { statuses: [503], title: 'What uses the connection could not be read', description: "Nothing was changed: the broker's role (a spoke's: infra/spoke-role.yml) lacks the guard's List actions." },
  NotReplaceable: { statuses: [409], title: 'The connection cannot be replaced here', description: "A shared connection is the hub's: replace it in the hub." },
  ReplacementUnderWay: { statuses: [409], title: 'The connection is being replaced', description: 'Follow the replacing request; ask again only if it failed.' },
  AlreadyDecommissioned: { statuses: [409], title: 'The connection was decommissioned', description: 'Its request is the tombstone: who, when, what used it.' },
  DecommissionNotStarted: { statuses: [503], title: 'The decommission could not be started', description: 'Nothing was changed; ask again.' },
  RollbackNotStarted: { statuses: [503], title: 'The rollback could not be started yet', description: 'The cancel is recorded; cancel again shortly.' },
  InternalError: { statuses: [500], title: 'Something went wrong on our side', description: 'Try again later; the log has the details.' },
} as const satisfies Record<string, ProblemType>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export const PROBLEM_CODES = Object.keys(PROBLEM_TYPES) as ProblemCode[];

/**
 * Where a problem type is described: a URI reference into the OpenAPI document the API serves
 * (GET /v1/openapi.json, no token needed), resolved against the API's own address.
 */
export const PROBLEM_TYPE_PREFIX = '/v1/openapi.json#/components/x-problem-types/';

export function problemTypeUri(code: string): string {
  return `${PROBLEM_TYPE_PREFIX}${encodeURIComponent(code)}`;
}

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_TYPES, code);
}
