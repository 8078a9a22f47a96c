import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyItemNotFoundError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer as HttpEvent, Context } from 'aws-lambda';
import { ApprovalStore } from '../approval/store.ts';
import { clients, provideClients, type Clients } from '../adapters/aws-clients.ts';
import { codeBuildClient } from '../adapters/aws/codebuild.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { pipelinesClient } from '../adapters/aws/codepipeline.ts';
import { dynamoDbClient, documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import type { BrokerConfig } from '../shell/config.ts';
import { perContainer } from '../shell/per-container.ts';
import { httpHandler, jsonBody, validBody, type HttpRoute } from '../shell/http-handler.ts';
import { badRequest, conflict, unprocessable } from '../shell/http-errors.ts';
import { json } from '../shell/http.ts';
import { logger } from '../shell/powertools.ts';
import { recordRequestStarted } from '../workflow/metrics.ts';
import { callerOf, type Caller } from './caller.ts';
import { createConnectionRequest } from './create-request.ts';
import { fetchGhesMeta } from './ghes-meta.ts';
import { cancelRequest, checkNow, decideByAdmin, listRequests, visibleRequest } from './manage-request.ts';
import { openApiDocument } from './openapi.ts';
import { readWorkflowProgress } from './read-workflow.ts';
import { resolveSyncBlocker } from '../sync/resolve-blocker.ts';
import { requestView, type RequestView } from './request-view.ts';
import { BrokerStore } from './store.ts';
import { accountRoutes } from '../accounts/routes.ts';
import { AccountStore } from '../accounts/store.ts';
import { sharingRoutes } from '../sharing/routes.ts';
import { ShareableConnectionStore } from '../sharing/store.ts';
import { clientsForArn } from '../adapters/aws/target-clients.ts';
import { ramClient } from '../adapters/aws/ram.ts';
import { decommissionBodySchema } from '../decommission/contract.ts';
import { requestDecommission } from '../decommission/request-decommission.ts';
import { hostUpdateBodySchema } from '../host/update-contract.ts';
import { replacementBodySchema } from '../replace/contract.ts';
import { requestReplacement } from '../replace/request-replacement.ts';
import { requestHostRepair } from '../host/request-repair.ts';
import { requestHostUpdate } from '../host/request-host-update.ts';

provideClients(connectionsClient, pipelinesClient, codeBuildClient, stepFunctionsClient, documentsClient, ramClient);

interface CreateCommand {
  requesterId: string;
  idempotencyKey: string;
  body: unknown;
  caller: Caller;
}

interface ApiDependencies {
  settings: BrokerConfig;
  aws: Clients;
  /** The clients for the account a host or connection ARN names (a spoke's connection is read there). */
  awsForArn: (arn: string) => Clients;
  accounts: AccountStore;
  shareable: ShareableConnectionStore;
  store: BrokerStore;
  approvals: ApprovalStore;
  idempotency: IdempotencyConfig;
  createOnce: (command: CreateCommand) => Promise<RequestView>;
}

/**
 * Built on the first invocation and kept for the container's life (shell/per-container.ts); the
 * SDK clients themselves are built at init, above.
 */
const dependencies = perContainer((settings): ApiDependencies => {
  const aws = clients();
  const store = new BrokerStore(aws.documents, settings.tableName);
  const accounts = new AccountStore(aws.documents, settings.tableName);
  const shareable = new ShareableConnectionStore(aws.documents, settings.tableName);
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
      JSON.parse(
        JSON.stringify(
          await createConnectionRequest(command.caller, command.body, {
            config: settings,
            aws,
            store,
            accounts,
            shareable,
            fetchGhesMeta,
            quotas: settings.quotas,
          }),
        ),
      ) as RequestView,
    {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: settings.tableName,
        keyAttr: 'pk',
        sortKeyAttr: 'sk',
        staticPkValue: 'IDEMPOTENCY#create-connection-request',
        // The table's TTL attribute (infra/resources/table.yml), so the records expire on their own;
        // Powertools' default, `expiration`, would keep them forever.
        expiryAttr: 'expiresAt',
        awsSdkV3Client: dynamoDbClient(),
      }),
      config: idempotency,
    },
  );
  return {
    settings,
    aws,
    awsForArn: (arn) => clientsForArn(arn, aws, settings),
    accounts,
    shareable,
    store,
    approvals: new ApprovalStore(aws.documents, settings.tableName),
    idempotency,
    createOnce,
  };
});

const callerOfEvent = (event: HttpEvent): Caller => {
  const { settings } = dependencies();
  return callerOf(event, settings.groupsClaim, settings.adminGroup, settings.slackUserClaim, settings.teamClaim);
};
const requestId = (event: HttpEvent): string => event.pathParameters?.id ?? '';

/**
 * The clients the deletion guard reads with, where an ARN's resource lives; RAM shares are the
 * hub's, so a spoke's clients leave RAM out (decommission, replace, repair).
 */
const guardClients = (arn: string) => {
  const { aws, settings } = dependencies();
  const there = clientsForArn(arn, aws, settings);
  return there === aws ? aws : { pipelines: there.pipelines, connections: there.connections, codeBuild: there.codeBuild };
};

async function create(event: HttpEvent, context: Context) {
  const caller = callerOfEvent(event);
  const idempotencyKey = event.headers['idempotency-key'];
  if (!idempotencyKey || idempotencyKey.length > 128) {
    throw badRequest('An Idempotency-Key header (1–128 characters) is required.', [{ path: 'headers.Idempotency-Key', message: 'required, 1–128 characters' }]);
  }
  dependencies().idempotency.registerLambdaContext(context);
  const view = await createIdempotently({ requesterId: caller.id, idempotencyKey, body: jsonBody(event), caller });
  logger.appendKeys({ requestId: view.requestId });
  logger.info('connection request accepted', { status: view.status });
  recordRequestStarted();
  return json(202, view, { location: view.links.self });
}

/** The route table: the same routes serverless.yml gives this function (test/deploy checks both). */
export const apiRoutes: HttpRoute<HttpEvent>[] = [
  { method: 'GET', path: '/v1/openapi.json', handler: async () => json(200, openApiDocument()) },
  { method: 'POST', path: '/v1/connection-requests', handler: create },
  { method: 'GET', path: '/v1/connection-requests', handler: async (event) => json(200, await listRequests(callerOfEvent(event), event.queryStringParameters ?? {}, dependencies().store)) },
  { method: 'GET', path: '/v1/connection-requests/{id}', handler: async (event) => json(200, requestView(await visibleRequest(callerOfEvent(event), requestId(event), dependencies().store))) },
  // Accepted: the workflow rolls back (a minute or so); follow links.self until CANCELLED.
  {
    method: 'POST',
    path: '/v1/connection-requests/{id}/cancel',
    handler: async (event) => {
      const { aws, store, settings } = dependencies();
      return json(202, await cancelRequest(callerOfEvent(event), requestId(event), { aws, store, stateMachineArn: settings.stateMachineArn }));
    },
  },
  { method: 'POST', path: '/v1/connection-requests/{id}/approve', handler: async (event) => json(200, await decideByAdmin(callerOfEvent(event), requestId(event), 'approve', dependencies())) },
  { method: 'POST', path: '/v1/connection-requests/{id}/reject', handler: async (event) => json(200, await decideByAdmin(callerOfEvent(event), requestId(event), 'reject', dependencies())) },
  // Accepted: the decommission runs (at once for an admin, after the approvers for an owner); follow links.self until DECOMMISSIONED.
  {
    method: 'DELETE',
    path: '/v1/connections/{id}',
    handler: async (event) => {
      const { aws, store, settings } = dependencies();
      const body = event.body ? validBody(event, decommissionBodySchema, 'The decommission', ['detach', 'reason']) : {};
      const view = await requestDecommission(callerOfEvent(event), requestId(event), body, {
        store,
        aws,
        // Where the connection lives; RAM shares are the hub's, read only for the hub's own connections.
        awsFor: (record) => guardClients(record.connectionArn!),
        stateMachineArn: settings.decommissionStateMachineArn,
        ownerApproval: settings.ownerDecommissionApproval,
        approvalTimeoutSeconds: settings.approvalSchedule.timeoutSeconds,
      });
      return json(202, view, { location: view.links.self });
    },
  },
  // Accepted: a new request makes the new connection (its handshake, its approvers), moves the pipelines, then retires the old one.
  {
    method: 'POST',
    path: '/v1/connections/{id}/replace',
    handler: async (event) => {
      const { aws, store, settings } = dependencies();
      const body = event.body ? validBody(event, replacementBodySchema, 'The replacement', ['arnPrefix']) : {};
      const view = await requestReplacement(callerOfEvent(event), requestId(event), body, {
        store,
        aws,
        awsFor: (record) => guardClients(record.connectionArn!),
        config: settings,
      });
      recordRequestStarted();
      return json(202, view, { location: view.links.self });
    },
  },
  // Accepted: a new host, and one replacing request per connection on the old one (follow each).
  {
    method: 'POST',
    path: '/v1/hosts/{id}/repair',
    handler: async (event) => {
      const { aws, store, settings } = dependencies();
      const repair = await requestHostRepair(callerOfEvent(event), requestId(event), {
        store,
        aws,
        awsFor: (record) => guardClients(record.hostArn ?? record.connectionArn!),
        config: settings,
        homeRegion: settings.region,
      });
      for (const _started of repair.replacements) recordRequestStarted();
      return json(202, repair);
    },
  },
  // Accepted: the host goes back to PENDING and its admin is asked again; follow links.self until COMPLETED.
  {
    method: 'PATCH',
    path: '/v1/hosts/{id}',
    handler: async (event) => {
      const { aws, store, settings } = dependencies();
      const body = validBody(event, hostUpdateBodySchema, 'The host update', ['providerEndpoint', 'vpcConfiguration']);
      const view = await requestHostUpdate(callerOfEvent(event), requestId(event), body, {
        store,
        aws,
        stateMachineArn: settings.hostUpdateStateMachineArn,
        allowedEndpoints: settings.allowedEndpoints,
        hostSetupTimeoutSeconds: settings.hostSetupTimeoutSeconds,
      });
      return json(202, view, { location: view.links.self });
    },
  },
  {
    method: 'POST',
    path: '/v1/sync-configurations/{id}/blockers/{blockerId}/resolve',
    handler: async (event) => {
      const { store, aws, awsForArn } = dependencies();
      const body = event.body ? jsonBody(event) : {};
      return json(200, await resolveSyncBlocker(callerOfEvent(event), event.pathParameters?.id ?? '', event.pathParameters?.blockerId ?? '', body, { store, aws, awsFor: (record) => awsForArn(record.connectionArn ?? '') }));
    },
  },
  { method: 'GET', path: '/v1/connection-requests/{id}/workflow', handler: async (event) => json(200, await readWorkflowProgress(callerOfEvent(event), requestId(event), dependencies())) },
  { method: 'POST', path: '/v1/connection-requests/{id}/check', handler: async (event) => json(200, await checkNow(callerOfEvent(event), requestId(event), dependencies().store)) },
  ...accountRoutes({ callerOf: callerOfEvent, accounts: () => dependencies().accounts }),
  ...sharingRoutes({
    callerOf: callerOfEvent,
    shareable: () => dependencies().shareable,
    home: () => ({ aws: dependencies().aws, accountId: dependencies().settings.accountId }),
  }),
];

/** Thin: the route → a use case → its answer; errors become problem details in the shell. */
export const handler = httpHandler(apiRoutes, { correlate: (event) => ({ requestId: event.pathParameters?.id }) });

/**
 * An attempt that finds another in progress may look its record up just after that other one
 * failed (a refused body) and deleted it: Powertools then throws IdempotencyItemNotFoundError. The
 * key is free again, so this attempt runs the request itself (and gets the same refusal).
 */
const ATTEMPTS_AFTER_A_VANISHED_RECORD = 3;

async function createIdempotently(command: CreateCommand): Promise<RequestView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createOnceMapped(command);
    } catch (error) {
      if (!(error instanceof IdempotencyItemNotFoundError)) throw error;
      if (attempt >= ATTEMPTS_AFTER_A_VANISHED_RECORD) {
        throw conflict('RequestInProgress', 'A request with this Idempotency-Key is still being processed; retry shortly.');
      }
    }
  }
}

async function createOnceMapped(command: CreateCommand): Promise<RequestView> {
  try {
    return await dependencies().createOnce(command);
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
