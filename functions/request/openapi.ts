/**
 * The API's OpenAPI 3.1 description, served at GET /v1/openapi.json and linted with
 * @redocly/cli in the tests.
 *
 * The request body, the request view and the statuses are not written here: they are generated
 * from their zod schemas (functions/request/contract.ts, request-view.ts, model.ts) with
 * `z.toJSONSchema`, the body as the input the server accepts (`io: 'input'`), the views as the
 * output it sends (`io: 'output'`). Errors are problem details (functions/shell/openapi-responses.ts).
 */
import * as z from 'zod';
import { auditPaths, auditSchemas, auditTags } from '../audit/openapi-paths.ts';
import { accountPaths, accountTags } from '../accounts/openapi-paths.ts';
import { accountRegistrationSchema, accountViewSchema } from '../accounts/contract.ts';
import { sharingPaths, sharingTags } from '../sharing/openapi-paths.ts';
import { decommissionOperation } from '../decommission/openapi-paths.ts';
import { hostUpdateOperation, repairPaths } from '../host/openapi-paths.ts';
import { replacementPaths } from '../replace/openapi-paths.ts';
import { syncPaths } from '../sync/openapi-paths.ts';
import { resolveBlockerBodySchema } from '../sync/resolve-blocker.ts';
import { replacementBodySchema } from '../replace/contract.ts';
import { hostUpdateBodySchema } from '../host/update-contract.ts';
import { decommissionBodySchema } from '../decommission/contract.ts';
import { shareableConnectionSchema, shareableConnectionViewSchema } from '../sharing/contract.ts';
import {
  acceptedResponse,
  anyRouteResponses,
  authorizedRouteResponses,
  emptyResponse,
  jsonResponse,
  problemComponents,
  problemResponse,
} from '../shell/openapi-responses.ts';
import { connectionRequestSchema, filterCriteriaSchema, pullRequestFilterSchema, pushFilterSchema, triggerFiltersSchema } from './contract.ts';
import { nextActionSchema, pipelineAttachmentSchema, requestStatusSchema, requestViewSchema, timelineEntrySchema, waitingForSchema } from './request-view.ts';
import { workflowProgressSchema } from './workflow-progress.ts';

type JsonSchema = Record<string, unknown>;

/** Components generated from zod schemas: each registry entry becomes `#/components/schemas/<id>`, and they refer to each other. */
function generate(entries: [z.core.$ZodType, string][], io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` });
  // Each comes as a document of its own; inside the OpenAPI document they are plain schemas.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema as JsonSchema]));
}

let contractSchemas: Record<string, JsonSchema> | undefined;

/** The schemas of the request body (input) and the views (output); generated once per container. */
export function contractComponents(): Record<string, JsonSchema> {
  if (contractSchemas) return contractSchemas;
  // Sent in a request and shown in its view alike.
  const filters: [z.core.$ZodType, string][] = [
    [triggerFiltersSchema, 'TriggerFilters'],
    [pushFilterSchema, 'GitPushFilter'],
    [pullRequestFilterSchema, 'GitPullRequestFilter'],
    [filterCriteriaSchema, 'GitFilterCriteria'],
  ];
  const inputs = generate(
    [
      [connectionRequestSchema, 'NewConnectionRequest'],
      [accountRegistrationSchema, 'AccountRegistration'],
      [shareableConnectionSchema, 'NewSharedConnection'],
      [decommissionBodySchema, 'DecommissionRequest'],
      [hostUpdateBodySchema, 'HostUpdate'],
      [replacementBodySchema, 'Replacement'],
      [resolveBlockerBodySchema, 'ResolveSyncBlocker'],
      ...filters,
    ],
    'input',
  );
  const outputs = generate(
    [
      [requestStatusSchema, 'Status'],
      [timelineEntrySchema, 'TimelineEntry'],
      [waitingForSchema, 'WaitingFor'],
      [nextActionSchema, 'NextAction'],
      [pipelineAttachmentSchema, 'PipelineAttachment'],
      ...filters,
      [requestViewSchema, 'ConnectionRequest'],
      [accountViewSchema, 'Account'],
      [shareableConnectionViewSchema, 'SharedConnection'],
      [workflowProgressSchema, 'WorkflowProgress'],
    ],
    'output',
  );
  // A schema both sent and received (the trigger filters) must read the same both ways.
  for (const id of Object.keys(inputs)) {
    if (id in outputs && JSON.stringify(inputs[id]) !== JSON.stringify(outputs[id])) throw new Error(`${id} differs as input and as output`);
  }
  contractSchemas = { ...inputs, ...outputs };
  return contractSchemas;
}

const idParameter = { name: 'id', in: 'path', required: true, description: 'The request id.', schema: { type: 'string', format: 'uuid' } };
const requestResponse = (description: string) => jsonResponse(description, 'ConnectionRequest');
/** What every operation behind the JWT authorizer may answer besides its own statuses. */
const authorized = authorizedRouteResponses;

export function openApiDocument() {
  const problems = problemComponents();
  return {
    openapi: '3.1.0',
    info: {
      title: 'connection-broker',
      version: process.env.SERVICE_VERSION ?? '0.1.0',
      description:
        'Self-service AWS CodeStar Connections / CodeConnections to GitHub Enterprise Server and GitLab self-managed (`providerType`): the broker reuses or creates the host, ' +
        'waits for its set-up, creates the connection, asks an approver to finish the handshake, verifies it and attaches it to a pipeline.\n\n' +
        'Errors are RFC 9457 problem details (application/problem+json, schema Problem); `type` points into `components.x-problem-types`. ' +
        'API Gateway answers a few itself, as `{"message": …}` (application/json): a missing or invalid token (401), a body over 10 MB (413), ' +
        'a function that failed (500), and a route that does not exist (404 `Not Found`).\n\n' +
        'String lengths (minLength, maxLength) count UTF-16 code units, as AWS counts them; they differ from JSON Schema\'s count only for characters ' +
        'outside the Basic Multilingual Plane (emoji, for example).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local runtime (npm start)' }],
    security: [{ bearer: [] }],
    tags: [{ name: 'requests', description: 'Connection requests' }, ...auditTags, ...accountTags, ...sharingTags, { name: 'slack', description: 'Slack interactivity' }, { name: 'meta', description: 'About the API' }],
    paths: {
      '/v1/connection-requests': {
        post: {
          tags: ['requests'],
          operationId: 'createConnectionRequest',
          summary: 'Request a connection to a GHES or GitLab self-managed server',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description: 'Retrying with the same key and body returns the first answer; the same key with another body is refused (422).',
              schema: { type: 'string', minLength: 1, maxLength: 128 },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewConnectionRequest' } } } },
          responses: {
            '202': acceptedResponse('Accepted; the workflow has started. `Location` names the request.', 'ConnectionRequest'),
            '400': problemResponse('The body or the Idempotency-Key header is not valid; `errors` names each field (BadRequest).'),
            '403': problemResponse(
              "The GHES or GitLab endpoint is not on the allow-list (Forbidden), or the account is another team's or leaves the endpoint out (AccountNotAllowed; `errors` names `accountId` or `providerEndpoint`).",
            ),
            '409': problemResponse('The connection name is taken (ConnectionNameTaken), or the same Idempotency-Key is in progress (RequestInProgress).'),
            '422': problemResponse(
              'The Idempotency-Key was used with another body (IdempotencyKeyReused), the account is not registered (AccountNotRegistered), ' +
                'connectionStrategy shared with nothing to share (SharingNotPossible), ' +
                'or pre-flight refused: unsupported Region or GHES version (a GitLab version is not checked), no such pipeline or source action, ' +
                'a trigger on a V1 pipeline, quota reached.',
            ),
            ...authorized,
          },
        },
        get: {
          tags: ['requests'],
          operationId: 'listConnectionRequests',
          summary: 'List requests (your own; admins see all), newest first',
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { $ref: '#/components/schemas/Status' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'cursor', in: 'query', required: false, description: 'The nextCursor of the previous page.', schema: { type: 'string', maxLength: 8192, pattern: '^[A-Za-z0-9_-]+$' } },
          ],
          responses: {
            '200': jsonResponse('A page of requests.', {
              type: 'object',
              required: ['requests'],
              additionalProperties: false,
              properties: {
                requests: { type: 'array', items: { $ref: '#/components/schemas/ConnectionRequest' } },
                nextCursor: { type: 'string', description: 'Pass it as `cursor` for the next page; absent on the last page.' },
              },
            }),
            '400': problemResponse('An unknown status, a limit out of range, or a cursor that is not a nextCursor (BadRequest).'),
            ...authorized,
          },
        },
      },
      '/v1/connection-requests/{id}': {
        get: {
          tags: ['requests'],
          operationId: 'getConnectionRequest',
          summary: 'A request: status, current step, timeline, ARNs, console links, what it waits for',
          parameters: [idParameter],
          responses: { '200': requestResponse('The request.'), '404': problemResponse('No such request, or not yours (NotFound).'), ...authorized },
        },
      },
      '/v1/connection-requests/{id}/cancel': {
        post: {
          tags: ['requests'],
          operationId: 'cancelConnectionRequest',
          summary: 'Stop the workflow and roll back what the request created',
          description:
            'Records the request ROLLING_BACK and answers at once; the workflow stops, waits about a minute for steps still running, and rolls back. Follow links.self until CANCELLED.',
          parameters: [idParameter],
          responses: {
            '202': requestResponse('Cancelled; the workflow rolls back (status ROLLING_BACK, then CANCELLED).'),
            '404': problemResponse('No such request, or not yours (NotFound).'),
            '409': problemResponse('The request has already finished (RequestFinished), or is already being rolled back (AlreadyRollingBack).'),
            '503': problemResponse('The cancel is recorded but its rollback could not be started yet; cancel again (RollbackNotStarted).'),
            ...authorized,
          },
        },
      },
      '/v1/connection-requests/{id}/approve': {
        post: {
          tags: ['requests'],
          operationId: 'approveConnectionRequest',
          summary: 'Admins: the handshake is done; resume the workflow',
          parameters: [idParameter],
          responses: {
            '200': requestResponse('Approved, now or earlier (by the finished handshake, or a repeated call): approving twice is not an error.'),
            '403': problemResponse('Not an admin (Forbidden).'),
            '404': problemResponse('No such request (NotFound).'),
            '409': problemResponse(
              'Not waiting for approval (NotWaitingForApproval), already rejected or expired (AlreadyDecided), or the handshake is not finished yet (HandshakePending).',
            ),
            ...authorized,
          },
        },
      },
      '/v1/connection-requests/{id}/workflow': {
        get: {
          tags: ['requests'],
          operationId: 'getConnectionRequestWorkflow',
          summary: "Where the request's workflow is: the states its execution entered and the one it is in now",
          description:
            'For the requester or an admin. Read from the execution\'s history (GetExecutionHistory) of the state machine named by `workflow` ' +
            '(statemachines/<workflow>.asl.yml is its graph): the console draws that graph with this path and current state lit.',
          parameters: [idParameter],
          responses: {
            '200': jsonResponse('The path taken so far.', 'WorkflowProgress'),
            '404': problemResponse('No such request, or not yours (NotFound).'),
            ...authorized,
          },
        },
      },
      '/v1/connection-requests/{id}/check': {
        post: {
          tags: ['requests'],
          operationId: 'checkConnectionRequest',
          summary: 'Done in the console: look at the host or connection now instead of within the minute',
          description:
            'For the request\'s requester or an admin (admins are who approve through the API; Slack approvers press "Done — check now"): the same look the minute watcher takes, for this request, at once. ' +
            'A host or connection that is AVAILABLE resumes the workflow (with APPROVAL_MODE=handshake the AVAILABLE connection is the approval); ' +
            'one that failed fails the request with AWS\'s reason. Safe to repeat.',
          parameters: [idParameter],
          responses: {
            '200': jsonResponse('What the check found and did, and the request as it is now.', 'CheckResult'),
            '404': problemResponse('No such request, or not yours (NotFound).'),
            ...authorized,
          },
        },
      },
      '/v1/connection-requests/{id}/reject': {
        post: {
          tags: ['requests'],
          operationId: 'rejectConnectionRequest',
          summary: 'Admins: reject; the request is rolled back',
          parameters: [idParameter],
          responses: {
            '200': requestResponse('Rejected, now or by an earlier call.'),
            '403': problemResponse('Not an admin (Forbidden).'),
            '404': problemResponse('No such request (NotFound).'),
            '409': problemResponse('Not waiting for approval (NotWaitingForApproval), already approved or expired (AlreadyDecided).'),
            ...authorized,
          },
        },
      },
      ...auditPaths,
      // One path, two functions: the inventory reads it (auditApi), the api decommissions it.
      '/v1/connections/{id}': { ...auditPaths['/v1/connections/{id}'], ...decommissionOperation },
      '/v1/hosts/{id}': { ...auditPaths['/v1/hosts/{id}'], ...hostUpdateOperation },
      ...replacementPaths,
      ...syncPaths,
      ...repairPaths,
      ...accountPaths,
      ...sharingPaths,
      '/slack/interactions': {
        post: {
          tags: ['slack'],
          operationId: 'slackInteraction',
          summary: 'Slack: an Approve, Reject or "Done — check now" click (Slack calls it; people do not)',
          description:
            'Checked before anything is parsed: the signature and timestamp, then the workspace and app, then who clicked. The decision is made exactly once; ' +
            'the clicker hears the outcome privately through the response_url.',
          security: [],
          parameters: [
            { name: 'X-Slack-Signature', in: 'header', required: true, description: 'v0=HMAC-SHA256 of the body with the signing secret.', schema: { type: 'string' } },
            { name: 'X-Slack-Request-Timestamp', in: 'header', required: true, description: 'Seconds since the epoch; at most 300 s away from now.', schema: { type: 'string', pattern: '^[0-9]+$' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: { type: 'object', required: ['payload'], properties: { payload: { type: 'string', description: 'Slack\'s block_actions payload, JSON.' } } },
              },
            },
          },
          responses: {
            '200': emptyResponse('Handled (or a button that is not ours, ignored); the body is empty.'),
            '400': problemResponse('Correctly signed, but not a payload we understand (SlackRequestRefused).'),
            '401': problemResponse('Bad signature, or a timestamp more than 300 s away (SlackRequestRefused).'),
            '403': problemResponse('Another workspace or app (SlackRequestRefused).'),
            '503': problemResponse('Slack interactivity is not configured, or its signing secret cannot be read (SlackNotConfigured).'),
            ...anyRouteResponses,
          },
        },
      },
      '/v1/health': {
        get: {
          tags: ['meta'],
          operationId: 'getHealth',
          summary: 'Liveness: no token, touches neither DynamoDB nor AWS',
          security: [],
          responses: { '200': jsonResponse('Up.', 'Health'), ...anyRouteResponses },
        },
      },
      '/v1/openapi.json': {
        get: {
          tags: ['meta'],
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          security: [],
          responses: { '200': jsonResponse('The OpenAPI document.', { type: 'object' }), ...anyRouteResponses },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        ...problems.schemas,
        ...auditSchemas,
        ...contractComponents(),
        CheckResult: {
          type: 'object',
          required: ['check', 'request'],
          additionalProperties: false,
          properties: {
            check: {
              type: 'object',
              required: ['outcome', 'message'],
              additionalProperties: false,
              properties: {
                outcome: {
                  type: 'string',
                  enum: ['resumed', 'failed', 'still-waiting', 'needs-approval', 'not-waiting'],
                  description: 'needs-approval: the connection is AVAILABLE and APPROVAL_MODE=explicit wants an Approve; not-waiting: no console step is awaited.',
                },
                waitingOn: { type: 'string', enum: ['host-setup', 'handshake'] },
                resourceArn: { type: 'string' },
                resourceStatus: { type: 'string', description: 'The host’s or connection’s status as AWS gave it just now (NOT_FOUND if deleted).' },
                message: { type: 'string' },
              },
            },
            request: { $ref: '#/components/schemas/ConnectionRequest' },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'service', 'version'],
          additionalProperties: false,
          properties: { status: { type: 'string', const: 'ok' }, service: { type: 'string' }, version: { type: 'string' } },
        },
      },
      headers: problems.headers,
      responses: problems.responses,
      'x-problem-types': problems.problemTypes,
    },
  };
}
