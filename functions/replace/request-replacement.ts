import { isCloudProvider, providerTypeOf } from '../request/provider.ts';
import { randomUUID } from 'node:crypto';
import type { Clients } from '../adapters/aws-clients.ts';
import { resourceId } from '../audit/resource-key.ts';
import { deriveConnectionName, nameReservationKey } from '../connection/naming.ts';
import { usageOrProblem } from '../decommission/usage-or-problem.ts';
import { connectionUsers, describeUser } from '../decommission/guard.ts';
import type { Caller } from '../request/caller.ts';
import { reserveConnectionName, startProvisioning } from '../request/create-request.ts';
import { isDecommissioning, isTerminal, isUpdatingHost, type ConnectionRequestRecord, type RequestStatus } from '../request/model.ts';
import { requestView, type RequestView } from '../request/request-view.ts';
import { timelineEntry, type BrokerStore } from '../request/store.ts';
import type { BrokerConfig } from '../shell/config.ts';
import { conflict, notFound } from '../shell/http-errors.ts';
import type { ReplacementBody } from './contract.ts';

export interface ReplacementDependencies {
  store: BrokerStore;
  aws: Pick<Clients, 'stepFunctions'>;
  awsFor(record: ConnectionRequestRecord): Pick<Clients, 'pipelines' | 'connections' | 'codeBuild'> & Partial<Pick<Clients, 'ram'>>;
  config: Pick<BrokerConfig, 'stateMachineArn' | 'hostSetupTimeoutSeconds' | 'approvalSchedule'>;
}

/** Where a connection the broker made may be found; only a COMPLETED request's is replaced. */
const HOLDING: readonly RequestStatus[] = ['COMPLETED', 'UPDATING_HOST', 'WAITING_FOR_HOST_SETUP', 'WAITING_FOR_DECOMMISSION_APPROVAL', 'DECOMMISSIONING'];

/** Whether the replacing request is still on its way (a failed one leaves the connection free to replace again). */
export async function replacementUnderWay(store: BrokerStore, requestId: string): Promise<boolean> {
  const current = await store.getRequest(requestId).catch(() => undefined);
  return current !== undefined && current.status !== 'COMPLETED' && !isTerminal(current.status);
}

/**
 * POST /v1/connections/{id}/replace: a new connection for the same host, made by a new request
 * that goes through the same steps and waits as any (the handshake, its approvers), then moves
 * every pipeline that used the old connection over (grants first, one version-checked update
 * each, a run each), and only after it completed is the old connection decommissioned. Until then
 * the old connection is untouched, so a rollback at any point points the pipelines back at it.
 * Only what a replacement can move may use the old connection: a repository link, a resource
 * share or a CodeBuild project's own source refuses it (409, as a decommission does).
 */
export async function requestReplacement(caller: Caller, connectionId: string, body: ReplacementBody, dependencies: ReplacementDependencies): Promise<RequestView> {
  const { store } = dependencies;
  const old = await store.findRequest(
    HOLDING,
    (record) => record.connectionArn !== undefined && resourceId(record.connectionArn) === connectionId && (record.requester.id === caller.id || caller.isAdmin),
  );
  if (!old) {
    throw notFound(`No COMPLETED connection ${connectionId.length > 100 ? `${connectionId.slice(0, 100)}…` : connectionId} made by the broker exists.`);
  }
  const pipelines = await replaceablePipelines(old, dependencies);
  return requestView(await startReplacement(caller, old, pipelines, body.arnPrefix ?? 'codeconnections', dependencies));
}

/** The pipelines a replacement of `old` would move; a 409 if it cannot be replaced. Changes nothing. */
export async function replaceablePipelines(old: ConnectionRequestRecord, dependencies: ReplacementDependencies): Promise<string[]> {
  const { store } = dependencies;
  const connectionId = resourceId(old.connectionArn!);
  // A cloud provider's connection has no host, and is replaced by another to the same provider.
  if (old.connectionStrategy === 'shared' || (!old.hostArn && !isCloudProvider(providerTypeOf(old)))) {
    throw conflict('NotReplaceable', "A shared connection is the hub's: replace it in the hub, where it was made.");
  }
  if (isDecommissioning(old.status)) throw conflict('DecommissionUnderWay', `Connection ${connectionId} is being decommissioned.`);
  if (isUpdatingHost(old)) throw conflict('HostUpdateUnderWay', `The host of connection ${connectionId} is being updated; replace it once that is done.`);
  if (old.replacedBy && (await store.getRequest(old.replacedBy).catch(() => undefined))?.status === 'COMPLETED') {
    throw conflict('ReplacementUnderWay', `Request ${old.replacedBy} replaced connection ${connectionId} already.`);
  }
  if (old.replacedBy && (await replacementUnderWay(store, old.replacedBy))) {
    throw conflict('ReplacementUnderWay', `Request ${old.replacedBy} is replacing connection ${connectionId} already.`);
  }
  const usage = await usageOrProblem(old.connectionArn!, dependencies.awsFor(old));
  const immovable = connectionUsers(old, { ...usage, pipelineActions: [] });
  if (immovable.length > 0) {
    throw conflict(
      'ConnectionInUse',
      `Connection ${connectionId} is used by something a replacement cannot move; nothing was changed.`,
      immovable.map((user) => ({ path: `usedBy.${user.kind}.${user.name}`, message: describeUser(user) })),
    );
  }
  return [...new Set(usage.pipelineActions.map((action) => action.pipelineName))].sort();
}

/** Records the replacing request and starts it (the checks of {@link replaceablePipelines} passed). */
export async function startReplacement(
  caller: Caller,
  old: ConnectionRequestRecord,
  pipelines: string[],
  prefix: 'codeconnections' | 'codestar-connections',
  dependencies: ReplacementDependencies,
): Promise<ConnectionRequestRecord> {
  const { store } = dependencies;
  const requestId = randomUUID();
  // One replacement at a time: the old request names its replacement first, conditioned on it
  // still naming the one that was checked (two simultaneous asks: the second gets a 409).
  const claimed = await store.updateRequest(old.requestId, (current) => (current.replacedBy === old.replacedBy && current.status === 'COMPLETED' ? { ...current, replacedBy: requestId } : undefined));
  if (claimed.replacedBy !== requestId) throw conflict('ReplacementUnderWay', `Request ${claimed.replacedBy ?? '(another)'} is replacing connection ${resourceId(old.connectionArn!)} already.`);
  const now = new Date();
  const connectionName = deriveConnectionName({ host: new URL(old.providerEndpoint).host, fullRepositoryId: old.pipeline?.fullRepositoryId, requestId });
  const reservedName = nameReservationKey(connectionName, old.accountId);
  await reserveConnectionName(store, reservedName, requestId, now);
  const record: ConnectionRequestRecord = {
    requestId,
    status: 'ACCEPTED',
    requester: { id: caller.id, ...(caller.email ? { email: caller.email } : {}), ...(caller.slackUserId ? { slackUserId: caller.slackUserId } : {}) },
    providerEndpoint: old.providerEndpoint,
    ...(old.providerType ? { providerType: old.providerType } : {}),
    connectionName,
    hostName: old.hostName,
    ...(old.vpcConfiguration ? { vpcConfiguration: old.vpcConfiguration } : {}),
    tags: old.tags,
    ...(old.accountId ? { accountId: old.accountId } : {}),
    region: old.region,
    ...(old.accountApprovers ? { accountApprovers: old.accountApprovers } : {}),
    connectionStrategy: 'dedicated',
    replaces: { requestId: old.requestId, connectionArn: old.connectionArn!, pipelines },
    ...(prefix === 'codeconnections' ? { connectionPrefix: 'codeconnections' as const } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    timeline: [
      timelineEntry(
        'request',
        caller.id,
        `Requested a ${prefix} connection to replace ${old.connectionArn} (request ${old.requestId}), on the same host; ` +
          (pipelines.length > 0 ? `it takes over pipeline(s) ${pipelines.join(', ')}.` : 'no pipeline uses the old one now.'),
        now,
      ),
    ],
    revision: 0,
  };
  try {
    await store.createRequest(record);
  } catch (error) {
    await store.releaseConnectionName(reservedName, requestId);
    throw error;
  }
  await store.updateRequest(old.requestId, (current) => ({
    ...current,
    timeline: [...current.timeline, timelineEntry('replace', caller.id, `Replacement asked for: request ${requestId} makes a new connection and moves its pipelines.`, now)],
  }));
  return startProvisioning(requestId, reservedName, { attachPipeline: false, connectionStrategy: 'dedicated', replace: true }, dependencies);
}
