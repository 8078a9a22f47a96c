import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../context.ts';
import { AwsServiceError } from '../../errors.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import type { SharingLookup } from '../lookups.ts';
import { pageSizeOf, paginate } from '../pagination.ts';
import { limitExceeded, resourceAlreadyExists, resourceNotFound, resourceUnavailable, validation } from './errors.ts';
import { dedupeTags, requireHost, settleHosts } from './hosts.ts';
import {
  CREATION_ORDER,
  DEFAULT_PAGE_SIZE,
  inCreationOrder,
  callConnections,
  callState,
  connectionChanged,
  connectionsFor,
  findByArn,
  parseResourceArn,
  partitionOf,
  sameResource,
  type ConnectionRecord,
  type ConnectionsState,
  type GlobalConnectionsState,
  type ProviderType,
  type Tag,
} from './state.ts';

export interface CreateConnectionInput {
  ConnectionName: string;
  ProviderType?: ProviderType;
  HostArn?: string;
  Tags?: Tag[];
}

export function connectionOperations(deps: SandboxDeps, sharing?: SharingLookup): Record<string, OperationHandler> {
  const { store, clock, config } = deps;
  const state = (call: CallContext) => settleHosts(store, callState(store, call), clock.nowEpochSeconds());

  return {
    CreateConnection(input: CreateConnectionInput, call) {
      const current = state(call);
      const providerType = resolveProviderType(current, input);
      const connections = callConnections(store, call);
      const { arn } = addConnection(current, connections, { ...input, ProviderType: providerType }, call, config.connectionQuota);
      connectionChanged(store, connections, arn);
      return { ConnectionArn: arn, Tags: input.Tags?.length ? connections.tags[arn] : undefined };
    },

    GetConnection(input: { ConnectionArn: string }, call) {
      const connection =
        findByArn(callConnections(store, call).connections, input.ConnectionArn) ?? sharedConnection(store, sharing, call.accountId, call.region, input.ConnectionArn);
      if (!connection) throw resourceNotFound(`Connection ${input.ConnectionArn} does not exist`);
      // A shared connection is still the owner's: OwnerAccountId stays the sharing account.
      return { Connection: describeConnection(connection) };
    },

    ListConnections(
      input: { ProviderTypeFilter?: ProviderType; HostArnFilter?: string; MaxResults?: number; NextToken?: string },
      call,
    ) {
      if (input.HostArnFilter) requireHost(state(call), input.HostArnFilter);
      const matching = inCreationOrder(callConnections(store, call).connections).filter(
        (connection) =>
          (!input.ProviderTypeFilter || connection.providerType === input.ProviderTypeFilter) &&
          (!input.HostArnFilter || (connection.hostArn !== undefined && sameResource(connection.hostArn, input.HostArnFilter))),
      );
      const { page, nextToken } = paginate(matching, {
        ...CREATION_ORDER,
        list: 'connections',
        pageSize: pageSizeOf(input.MaxResults, DEFAULT_PAGE_SIZE),
        nextToken: input.NextToken,
        invalidToken: () => validation('Invalid NextToken'),
      });
      return { Connections: page.map(describeConnection), NextToken: nextToken };
    },

    DeleteConnection(input: { ConnectionArn: string }, call) {
      const connections = callConnections(store, call);
      if (!findByArn(connections.connections, input.ConnectionArn) && sharedConnection(store, sharing, call.accountId, call.region, input.ConnectionArn)) {
        // RAM's permission for a shared resource grants its use, not its deletion; the owner's
        // resource-based grant does not allow the action, so IAM refuses it (IAM User Guide,
        // "Troubleshoot access denied error messages": "no resource-based policy allows ...").
        throw new AwsServiceError(
          'AccessDeniedException',
          `User: arn:aws:iam::${call.accountId}:root is not authorized to perform: ${call.endpoint}:DeleteConnection on resource: ${input.ConnectionArn} because no resource-based policy allows the ${call.endpoint}:DeleteConnection action`,
          400,
        );
      }
      const connection = requireConnection(connections, input.ConnectionArn);
      delete connections.connections[connection.arn];
      delete connections.tags[connection.arn];
      connectionChanged(store, connections, connection.arn);
      return {};
    },
  };
}

/**
 * Stores a new PENDING connection under an ARN with the prefix of the endpoint it came through,
 * once the account's name and quota rules allow it. CreateConnection and the console's control
 * route (which, unlike the API, may put a connection on a host still PENDING) share it. The
 * connection is global (`connections`); its host, if any, is in the Regional `state` it was made in.
 */
export function addConnection(
  state: ConnectionsState,
  connections: GlobalConnectionsState,
  input: CreateConnectionInput & { ProviderType: ProviderType },
  call: Pick<CallContext, 'accountId' | 'region' | 'endpoint'>,
  connectionQuota: number,
): ConnectionRecord {
  const nameTaken = Object.values(connections.connections).some((connection) => connection.name === input.ConnectionName);
  if (nameTaken) throw resourceAlreadyExists(`Connection name ${input.ConnectionName} already exists in this account`);
  if (Object.keys(connections.connections).length >= connectionQuota) {
    throw limitExceeded('Exceeded the maximum limit for connections.');
  }
  const arn = `arn:${partitionOf(call.region)}:${call.endpoint}:${call.region}:${call.accountId}:connection/${randomUUID()}`;
  const connection: ConnectionRecord = {
    seq: connections.nextSeq++,
    arn,
    name: input.ConnectionName,
    providerType: input.ProviderType,
    ...(input.HostArn ? { hostArn: requireHost(state, input.HostArn).arn } : {}),
    ownerAccountId: call.accountId,
    status: 'PENDING',
  };
  connections.connections[arn] = connection;
  if (input.Tags?.length) connections.tags[arn] = dedupeTags(input.Tags);
  return connection;
}

/**
 * A connection names either a cloud provider or a host. GHES and GitLab self-managed connections
 * need a host that has finished its console set-up.
 */
function resolveProviderType(state: ConnectionsState, input: CreateConnectionInput): ProviderType {
  if (!input.HostArn) {
    if (!input.ProviderType) throw validation('Either ProviderType or HostArn must be specified.');
    if (input.ProviderType === 'GitHubEnterpriseServer' || input.ProviderType === 'GitLabSelfManaged') {
      throw validation(`A ${input.ProviderType} connection must be created with the HostArn of its host.`);
    }
    return input.ProviderType;
  }
  const host = requireHost(state, input.HostArn);
  if (input.ProviderType && input.ProviderType !== host.providerType) {
    throw validation(`ProviderType ${input.ProviderType} does not match the host's provider type ${host.providerType}.`);
  }
  if (host.status !== 'AVAILABLE') {
    throw resourceUnavailable(`Host ${host.arn} is ${host.status}; a connection can only be created on an AVAILABLE host.`);
  }
  return host.providerType;
}

/**
 * A connection of another account that AWS RAM shares with `accountId` (the owner's record), or
 * undefined. Only codeconnections connections can be shared (Developer Tools console guide,
 * connections-share.html), which RAM checks when the share is made.
 */
export function sharedConnection(
  store: SandboxDeps['store'],
  sharing: SharingLookup | undefined,
  accountId: string,
  region: string,
  connectionArn: string,
): ConnectionRecord | undefined {
  const owner = parseResourceArn(connectionArn);
  if (!sharing || !owner || owner.kind !== 'connection' || owner.accountId === accountId) return undefined;
  const connection = findByArn(connectionsFor(store, owner.accountId, region).connections, connectionArn);
  return connection && sharing.isSharedWith(connection.arn, accountId) ? connection : undefined;
}

export function requireConnection(connections: GlobalConnectionsState, connectionArn: string): ConnectionRecord {
  const connection = findByArn(connections.connections, connectionArn);
  if (!connection) throw resourceNotFound(`Connection ${connectionArn} does not exist`);
  return connection;
}

function describeConnection(connection: ConnectionRecord) {
  return {
    ConnectionName: connection.name,
    ConnectionArn: connection.arn,
    ProviderType: connection.providerType,
    OwnerAccountId: connection.ownerAccountId,
    ConnectionStatus: connection.status,
    HostArn: connection.hostArn,
  };
}
