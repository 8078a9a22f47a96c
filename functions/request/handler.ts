import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemNotFoundError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ApprovalStore } from '../approval/store.ts';
import { BrokerStore } from './store.ts';
import { clients, type Clients } from '../adapters/aws-clients.ts';
import { config, type BrokerConfig } from '../shell/config.ts';
import { callerOf, type Caller } from './caller.ts';
import { createConnectionRequest } from './create-request.ts';
import { badRequest, conflict, notFound, unprocessable } from '../shell/http-errors.ts';
import { fetchGhesMeta } from './ghes-meta.ts';
import { json, toResponse } from '../shell/http.ts';
import { cancelRequest, checkNow, decideByAdmin, listRequests, visibleRequest } from './manage-request.ts';
import { openApiDocument } from './openapi.ts';
import { requestView, type RequestView } from './request-view.ts';

const logger = new Logger({ serviceName: 'connection-broker-api' });

interface ApiDependencies {
  settings: BrokerConfig;
  aws: Clients;
  store: BrokerStore;
  approvals: ApprovalStore;
  createOnce: (command: CreateCommand) => Promise<RequestView>;
  idempotency: IdempotencyConfig;
}

interface CreateCommand {
  requesterId: string;
  idempotencyKey: string;
  body: unknown;
  caller: Caller;
}

let built: ApiDependencies | undefined;

/** Built on the first invocation (not at import) and kept for the container's life. */
function dependencies(): ApiDependencies {
  if (built) return built;
  const settings = config();
  const aws = clients();
  const store = new BrokerStore(aws.documents, settings.tableName);
  const idempotency = new IdempotencyConfig({
    eventKeyJmesPath: '[requesterId, idempotencyKey]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: 24 * 3600,
    throwOnNoIdempotencyKey: true,
  });
  // A client retrying with the same Idempotency-Key gets the first answer, and only one request exists.
  const createOnce = makeIdempotent(
    // The stored answer must be plain JSON (DynamoDB refuses undefined members).
    async (command: CreateCommand) =>
      JSON.parse(JSON.stringify(await createConnectionRequest(command.caller, command.body, { config: settings, aws, store, fetchGhesMeta, quotas: settings.quotas }))) as RequestView,
    {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: settings.tableName,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        staticPkValue: 'IDEMPOTENCY#create-connection-request',
        // The table's TTL attribute (infra/resources/table.yml), so the records expire on their own;
        // Powertools' default, `expiration`, would keep them forever.
        expiryAttr: 'expiresAt',
        awsSdkV3Client: new DynamoDBClient({}),
      }),
      config: idempotency,
    },
  );
  built = { settings, aws, store, approvals: new ApprovalStore(aws.documents, settings.tableName), createOnce, idempotency };
  return built;
}

/** Thin: who is calling → which route → a use case → its answer; errors map to HTTP in one place. */
export async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer, context?: Context): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    if (event.routeKey === 'GET /v1/openapi.json') return json(200, openApiDocument());
    const { settings, aws, store, approvals, createOnce, idempotency } = dependencies();
    if (context) idempotency.registerLambdaContext(context);
    const caller = callerOf(event, settings.groupsClaim, settings.adminGroup, settings.slackUserClaim);
    const id = event.pathParameters?.id ?? '';
    const decisions = { aws, approvals, store };
    switch (event.routeKey) {
      case 'POST /v1/connection-requests': {
        const idempotencyKey = event.headers['idempotency-key'];
        if (!idempotencyKey || idempotencyKey.length > 128) {
          throw badRequest('An Idempotency-Key header (1–128 characters) is required.', [
            { path: 'headers.Idempotency-Key', message: 'required, 1–128 characters' },
          ]);
        }
        const view = await createIdempotently(createOnce, { requesterId: caller.id, idempotencyKey, body: parseBody(event), caller });
        return json(202, view, { location: view.links.self });
      }
      case 'GET /v1/connection-requests':
        return json(200, await listRequests(caller, event.queryStringParameters ?? {}, store));
      case 'GET /v1/connection-requests/{id}':
        return json(200, requestView(await visibleRequest(caller, id, store)));
      case 'POST /v1/connection-requests/{id}/cancel':
        // Accepted: the workflow rolls back (a minute or so); follow links.self until CANCELLED.
        return json(202, await cancelRequest(caller, id, { aws, store, stateMachineArn: settings.stateMachineArn }));
      case 'POST /v1/connection-requests/{id}/approve':
        return json(200, await decideByAdmin(caller, id, 'approve', decisions));
      case 'POST /v1/connection-requests/{id}/reject':
        return json(200, await decideByAdmin(caller, id, 'reject', decisions));
      case 'POST /v1/connection-requests/{id}/check':
        return json(200, await checkNow(caller, id, store));
      default:
        throw notFound(`No route ${event.routeKey}.`);
    }
  } catch (error) {
    return toResponse(error, (message, cause) => logger.error(message, { error: cause as Error }));
  }
}

/**
 * An attempt that finds another in progress may look its record up just after that other one
 * failed (a refused body) and deleted it: Powertools then throws IdempotencyItemNotFoundError. The
 * key is free again, so this attempt runs the request itself (and gets the same refusal).
 */
const ATTEMPTS_AFTER_A_VANISHED_RECORD = 3;

async function createIdempotently(createOnce: ApiDependencies['createOnce'], command: CreateCommand): Promise<RequestView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createOnceMapped(createOnce, command);
    } catch (error) {
      if (!(error instanceof IdempotencyItemNotFoundError)) throw error;
      if (attempt >= ATTEMPTS_AFTER_A_VANISHED_RECORD) {
        throw conflict('RequestInProgress', 'A request with this Idempotency-Key is still being processed; retry shortly.');
      }
    }
  }
}

async function createOnceMapped(createOnce: ApiDependencies['createOnce'], command: CreateCommand): Promise<RequestView> {
  try {
    return await createOnce(command);
  } catch (error) {
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw conflict('RequestInProgress', 'A request with this Idempotency-Key is still being processed; retry shortly.');
    }
    if (error instanceof IdempotencyValidationError) {
      throw unprocessable('IdempotencyKeyReused', 'This Idempotency-Key was used with a different body.', [
        { path: 'headers.Idempotency-Key', message: 'already used for another request body' },
      ]);
    }
    throw error;
  }
}

/** How deeply a body may nest objects and arrays; a connection request needs 5 levels. */
export const MAX_BODY_DEPTH = 32;

export function parseBody(event: Pick<APIGatewayProxyEventV2WithJWTAuthorizer, 'body' | 'isBase64Encoded'>): unknown {
  if (!event.body) throw badRequest('A JSON body is required.', [{ path: 'body', message: 'required' }]);
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  // Before parsing: the idempotency layer hashes the body recursively (as do the validators), and
  // thousands of levels overflow the stack there.
  if (nestingDepth(text) > MAX_BODY_DEPTH) {
    throw badRequest(`The body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep.`, [
      { path: 'body', message: `nested more than ${MAX_BODY_DEPTH} levels deep` },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('The body is not valid JSON.', [{ path: 'body', message: 'not valid JSON' }]);
  }
}

/** The deepest nesting of `{` and `[` in JSON text (outside strings), read without recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (char === '}' || char === ']') {
      depth--;
    }
  }
  return deepest;
}
