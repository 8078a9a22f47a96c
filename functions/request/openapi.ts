/**
 * The API's OpenAPI 3.1 description, served at GET /v1/openapi.json and linted with
 * @redocly/cli in the tests.
 */
import { auditPaths, auditSchemas, auditTags } from '../audit/openapi-paths.ts';
import { NEXT_ACTION_ACTORS, NEXT_ACTION_STAGES } from './next-action.ts';

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', examples: ['BadRequest'] },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string', examples: ['vpcConfiguration.subnetIds.2'] }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const standardErrors = {
  '400': errorResponse('The input is not valid; details name each field.'),
  '401': errorResponse('No valid bearer token.'),
  '404': errorResponse('No such request (or not yours).'),
};
const idParameter = { name: 'id', in: 'path', required: true, description: 'The request id.', schema: { type: 'string', format: 'uuid' } };
const requestResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ConnectionRequest' } } } });

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'connection-broker',
      version: process.env.SERVICE_VERSION ?? '0.1.0',
      description:
        'Self-service AWS CodeStar Connections / CodeConnections to GitHub Enterprise Server: the broker reuses or creates the host, ' +
        'waits for its set-up, creates the connection, asks an approver to finish the handshake, verifies it and attaches it to a pipeline.',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local runtime (npm start)' }],
    security: [{ bearer: [] }],
    tags: [{ name: 'requests', description: 'Connection requests' }, ...auditTags, { name: 'meta', description: 'About the API' }],
    paths: {
      '/v1/connection-requests': {
        post: {
          tags: ['requests'],
          operationId: 'createConnectionRequest',
          summary: 'Request a connection to a GHES server',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              description: 'Retrying with the same key and body returns the first answer; the same key with another body is refused.',
              schema: { type: 'string', minLength: 1, maxLength: 128 },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewConnectionRequest' } } } },
          responses: {
            '202': requestResponse('Accepted; the workflow has started. `Location` names the request.'),
            ...standardErrors,
            '403': errorResponse('The GHES endpoint is not on the allow-list.'),
            '409': errorResponse('The connection name is taken, or the same Idempotency-Key is in progress.'),
            '422': errorResponse('Refused by pre-flight: unsupported Region or GHES version, no such pipeline or source action, a trigger on a V1 pipeline, quota reached.'),
          },
        },
        get: {
          tags: ['requests'],
          operationId: 'listConnectionRequests',
          summary: 'List requests (your own; admins see all), newest first',
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { $ref: '#/components/schemas/Status' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'cursor', in: 'query', required: false, description: 'The nextCursor of the previous page.', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'A page of requests.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['requests'],
                    properties: { requests: { type: 'array', items: { $ref: '#/components/schemas/ConnectionRequest' } }, nextCursor: { type: 'string' } },
                  },
                },
              },
            },
            '400': standardErrors['400'],
            '401': standardErrors['401'],
          },
        },
      },
      '/v1/connection-requests/{id}': {
        get: {
          tags: ['requests'],
          operationId: 'getConnectionRequest',
          summary: 'A request: status, current step, timeline, ARNs, console links, what it waits for',
          parameters: [idParameter],
          responses: { '200': requestResponse('The request.'), '401': standardErrors['401'], '404': standardErrors['404'] },
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
            '401': standardErrors['401'],
            '404': standardErrors['404'],
            '409': errorResponse('The request has already finished, or is already being rolled back.'),
            '503': errorResponse('The cancel is recorded but its rollback could not be started yet; cancel again.'),
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
            '401': standardErrors['401'],
            '403': errorResponse('Not an admin.'),
            '404': standardErrors['404'],
            '409': errorResponse('Not waiting for approval, already rejected or expired, or the handshake is not finished yet.'),
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
            '200': {
              description: 'What the check found and did, and the request as it is now.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/CheckResult' } } },
            },
            '401': standardErrors['401'],
            '404': standardErrors['404'],
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
            '401': standardErrors['401'],
            '403': errorResponse('Not an admin.'),
            '404': standardErrors['404'],
            '409': errorResponse('Not waiting for approval, already approved, or expired.'),
          },
        },
      },
      ...auditPaths,
      '/v1/openapi.json': {
        get: {
          tags: ['meta'],
          operationId: 'getOpenApiDocument',
          summary: 'This document',
          security: [],
          responses: {
            '200': { description: 'The OpenAPI document.', content: { 'application/json': { schema: { type: 'object' } } } },
            '4XX': errorResponse('The request could not be served.'),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: error,
        ...auditSchemas,
        Status: {
          type: 'string',
          enum: ['ACCEPTED', 'PROVISIONING_HOST', 'WAITING_FOR_HOST_SETUP', 'CREATING_CONNECTION', 'WAITING_FOR_APPROVAL', 'VERIFYING_CONNECTION', 'ATTACHING_PIPELINE', 'ROLLING_BACK', 'COMPLETED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED'],
        },
        NewConnectionRequest: {
          type: 'object',
          additionalProperties: false,
          required: ['providerEndpoint'],
          properties: {
            providerEndpoint: { type: 'string', format: 'uri', description: 'https root URL of the GHES server (not its API URL: no /api/... path); a path prefix is kept for a GHES behind a path-routing proxy. Must be on the allow-list.', examples: ['https://ghe.example.com'] },
            connectionName: { type: 'string', minLength: 1, maxLength: 32, description: 'Leave out to get a deterministic, readable name.' },
            vpcConfiguration: {
              type: 'object',
              additionalProperties: false,
              required: ['vpcId', 'subnetIds', 'securityGroupIds'],
              properties: {
                vpcId: { type: 'string', pattern: '^vpc-\\w{8}(\\w{9})?$' },
                subnetIds: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', pattern: '^subnet-\\w{8}(\\w{9})?$' } },
                securityGroupIds: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', pattern: '^sg-\\w{8}(\\w{9})?$' } },
                tlsCertificate: { type: 'string', maxLength: 16384, description: 'PEM certificate of the CA that signed the GHES certificate.' },
              },
            },
            pipeline: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'fullRepositoryId', 'branchName'],
              properties: {
                name: { type: 'string', pattern: '^[A-Za-z0-9.@\\-_]+$', maxLength: 100 },
                sourceActionName: { type: 'string', description: 'Needed when the pipeline has several source actions.' },
                fullRepositoryId: { type: 'string', examples: ['platform/payments'] },
                branchName: { type: 'string', minLength: 1, maxLength: 255 },
                outputArtifactFormat: { type: 'string', enum: ['CODE_ZIP', 'CODEBUILD_CLONE_REF'], default: 'CODE_ZIP' },
                detectChanges: { type: 'boolean', default: true },
                trigger: {
                  description:
                    'V2 pipelines only. `true`: start the pipeline on pushes to branchName; an object: the push and pull-request filters of the ' +
                    "source action's trigger (it replaces any trigger that action has). Left out: triggers are not touched.",
                  oneOf: [
                    { type: 'boolean' },
                    {
                      type: 'object',
                      additionalProperties: false,
                      properties: {
                        push: { type: 'array', minItems: 1, maxItems: 3, items: { $ref: '#/components/schemas/GitPushFilter' } },
                        pullRequest: { type: 'array', minItems: 1, maxItems: 3, items: { $ref: '#/components/schemas/GitPullRequestFilter' } },
                      },
                    },
                  ],
                },
              },
            },
            tags: { type: 'object', additionalProperties: { type: 'string', maxLength: 256 }, maxProperties: 50 },
          },
        },
        GitFilterCriteria: {
          type: 'object',
          additionalProperties: false,
          properties: {
            includes: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', minLength: 1, maxLength: 255 } },
            excludes: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', minLength: 1, maxLength: 255 } },
          },
        },
        GitPushFilter: {
          type: 'object',
          additionalProperties: false,
          description: 'Either tags, or branches (optionally with filePaths).',
          properties: {
            branches: { $ref: '#/components/schemas/GitFilterCriteria' },
            filePaths: { $ref: '#/components/schemas/GitFilterCriteria' },
            tags: { $ref: '#/components/schemas/GitFilterCriteria' },
          },
        },
        GitPullRequestFilter: {
          type: 'object',
          additionalProperties: false,
          required: ['branches'],
          properties: {
            branches: { $ref: '#/components/schemas/GitFilterCriteria' },
            filePaths: { $ref: '#/components/schemas/GitFilterCriteria' },
            events: { type: 'array', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['OPEN', 'UPDATED', 'CLOSED'] } },
          },
        },
        PipelineAttachment: {
          type: 'object',
          description: 'What the attach step did, and what is still missing for the pipeline to use the connection.',
          properties: {
            stageName: { type: 'string' },
            actionName: { type: 'string' },
            pipelineVersion: { type: 'integer' },
            changed: { type: 'boolean', description: 'False when the source action already used the connection as requested.' },
            concurrentEdits: { type: 'integer', description: 'Edits by others during the attach; each was kept.' },
            grantedPolicies: {
              type: 'array',
              items: { type: 'object', properties: { roleArn: { type: 'string' }, policyName: { type: 'string' }, purpose: { type: 'string' } } },
            },
            missingPermissions: {
              type: 'array',
              items: {
                type: 'object',
                properties: { roleArn: { type: 'string' }, purpose: { type: 'string' }, missing: { type: 'array', items: { type: 'string' } }, detail: { type: 'string' } },
              },
            },
            firstRun: {
              type: 'object',
              properties: {
                how: { type: 'string', enum: ['retried', 'started', 'skipped'] },
                pipelineExecutionId: { type: 'string' },
                status: { type: 'string', enum: ['IN_PROGRESS', 'SUCCEEDED', 'SKIPPED'] },
                reason: { type: 'string' },
                retries: { type: 'integer' },
                lastError: { type: 'string' },
              },
            },
          },
        },
        NextAction: {
          type: 'object',
          description:
            'Who must do what next, where and by when (functions/request/next-action.ts). The message uses the words of the Slack notices and the timeline.',
          required: ['stage', 'actor', 'message'],
          properties: {
            stage: { type: 'string', enum: [...NEXT_ACTION_STAGES], description: 'The workflow stage; new-request: fix the cause and ask again.' },
            actor: {
              type: 'string',
              enum: [...NEXT_ACTION_ACTORS],
              description:
                'ghes-admin: "Set up host" in the console; approver: the handshake in the console (and Approve); requester: fix and ask again, or get missing permissions granted; ' +
                'platform-admin: what only the platform team can do (a stuck rollback, permissions the broker may not grant, nobody configured to ask).',
            },
            message: { type: 'string', description: 'One sentence: who must do what.' },
            actionUrl: { type: 'string', format: 'uri', description: 'The console page where it is done (for the resource’s own ARN prefix).' },
            deadline: { type: 'string', format: 'date-time', description: 'When the workflow stops waiting (it then times out and rolls back).' },
          },
        },
        CheckResult: {
          type: 'object',
          required: ['check', 'request'],
          properties: {
            check: {
              type: 'object',
              required: ['outcome', 'message'],
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
        TimelineEntry: {
          type: 'object',
          required: ['at', 'step', 'actor', 'message'],
          properties: { at: { type: 'string', format: 'date-time' }, step: { type: 'string' }, actor: { type: 'string' }, message: { type: 'string' } },
        },
        ConnectionRequest: {
          type: 'object',
          required: ['requestId', 'status', 'currentStep', 'requester', 'providerEndpoint', 'connectionName', 'nextAction', 'attention', 'timeline', 'links', 'createdAt', 'updatedAt'],
          properties: {
            requestId: { type: 'string', format: 'uuid' },
            status: { $ref: '#/components/schemas/Status' },
            currentStep: { type: 'string' },
            requester: {
              type: 'object',
              required: ['id'],
              properties: {
                id: { type: 'string' },
                email: { type: 'string' },
                slackUserId: { type: 'string', description: 'From the JWT; the outcome is sent to this Slack user as a DM.' },
              },
            },
            providerEndpoint: { type: 'string' },
            connectionName: { type: 'string' },
            region: { type: 'string' },
            hostArn: { type: 'string' },
            connectionArn: { type: 'string' },
            pipelineAttachment: { $ref: '#/components/schemas/PipelineAttachment' },
            waitingFor: {
              type: 'object',
              description: 'The human wait the request is in (host set-up, handshake and approval); nextAction says the same, with its deadline counted from since.',
              required: ['what', 'who', 'since'],
              properties: { what: { type: 'string' }, who: { type: 'string' }, link: { type: 'string' }, since: { type: 'string', format: 'date-time' } },
            },
            nextAction: {
              description: 'Who must do what next; null when nobody has to act (the system is working, or the request is done).',
              oneOf: [{ $ref: '#/components/schemas/NextAction' }, { type: 'null' }],
            },
            attention: {
              type: 'array',
              description:
                'What a COMPLETED request still needs before its pipeline can use the connection: one item per pipeline role that lacks UseConnection ' +
                '(or does not exist) and one for a first run that did not fetch the source. Empty when nothing is left, and before the request ends.',
              items: {
                type: 'object',
                required: ['kind', 'actor', 'message'],
                properties: {
                  kind: { type: 'string', enum: ['pipeline-permissions', 'first-run'] },
                  actor: { type: 'string', enum: ['ghes-admin', 'approver', 'requester', 'platform-admin'] },
                  message: { type: 'string' },
                  actionUrl: { type: 'string' },
                },
              },
            },
            failure: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
            timeline: { type: 'array', items: { $ref: '#/components/schemas/TimelineEntry' } },
            links: {
              type: 'object',
              required: ['self'],
              properties: { self: { type: 'string' }, hostConsole: { type: 'string' }, connectionConsole: { type: 'string' } },
            },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
