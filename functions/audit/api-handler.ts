import type { APIGatewayProxyEventV2WithJWTAuthorizer as HttpEvent } from 'aws-lambda';
import { clients, provideClients } from '../adapters/aws-clients.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import { callerOf, type Caller } from '../request/caller.ts';
import { BrokerStore } from '../request/store.ts';
import { config, type BrokerConfig } from '../shell/config.ts';
import { perContainer } from '../shell/per-container.ts';
import { forbidden, notFound } from '../shell/http-errors.ts';
import { httpHandler, jsonBody, type HttpRoute } from '../shell/http-handler.ts';
import { json } from '../shell/http.ts';
import { getConnection, getHost, listConnections, listHosts, type InventoryDependencies } from './inventory-views.ts';
import { readAuditSettings } from './settings.ts';
import { startAudit, type StartAuditDependencies } from './start-audit.ts';
import { listSyncConfigurations } from './sync-configuration-views.ts';
import { AuditStore } from './store.ts';

provideClients(connectionsClient, stepFunctionsClient, documentsClient);

/** Built on the first invocation and kept for the container's life (shell/per-container.ts). */
const dependencies = perContainer((settings) => {
  const aws = clients();
  const audit = readAuditSettings();
  const auditStore = new AuditStore(aws.documents, settings.tableName, audit.reportRetentionDays);
  return {
    settings,
    connections: aws.connections,
    requestStore: new BrokerStore(aws.documents, settings.tableName),
    auditStore,
    store: auditStore,
    stepFunctions: aws.stepFunctions,
    stateMachineArn: audit.stateMachineArn,
  } satisfies InventoryDependencies & StartAuditDependencies & { settings: BrokerConfig; auditStore: AuditStore };
});

const callerOfEvent = (event: HttpEvent): Caller => callerOf(event, config().groupsClaim, config().adminGroup);
const id = (event: HttpEvent): string => event.pathParameters?.id ?? '';

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw forbidden('Only admins may read audit reports.');
}

/** The route table: the same routes serverless.yml gives this function (test/deploy checks both). */
export const auditRoutes: HttpRoute<HttpEvent>[] = [
  {
    method: 'POST',
    path: '/v1/audits',
    handler: async (event) => {
      const started = await startAudit(callerOfEvent(event), jsonBody(event, { required: false }), dependencies());
      return json(202, started, { location: started.links.self });
    },
  },
  {
    method: 'GET',
    path: '/v1/audits/latest',
    handler: async (event) => {
      requireAdmin(callerOfEvent(event));
      const report = await dependencies().auditStore.latest();
      if (!report) throw notFound('No audit has completed yet.');
      return json(200, report);
    },
  },
  {
    method: 'GET',
    path: '/v1/audits/{id}',
    handler: async (event) => {
      requireAdmin(callerOfEvent(event));
      const report = await dependencies().auditStore.get(id(event));
      if (!report) throw notFound(`Audit ${id(event)} does not exist.`);
      return json(200, report);
    },
  },
  { method: 'GET', path: '/v1/hosts', handler: async (event) => json(200, await listHosts(callerOfEvent(event), dependencies())) },
  { method: 'GET', path: '/v1/hosts/{id}', handler: async (event) => json(200, await getHost(callerOfEvent(event), id(event), dependencies())) },
  { method: 'GET', path: '/v1/connections', handler: async (event) => json(200, await listConnections(callerOfEvent(event), dependencies())) },
  { method: 'GET', path: '/v1/connections/{id}', handler: async (event) => json(200, await getConnection(callerOfEvent(event), id(event), dependencies())) },
  { method: 'GET', path: '/v1/sync-configurations', handler: async (event) => json(200, await listSyncConfigurations(callerOfEvent(event), dependencies())) },
];

/** Thin: the route → a use case → its answer; errors become problem details in the shell. */
export const handler = httpHandler(auditRoutes, {
  correlate: (event) => (event.rawPath?.startsWith('/v1/audits/') && event.pathParameters?.id !== 'latest' ? { auditId: event.pathParameters?.id } : {}),
});
