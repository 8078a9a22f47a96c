import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Clients } from '../adapters/aws-clients.ts';
import { resourceId } from '../audit/resource-key.ts';
import type { Caller } from '../request/caller.ts';
import { assertEndpointAllowed } from '../request/endpoint.ts';
import { isCoreError } from '../request/input-errors.ts';
import { isUpdatingHost, type ConnectionRequestRecord, type RequestStatus } from '../request/model.ts';
import { requestView, type RequestView } from '../request/request-view.ts';
import { timelineEntry, type BrokerStore } from '../request/store.ts';
import { badRequest, conflict, forbidden, notFound, serviceUnavailable } from '../shell/http-errors.ts';
import type { HostUpdateBody } from './update-contract.ts';
import { describeChanges } from './describe-changes.ts';

export interface HostUpdateDependencies {
  store: BrokerStore;
  aws: Pick<Clients, 'stepFunctions'>;
  stateMachineArn: string;
  allowedEndpoints: readonly string[];
  /** How long the host admin has to set it up again (the new host's wait). */
  hostSetupTimeoutSeconds: number;
}

/** Requests that may hold a host: the one that created it is the host's record. */
const HOLDING: readonly RequestStatus[] = ['COMPLETED', 'UPDATING_HOST', 'WAITING_FOR_HOST_SETUP'];

/**
 * PATCH /v1/hosts/{id}: change the endpoint or VPC settings of a host the broker created (id: the
 * last part of its ARN). Its owner (the requester whose request created it) or an admin may ask.
 * The request that created the host carries the change: it is UPDATING_HOST, then waits for the
 * host admin exactly as a new host does (WAITING_FOR_HOST_SETUP, the watcher, check now), then is
 * COMPLETED again; if UpdateHost refuses, or nobody sets the host up in time, it is COMPLETED with
 * `hostUpdate.abandoned` saying why.
 */
export async function requestHostUpdate(caller: Caller, hostId: string, body: HostUpdateBody, dependencies: HostUpdateDependencies): Promise<RequestView> {
  const record = await hostRecord(caller, hostId, dependencies.store);
  if (isUpdatingHost(record) && !record.hostUpdate!.executionArn && Date.now() - Date.parse(record.hostUpdate!.at) > RESTART_AFTER_MS) {
    // Asked for, but its workflow never started (the API stopped in between): start it now.
    return requestView(await startHostUpdate(record.requestId, new Date(record.hostUpdate!.at), dependencies));
  }
  if (isUpdatingHost(record)) throw conflict('HostUpdateUnderWay', `Host ${hostId} is being updated already (request ${record.requestId}).`);
  if (record.status !== 'COMPLETED') throw conflict('HostNotUpdatable', `Host ${hostId} belongs to request ${record.requestId}, which is ${record.status}.`);
  let providerEndpoint: string | undefined;
  if (body.providerEndpoint !== undefined) {
    try {
      providerEndpoint = assertEndpointAllowed(body.providerEndpoint, dependencies.allowedEndpoints).url;
    } catch (error) {
      if (!isCoreError(error)) throw error;
      if (error.name === 'ProviderEndpointNotAllowedError') throw forbidden(error.message);
      throw badRequest('The host update is not valid.', [{ path: 'providerEndpoint', message: error.message }]);
    }
  }
  if (body.vpcConfiguration && !record.vpcConfiguration) {
    throw badRequest('The host update is not valid.', [{ path: 'vpcConfiguration', message: 'The host was created without a VPC; AWS cannot give it one (request a new host instead).' }]);
  }
  const changes = { ...(providerEndpoint && providerEndpoint !== record.providerEndpoint ? { providerEndpoint } : {}), ...(body.vpcConfiguration ? { vpcConfiguration: body.vpcConfiguration } : {}) };
  if (Object.keys(changes).length === 0) throw badRequest('The host update changes nothing.', [{ path: 'providerEndpoint', message: `Already ${record.providerEndpoint}` }]);

  const at = new Date();
  const claimed = await dependencies.store.updateRequest(record.requestId, (current) =>
    current.status !== 'COMPLETED' || isUpdatingHost(current)
      ? undefined
      : {
          ...current,
          status: 'UPDATING_HOST',
          hostUpdate: { by: caller.id, at: at.toISOString(), changes, previous: { providerEndpoint: current.providerEndpoint, ...(current.vpcConfiguration ? { vpcConfiguration: current.vpcConfiguration } : {}) } },
          timeline: [...current.timeline, timelineEntry('host-update', caller.id, `Asked to update host ${current.hostArn}: ${describeChanges(current, changes)}.`, at)],
        },
  );
  if (claimed.hostUpdate?.at !== at.toISOString()) throw conflict('HostUpdateUnderWay', `Host ${hostId} is being updated already (request ${record.requestId}).`);
  return requestView(await startHostUpdate(record.requestId, at, dependencies));
}

/** A host update not started within this long (the API stopped after recording it) is started again by a repeated PATCH. */
const RESTART_AFTER_MS = 60_000;

/** Starts the host update machine, named by when it was asked for (a repeated start finds the same execution); not started, the request is COMPLETED again. */
async function startHostUpdate(requestId: string, at: Date, dependencies: HostUpdateDependencies): Promise<ConnectionRequestRecord> {
  let executionArn: string | undefined;
  try {
    ({ executionArn } = await dependencies.aws.stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: dependencies.stateMachineArn,
        name: `host-update-${requestId.slice(0, 36)}-${at.getTime()}`,
        input: JSON.stringify({ requestId, settings: { hostSetupTimeoutSeconds: dependencies.hostSetupTimeoutSeconds } }),
      }),
    ));
  } catch (error) {
    await dependencies.store.updateRequest(requestId, (current) => ({
      ...current,
      status: 'COMPLETED',
      hostUpdate: { ...current.hostUpdate!, abandoned: { code: 'NotStarted', message: 'The host update could not be started; nothing was changed.' } },
      timeline: [...current.timeline, timelineEntry('host-update', 'system', 'The host update could not be started; nothing was changed. Ask again.')],
    }));
    throw serviceUnavailable('HostUpdateNotStarted', `The host update could not be started (${(error as Error).name}); nothing was changed. Try again.`);
  }
  return dependencies.store.updateRequest(requestId, (current) => ({ ...current, hostUpdate: { ...current.hostUpdate!, executionArn } }));
}


/** The request that created the host, if the caller may see it (its requester, or an admin). */
async function hostRecord(caller: Caller, hostId: string, store: BrokerStore): Promise<ConnectionRequestRecord> {
  const found = await store.findRequest(HOLDING, (record) => record.hostCreatedByRequest === true && record.hostArn !== undefined && resourceId(record.hostArn) === hostId);
  if (found && (found.requester.id === caller.id || caller.isAdmin)) return found;
  throw notFound(`No host ${hostId.length > 100 ? `${hostId.slice(0, 100)}…` : hostId} created by the broker exists.`);
}
