import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetSyncConfigurationCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { SYNC_TYPE } from '../attach/git-sync-plan.ts';
import { deriveConnectionName, deriveHostName, nameReservationKey } from '../connection/naming.ts';
import { normaliseProviderEndpoint } from './endpoint.ts';
import { parseConnectionRequest } from './contract.ts';
import { parseTlsCertificate } from './tls-certificate.ts';
import { isCoreError } from './input-errors.ts';
import { isTerminal, type ConnectionRequestRecord, type GitSyncTarget } from './model.ts';
import { RequestNotFoundError } from './store-errors.ts';
import { timelineEntry, type BrokerStore } from './store.ts';
import type { Clients } from '../adapters/aws-clients.ts';
import type { BrokerConfig } from '../shell/config.ts';
import type { Caller } from './caller.ts';
import { ApiError, badRequest, conflict } from '../shell/http-errors.ts';
import { preflight } from './preflight.ts';
import { decideTargetAccess } from '../accounts/target-access.ts';
import type { AccountStore } from '../accounts/store.ts';
import type { ShareableConnectionStore } from '../sharing/store.ts';
import { chooseStrategy } from '../sharing/strategy.ts';
import { clientsIn, spokeAccessOf } from '../adapters/aws/target-clients.ts';
import { requestView, type RequestView } from './request-view.ts';
import { connectionPrefixFor, DEFAULT_PROVIDER_TYPE, providerWords } from './provider.ts';

export interface CreateRequestDependencies {
  config: BrokerConfig;
  aws: Clients;
  store: BrokerStore;
  /** The registered spoke accounts (who may ask for which). */
  accounts: Pick<AccountStore, 'get'>;
  /** The hub connections offered for sharing. */
  shareable: Pick<ShareableConnectionStore, 'find'>;
  fetchGhesMeta: (providerEndpoint: string) => Promise<unknown | undefined>;
  quotas: { hosts: number; connections: number };
}

/**
 * Validates, runs pre-flight, records the request and starts its workflow. Nothing is created in
 * AWS here; a refused request leaves no trace but the error answer.
 */
export async function createConnectionRequest(caller: Caller, body: unknown, dependencies: CreateRequestDependencies): Promise<RequestView> {
  const parsed = parseConnectionRequest(body);
  if (!parsed.ok) throw badRequest('The request body is not valid.', parsed.details);
  const request = parsed.value;

  let endpoint;
  try {
    endpoint = normaliseProviderEndpoint(request.providerEndpoint);
    if (request.vpcConfiguration?.tlsCertificate) parseTlsCertificate(request.vpcConfiguration.tlsCertificate, new Date());
  } catch (error) {
    if (!isCoreError(error)) throw error;
    const path = error.code === 'INVALID_TLS_CERTIFICATE' ? 'vpcConfiguration.tlsCertificate' : 'providerEndpoint';
    throw badRequest(error.message, [{ path, message: error.message }]);
  }

  // Where it goes, and whether this caller may ask for that account: before anything is looked at there.
  const home = dependencies.config;
  const wantsSpoke = request.accountId !== undefined && request.accountId !== home.accountId;
  const access = decideTargetAccess({
    caller,
    requested: { accountId: request.accountId, region: request.region },
    broker: { accountId: home.accountId, region: home.region },
    registration: wantsSpoke ? await dependencies.accounts.get(request.accountId!) : undefined,
    providerEndpoint: endpoint.url,
  });
  if (!access.allowed) throw new ApiError(access.status, access.code, access.message, [{ path: access.path, message: access.message }]);
  const { target, registration } = access;
  const aws = clientsIn(target, dependencies.aws, spokeAccessOf(home));
  const organization = request.pipeline?.fullRepositoryId.split('/')[0];
  // Git sync links a connection of the account's own: never the hub's shared one.
  const requestedStrategy = request.gitSync ? 'dedicated' : request.connectionStrategy;
  const strategy = chooseStrategy({
    requested: requestedStrategy,
    spoke: target.accountId !== undefined,
    offered: target.accountId && organization && requestedStrategy !== 'dedicated' ? await dependencies.shareable.find(endpoint.url, organization) : undefined,
    organization,
  });
  if ('refused' in strategy) throw new ApiError(422, strategy.code, strategy.message, [{ path: 'connectionStrategy', message: strategy.message }]);
  const sharing = strategy.strategy === 'shared' ? strategy.connection : undefined;

  if (request.gitSync) await checkGitSyncTarget(request.gitSync, target.accountId ?? home.accountId, aws);

  const requestId = randomUUID();
  const connectionName = request.connectionName ?? deriveConnectionName({ host: endpoint.host, fullRepositoryId: request.pipeline?.fullRepositoryId, requestId });
  const notes = await preflight(
    {
      region: target.region,
      providerEndpoint: endpoint.url,
      providerType: request.providerType,
      allowedEndpoints: dependencies.config.allowedEndpoints,
      connectionName,
      pipeline: request.pipeline,
      quotas: dependencies.quotas,
    },
    {
      aws,
      fetchGhesMeta: dependencies.fetchGhesMeta,
      normalise: (url) => {
        try {
          return normaliseProviderEndpoint(url).url;
        } catch {
          return undefined;
        }
      },
    },
  );

  const now = new Date();
  // Connection names are unique per account: a spoke's are reserved under its account id.
  const reservedName = nameReservationKey(sharing ? `shared-${requestId}` : connectionName, target.accountId);
  await reserveConnectionName(dependencies.store, reservedName, requestId, now);
  const record: ConnectionRequestRecord = {
    requestId,
    status: 'ACCEPTED',
    requester: { id: caller.id, email: caller.email, ...(caller.slackUserId ? { slackUserId: caller.slackUserId } : {}) },
    providerEndpoint: endpoint.url,
    providerType: request.providerType,
    connectionName,
    hostName: deriveHostName({ providerEndpoint: endpoint.url, vpcId: request.vpcConfiguration?.vpcId, providerType: request.providerType }),
    vpcConfiguration: request.vpcConfiguration,
    pipeline: request.pipeline,
    ...(request.gitSync ? { gitSync: request.gitSync } : {}),
    tags: request.tags ?? {},
    ...(target.accountId ? { accountId: target.accountId } : {}),
    region: target.region,
    ...(registration?.approvers ? { accountApprovers: registration.approvers } : {}),
    connectionStrategy: strategy.strategy,
    // Azure DevOps exists only in CodeConnections: its connection carries that prefix from the start.
    ...(connectionPrefixFor({ providerType: request.providerType }) === 'codeconnections' ? { connectionPrefix: 'codeconnections' as const } : {}),
    // A shared request uses the hub's connection as it is: nothing of its own to name or create.
    ...(sharing ? { connectionArn: sharing.connectionArn, share: { connectionArn: sharing.connectionArn } } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    timeline: [
      timelineEntry(
        'request',
        caller.id,
        // GHES requests read as they always have; another provider is named.
        `Requested a connection to ${endpoint.url}${request.providerType === DEFAULT_PROVIDER_TYPE ? '' : ` (${providerWords(request.providerType).product})`}` +
          `${target.accountId ? ` in account ${target.accountId}` : ''}.`,
        now,
      ),
      ...notes.map((note) => timelineEntry('preflight', 'system', note, now)),
      timelineEntry('preflight', 'system', 'Pre-flight checks passed.', now),
      ...(sharing
        ? [timelineEntry('share', 'system', `The hub's connection ${sharing.connectionArn} is offered for ${sharing.organization}: it is shared to account ${target.accountId} (no host, no handshake).`, now)]
        : []),
    ],
    revision: 0,
  };
  try {
    await dependencies.store.createRequest(record);
  } catch (error) {
    await dependencies.store.releaseConnectionName(reservedName, requestId);
    throw error;
  }

  // Shared: the hub's connection is shared to the account instead of host, connection and handshake.
  return requestView(await startProvisioning(requestId, reservedName, { attachPipeline: request.pipeline !== undefined || request.gitSync !== undefined, connectionStrategy: strategy.strategy }, dependencies));
}

/**
 * Starts the provisioning workflow for a recorded request (a new one, or a replacement), with the
 * two human waits' deadlines (their states' TimeoutSecondsPath) fixed for the request's life. If it
 * cannot start, nothing exists in AWS yet: the request is FAILED and its name given back.
 */
export async function startProvisioning(
  requestId: string,
  reservedName: string,
  settings: { attachPipeline: boolean; connectionStrategy: 'shared' | 'dedicated'; replace?: true },
  dependencies: { store: BrokerStore; aws: Pick<Clients, 'stepFunctions'>; config: Pick<BrokerConfig, 'stateMachineArn' | 'hostSetupTimeoutSeconds' | 'approvalSchedule'> },
): Promise<ConnectionRequestRecord> {
  let executionArn: string | undefined;
  try {
    ({ executionArn } = await dependencies.aws.stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: dependencies.config.stateMachineArn,
        name: requestId,
        input: JSON.stringify({
          requestId,
          settings: {
            hostSetupTimeoutSeconds: dependencies.config.hostSetupTimeoutSeconds,
            approvalTimeoutSeconds: dependencies.config.approvalSchedule.timeoutSeconds,
            ...settings,
          },
        }),
      }),
    ));
  } catch (error) {
    await dependencies.store.updateRequest(requestId, (current) => ({
      ...current,
      status: 'FAILED',
      failure: { code: 'WorkflowNotStarted', message: 'The provisioning workflow could not be started; nothing was created.' },
    }));
    await dependencies.store.releaseConnectionName(reservedName, requestId);
    throw error;
  }
  return dependencies.store.updateRequest(requestId, (current) => ({ ...current, executionArn }));
}

/** A reservation whose request record never appeared (the create died in between) is given up after this. */
export const ORPHANED_NAME_RESERVATION_SECONDS = 300;

/**
 * Holds the connection name for this request while it is under way: pre-flight only sees the
 * connections AWS already has, so two requests for the same name would otherwise both be accepted.
 * A name held by a request that has ended (its rollback gives the name back; this covers one that
 * could not) or by a create that never recorded its request is taken over; any other holder makes
 * this request a 409 at the field connectionName.
 */
export async function reserveConnectionName(store: BrokerStore, connectionName: string, requestId: string, now: Date): Promise<void> {
  const outcome = await store.reserveConnectionName(connectionName, requestId, now, async (holder) => {
    try {
      return isTerminal((await store.getRequest(holder.requestId)).status);
    } catch (error) {
      if (!(error instanceof RequestNotFoundError)) throw error;
      return now.getTime() - Date.parse(holder.reservedAt) > ORPHANED_NAME_RESERVATION_SECONDS * 1000;
    }
  });
  if (!outcome.reserved) {
    throw conflict('ConnectionNameTaken', `Request ${outcome.heldBy}, still under way, is creating a connection named ${connectionName}.`, [
      { path: 'connectionName', message: 'already requested; choose another name, leave it out to get a derived one, or wait for that request to end' },
    ]);
  }
}

/**
 * What a Git sync target needs before anything is made: its role in the account the sync runs in
 * (Git sync assumes it there), and a stack with no sync configuration yet (one is never taken over).
 */
async function checkGitSyncTarget(gitSync: GitSyncTarget, accountId: string, aws: Pick<Clients, 'connections'>): Promise<void> {
  const roleAccount = gitSync.roleArn.split(':')[4];
  if (roleAccount !== accountId) {
    const message = `The role is in account ${roleAccount}; Git sync runs in account ${accountId}, so its role must be there`;
    throw badRequest(message, [{ path: 'gitSync.roleArn', message }]);
  }
  try {
    await aws.connections.send(new GetSyncConfigurationCommand({ ResourceName: gitSync.stackName, SyncType: SYNC_TYPE }));
  } catch (error) {
    // None: the stack is free (GetSyncConfiguration answers ResourceNotFound).
    if (error instanceof ResourceNotFoundException) return;
    throw error;
  }
  throw conflict('SyncConfigurationExists', `Stack ${gitSync.stackName} has a Git sync configuration already.`, [
    { path: 'gitSync.stackName', message: 'has a Git sync configuration already; choose another stack, or delete that sync configuration first' },
  ]);
}
