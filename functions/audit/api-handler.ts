import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { callerOf, type Caller } from '../request/caller.ts';
import { badRequest, forbidden, notFound } from '../shell/http-errors.ts';
import { json, toResponse } from '../shell/http.ts';
import { BrokerStore } from '../request/store.ts';
import { clients } from '../adapters/aws-clients.ts';
import { config } from '../shell/config.ts';
import { getConnection, getHost, listConnections, listHosts, type InventoryDependencies } from './inventory-views.ts';
import { readAuditSettings } from './settings.ts';
import { startAudit, type StartAuditDependencies } from './start-audit.ts';
import { AuditStore } from './store.ts';

const logger = new Logger({ serviceName: 'connection-broker-audit-api' });

let built: (InventoryDependencies & StartAuditDependencies) | undefined;

function dependencies(): InventoryDependencies & StartAuditDependencies {
  if (built) return built;
  const aws = clients();
  const settings = readAuditSettings();
  const auditStore = new AuditStore(aws.documents, config().tableName, settings.reportRetentionDays);
  built = {
    connections: aws.connections,
    requestStore: new BrokerStore(aws.documents, config().tableName),
    auditStore,
    store: auditStore,
    stepFunctions: aws.stepFunctions,
    stateMachineArn: settings.stateMachineArn,
  };
  return built;
}

/** Thin: who is calling → which route → a use case → its answer; errors map to HTTP in one place. */
export async function handler(event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const settings = config();
    const caller = callerOf(event, settings.groupsClaim, settings.adminGroup);
    const deps = dependencies();
    const id = event.pathParameters?.id ?? '';
    switch (event.routeKey) {
      case 'POST /v1/audits': {
        const started = await startAudit(caller, parseOptionalBody(event), deps);
        return json(202, started, { location: started.links.self });
      }
      case 'GET /v1/audits/latest': {
        requireAdmin(caller);
        const report = await deps.auditStore.latest();
        if (!report) throw notFound('No audit has completed yet.');
        return json(200, report);
      }
      case 'GET /v1/audits/{id}': {
        requireAdmin(caller);
        const report = await deps.auditStore.get(id);
        if (!report) throw notFound(`Audit ${id} does not exist.`);
        return json(200, report);
      }
      case 'GET /v1/hosts':
        return json(200, await listHosts(caller, deps));
      case 'GET /v1/hosts/{id}':
        return json(200, await getHost(caller, id, deps));
      case 'GET /v1/connections':
        return json(200, await listConnections(caller, deps));
      case 'GET /v1/connections/{id}':
        return json(200, await getConnection(caller, id, deps));
      default:
        throw notFound(`No route ${event.routeKey}.`);
    }
  } catch (error) {
    return toResponse(error, (message, cause) => logger.error(message, { error: cause as Error }));
  }
}

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw forbidden('Only admins may read audit reports.');
}

function parseOptionalBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('The body is not valid JSON.', [{ path: 'body', message: 'not valid JSON' }]);
  }
}
