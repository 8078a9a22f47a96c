/**
 * The auditor's part of the OpenAPI document (functions/request/openapi.ts spreads these in): audit
 * reports and the host, connection and Git sync inventory, served by the auditApi function.
 */
import { FINDING_TYPES } from './model.ts';
import {
  acceptedResponse,
  authorizedRouteResponses,
  jsonResponse,
  problemResponse,
} from '../shell/openapi-responses.ts';

const notAdmin = problemResponse('Not an admin (Forbidden).');
/** What every operation behind the JWT authorizer may answer besides its own statuses. */
const authorized = authorizedRouteResponses;
const idParameter = (description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string' } });

export const auditPaths = {
  '/v1/audits': {
    post: {
      tags: ['audits'],
      operationId: 'startAudit',
      summary: 'Admins: audit now (asynchronous; follow links.self)',
      requestBody: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: {
                asOf: { type: 'string', format: 'date-time', description: 'Evaluate ages as of this time instead of now (testing and demos); recorded in the report.' },
              },
            },
          },
        },
      },
      responses: {
        '202': acceptedResponse('Started; `Location` names the audit.', 'AuditReport'),
        '400': problemResponse('The body is not valid: not JSON, not an object, unknown fields, or asOf not an RFC 3339 date-time (BadRequest).'),
        '403': notAdmin,
        '409': problemResponse('Another audit is running; `errors` names it (AuditInProgress).'),
        ...authorized,
      },
    },
  },
  '/v1/audits/latest': {
    get: {
      tags: ['audits'],
      operationId: 'getLatestAudit',
      summary: 'Admins: the latest completed audit report',
      responses: { '200': jsonResponse('The report.', 'AuditReport'), '403': notAdmin, '404': problemResponse('No audit has completed yet (NotFound).'), ...authorized },
    },
  },
  '/v1/audits/{id}': {
    get: {
      tags: ['audits'],
      operationId: 'getAudit',
      summary: 'Admins: one audit (RUNNING, COMPLETED or FAILED) and its findings',
      parameters: [idParameter('The audit id.')],
      responses: { '200': jsonResponse('The report.', 'AuditReport'), '403': notAdmin, '404': problemResponse('No such audit (NotFound).'), ...authorized },
    },
  },
  '/v1/hosts': {
    get: {
      tags: ['inventory'],
      operationId: 'listHosts',
      summary: 'Hosts with live status (your own; admins see all)',
      responses: {
        '200': jsonResponse('Every visible host (at most 50 exist, so there are no pages).', {
          type: 'object',
          required: ['hosts'],
          additionalProperties: false,
          properties: { hosts: { type: 'array', items: { $ref: '#/components/schemas/Host' } } },
        }),
        ...authorized,
      },
    },
  },
  '/v1/hosts/{id}': {
    get: {
      tags: ['inventory'],
      operationId: 'getHost',
      summary: 'A host: live status, owner, connections, and what the latest audit found',
      parameters: [idParameter('The part of the host ARN after `host/`.')],
      responses: { '200': jsonResponse('The host.', 'Host'), '404': problemResponse('No such host, or not yours (NotFound).'), ...authorized },
    },
  },
  '/v1/connections': {
    get: {
      tags: ['inventory'],
      operationId: 'listConnections',
      summary: 'Connections with live status (your own; admins see all)',
      responses: {
        '200': jsonResponse('Every visible connection (at most 250 exist by default, so there are no pages).', {
          type: 'object',
          required: ['connections'],
          additionalProperties: false,
          properties: { connections: { type: 'array', items: { $ref: '#/components/schemas/Connection' } } },
        }),
        ...authorized,
      },
    },
  },
  '/v1/connections/{id}': {
    get: {
      tags: ['inventory'],
      operationId: 'getConnection',
      summary: 'A connection: live status, owner, pipelines using it, and what the latest audit found',
      parameters: [idParameter('The connection id (the UUID at the end of its ARN).')],
      responses: { '200': jsonResponse('The connection.', 'Connection'), '404': problemResponse('No such connection, or not yours (NotFound).'), ...authorized },
    },
  },
  '/v1/sync-configurations': {
    get: {
      tags: ['inventory'],
      operationId: 'listSyncConfigurations',
      summary: 'Git sync configurations with their latest sync and open blockers (those of your requests; admins see all)',
      description:
        "Live, in the broker's account and Region: every repository link (ListRepositoryLinks), the CFN_STACK_SYNC sync configurations on it (ListSyncConfigurations), " +
        'and for each its latest sync (GetResourceSyncStatus) and ACTIVE blockers (GetSyncBlockerSummary). An admin resolves a blocker with POST `links.resolve`, `{blockerId}` filled in.',
      responses: {
        '200': jsonResponse('Every visible sync configuration (at most 100 exist per account and Region, so there are no pages).', {
          type: 'object',
          required: ['syncConfigurations'],
          additionalProperties: false,
          properties: { syncConfigurations: { type: 'array', items: { $ref: '#/components/schemas/SyncConfiguration' } } },
        }),
        ...authorized,
      },
    },
  },
};

const severity = { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'info'] };
const counts = (keys: readonly string[]) => ({ type: 'object', required: [...keys], properties: Object.fromEntries(keys.map((key) => [key, { type: 'integer' }])) });

const resourceProperties = {
  id: { type: 'string' },
  arn: { type: 'string' },
  name: { type: 'string' },
  status: { type: 'string' },
  owner: {
    type: 'string',
    description: 'Who created it: the requester of the request that made it (a shared host keeps it when others reuse it), else the earliest request naming it, else the requester tag.',
  },
  users: { type: 'array', items: { type: 'string' }, description: 'Requesters whose requests use it (completed or under way, not rolled back), by first use.' },
  requestIds: { type: 'array', items: { type: 'string' } },
  managed: { type: 'boolean', description: 'Made through the broker (a request record or the managed-by tag).' },
  firstSeenAt: { type: 'string', format: 'date-time', description: 'When the auditor first saw it; AWS reports no creation time.' },
  links: { type: 'object', required: ['self'], properties: { self: { type: 'string' }, console: { type: 'string' } } },
  findings: {
    type: 'array',
    items: { type: 'object', required: ['type', 'severity', 'message', 'fix'], properties: { type: { $ref: '#/components/schemas/FindingType' }, severity, message: { type: 'string' }, fix: { type: 'string' } } },
  },
};
const resourceRequired = ['id', 'arn', 'name', 'status', 'users', 'requestIds', 'managed', 'links', 'findings'];

export const auditSchemas = {
  FindingType: { type: 'string', enum: [...FINDING_TYPES] },
  Finding: {
    type: 'object',
    required: ['type', 'severity', 'resource', 'resourceKind', 'message', 'fix'],
    properties: {
      type: { $ref: '#/components/schemas/FindingType' },
      severity,
      resource: { type: 'string', description: 'An ARN (a repository link’s among them), a pipeline or role name, a request id, a stack name (a Git sync configuration), a resource share ARN, or account:<quota>.' },
      resourceKind: { type: 'string', enum: ['host', 'connection', 'pipeline', 'role', 'request', 'account', 'share', 'repository-link', 'sync-configuration'] },
      accountId: { type: 'string', pattern: '^\\d{12}$', description: 'The account the resource is in.' },
      region: { type: 'string', description: 'The Region the resource is in (connections are global; their Region is where they were made).' },
      owner: { type: 'string' },
      requestId: { type: 'string' },
      message: { type: 'string' },
      fix: { type: 'string' },
      link: { type: 'string' },
      since: { type: 'string', format: 'date-time' },
      ageHours: { type: 'number' },
      approver: { type: 'string' },
    },
  },
  AuditReport: {
    type: 'object',
    required: ['auditId', 'status', 'trigger', 'asOf', 'startedAt', 'findings'],
    properties: {
      auditId: { type: 'string', format: 'uuid' },
      status: { type: 'string', enum: ['RUNNING', 'COMPLETED', 'FAILED'] },
      trigger: { type: 'string', enum: ['schedule', 'api'] },
      requestedBy: { type: 'string' },
      asOf: { type: 'string', format: 'date-time', description: 'The time ages are evaluated at.' },
      startedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      durationMs: { type: 'integer' },
      summary: {
        type: 'object',
        required: ['total', 'bySeverity', 'byType'],
        properties: { total: { type: 'integer' }, bySeverity: counts(['critical', 'high', 'medium', 'low', 'info']), byType: counts(FINDING_TYPES) },
      },
      inventory: counts(['hosts', 'connections', 'pipelines', 'pipelinesFetched', 'roles', 'requests', 'activeRequests']),
      calls: {
        type: 'object',
        required: ['total', 'throttledFailures', 'byOperation'],
        properties: {
          total: { type: 'integer' },
          throttledFailures: { type: 'integer' },
          byOperation: { type: 'object', additionalProperties: counts(['attempts', 'throttled']) },
        },
      },
      changes: { type: 'object', required: ['added', 'resolved', 'slackNotified'], properties: { added: { type: 'integer' }, resolved: { type: 'integer' }, slackNotified: { type: 'boolean' } } },
      places: {
        type: 'array',
        description: "Every account and Region the audit covered (the broker's own first, then the registered accounts): whether it was audited, and if not, why.",
        items: {
          type: 'object',
          required: ['accountId', 'region', 'status'],
          properties: {
            accountId: { type: 'string' },
            region: { type: 'string' },
            status: { type: 'string', enum: ['AUDITED', 'FAILED'] },
            findings: { type: 'integer' },
            calls: { type: 'integer' },
            throttledFailures: { type: 'integer' },
            durationMs: { type: 'integer' },
            error: { type: 'string', description: 'Why the place could not be audited (its findings are then missing from this report).' },
          },
        },
      },
      findings: { type: 'array', items: { $ref: '#/components/schemas/Finding' } },
      failure: { type: 'string' },
      links: { type: 'object', required: ['self'], properties: { self: { type: 'string' } } },
    },
  },
  Host: {
    type: 'object',
    required: [...resourceRequired, 'connections'],
    properties: {
      ...resourceProperties,
      providerType: { type: 'string' },
      providerEndpoint: { type: 'string' },
      vpcId: { type: 'string' },
      statusMessage: { type: 'string' },
      connections: { type: 'array', items: { type: 'string' } },
    },
  },
  Connection: {
    type: 'object',
    required: [...resourceRequired, 'pipelines', 'pipelineSources'],
    properties: {
      ...resourceProperties,
      providerType: { type: 'string' },
      hostArn: { type: 'string' },
      pipelines: { type: 'array', items: { type: 'string' }, description: 'Pipelines using it: seen by the latest audit, or attached by a request of ours (known before any audit).' },
      pipelineSources: {
        type: 'array',
        description: 'Where each pipeline is known from.',
        items: {
          type: 'object',
          required: ['name', 'seenByAudit'],
          properties: {
            name: { type: 'string' },
            seenByAudit: { type: 'boolean', description: 'The latest audit saw its source action use the connection.' },
            attachedByRequest: { type: 'string', description: 'The request whose record says it attached the connection to this pipeline.' },
          },
        },
      },
    },
  },
  SyncConfiguration: {
    type: 'object',
    description: 'A Git sync configuration: a CloudFormation stack kept in step with a deployment file in a repository branch.',
    required: ['stackName', 'repository', 'repositoryLinkId', 'branch', 'roleArn', 'openBlockers', 'links'],
    additionalProperties: false,
    properties: {
      stackName: { type: 'string', description: 'The stack (the ResourceName; sync configurations have no ARN).' },
      repository: { type: 'string', description: 'owner/name.' },
      repositoryLinkId: { type: 'string' },
      connectionArn: { type: 'string', description: 'The connection the repository link goes through.' },
      branch: { type: 'string' },
      configFile: { type: 'string', description: 'The deployment file.' },
      roleArn: { type: 'string', description: 'The role Git sync deploys the stack with.' },
      status: { type: 'string', description: 'The latest sync (GetResourceSyncStatus): INITIATED, IN_PROGRESS, QUEUED, SUCCEEDED or FAILED; absent before Git sync has made an attempt.' },
      openBlockers: {
        type: 'array',
        description: 'ACTIVE blockers: Git sync syncs nothing until each is resolved.',
        items: {
          type: 'object',
          required: ['id', 'type', 'reason'],
          additionalProperties: false,
          properties: { id: { type: 'string' }, type: { type: 'string' }, reason: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
        },
      },
      requestId: { type: 'string', description: 'The request whose Git sync this is, when a request of the broker made it.' },
      links: {
        type: 'object',
        required: ['resolve'],
        additionalProperties: false,
        properties: {
          resolve: { type: 'string', description: 'A URI template: POST it with `{blockerId}` filled in to resolve that blocker (admins).' },
          console: { type: 'string', description: 'The CloudFormation console, filtered to the stack (its Git sync tab).' },
          request: { type: 'string' },
        },
      },
    },
  },
};

export const auditTags = [
  { name: 'audits', description: 'Audit reports (admins)' },
  { name: 'inventory', description: 'Hosts, connections and Git sync configurations' },
];
