import { ControlApiError } from '../../errors.ts';
import { requiredString } from '../../control/router.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { settleHosts } from './hosts.ts';
import { addSyncBlocker, requireSync, startSyncAttempt } from './git-sync.ts';
import { findByArn, parseResourceArn, sameResource, stateFor, type ConnectionsState, type HostRecord } from './state.ts';

/**
 * The console steps no API offers (host set-up, connection handshake), and what the outside world
 * does to resources (a VPC that fails to initialize, a GitHub App deleted on GHES, a push that syncs).
 */
export function connectionsControlRoutes({ store, clock }: SandboxDeps): ControlRoute[] {
  const now = () => clock.nowEpochSeconds();

  /** The state that holds the resource the ARN names (its own account and Region). */
  const stateOf = (arn: string, field: string, kind: 'host' | 'connection'): ConnectionsState => {
    const parsed = parseResourceArn(arn);
    if (!parsed || parsed.kind !== kind) throw new ControlApiError(400, 'InvalidParameter', `${field} is not a ${kind} ARN`, field);
    return settleHosts(stateFor(store, parsed.accountId, parsed.region), now());
  };
  const hostFrom = (body: Record<string, unknown>): { state: ConnectionsState; host: HostRecord } => {
    const hostArn = requiredString(body, 'hostArn');
    const state = stateOf(hostArn, 'hostArn', 'host');
    const host = findByArn(state.hosts, hostArn);
    if (!host) throw new ControlApiError(404, 'HostNotFound', `Host ${hostArn} does not exist`, 'hostArn');
    return { state, host };
  };

  return [
    {
      method: 'POST',
      path: '/hosts/complete-setup',
      summary: 'Console "Set up host": {hostArn} PENDING → AVAILABLE',
      handle: ({ body }) => {
        const { host } = hostFrom(body);
        if (host.status !== 'PENDING') {
          throw new ControlApiError(409, 'HostNotPending', `Host is ${host.status}; only a PENDING host can be set up`, 'hostArn');
        }
        host.status = 'AVAILABLE';
        host.statusMessage = undefined;
        store.markChanged();
        return { hostArn: host.arn, status: host.status };
      },
    },
    {
      method: 'POST',
      path: '/hosts/fail-vpc',
      summary: 'VPC initialization fails: {hostArn, message?} → VPC_CONFIG_FAILED_INITIALIZATION',
      handle: ({ body }) => {
        const { host } = hostFrom(body);
        if (host.status !== 'VPC_CONFIG_INITIALIZING') {
          throw new ControlApiError(409, 'HostNotInitializing', `Host is ${host.status}, not VPC_CONFIG_INITIALIZING`, 'hostArn');
        }
        host.status = 'VPC_CONFIG_FAILED_INITIALIZATION';
        host.statusMessage =
          typeof body.message === 'string' ? body.message : 'Subnets must be in different Availability Zones of the selected VPC.';
        host.transitionAt = undefined;
        store.markChanged();
        return { hostArn: host.arn, status: host.status, statusMessage: host.statusMessage };
      },
    },
    {
      method: 'POST',
      path: '/hosts/break',
      summary: "The host's GitHub App was changed or deleted: {hostArn} → host and its connections ERROR",
      handle: ({ body }) => {
        const { state, host } = hostFrom(body);
        host.status = 'ERROR';
        host.statusMessage = 'The GitHub App registered for this host was modified or deleted.';
        const broken = Object.values(state.connections).filter((connection) => connection.hostArn && sameResource(connection.hostArn, host.arn));
        for (const connection of broken) connection.status = 'ERROR';
        store.markChanged();
        return { hostArn: host.arn, status: host.status, connectionsInError: broken.map((connection) => connection.arn) };
      },
    },
    {
      method: 'POST',
      path: '/connections/complete-handshake',
      summary: 'Console "Update pending connection": {connectionArn} PENDING → AVAILABLE',
      handle: ({ body }) => {
        const connectionArn = requiredString(body, 'connectionArn');
        const state = stateOf(connectionArn, 'connectionArn', 'connection');
        const connection = findByArn(state.connections, connectionArn);
        if (!connection) throw new ControlApiError(404, 'ConnectionNotFound', `Connection ${connectionArn} does not exist`, 'connectionArn');
        if (connection.status !== 'PENDING') {
          throw new ControlApiError(409, 'ConnectionNotPending', `Connection is ${connection.status}; only a PENDING connection can be completed`, 'connectionArn');
        }
        const host = connection.hostArn ? findByArn(state.hosts, connection.hostArn) : undefined;
        if (connection.hostArn && host?.status !== 'AVAILABLE') {
          throw new ControlApiError(409, 'HostNotAvailable', `The connection's host is ${host?.status ?? 'gone'}`, 'connectionArn');
        }
        connection.status = 'AVAILABLE';
        store.markChanged();
        return { connectionArn: connection.arn, status: connection.status };
      },
    },
    {
      method: 'POST',
      path: '/sync/attempts',
      summary: 'A push was synced: {resourceName, syncType?, status: INITIATED|IN_PROGRESS|SUCCEEDED|FAILED, sha?}',
      handle: ({ body, accountId, region }) => {
        const state = stateFor(store, accountId, region);
        const sync = requireSyncForControl(state, body);
        const status = requiredString(body, 'status');
        if (!['INITIATED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'QUEUED'].includes(status)) {
          throw new ControlApiError(400, 'InvalidParameter', 'status must be INITIATED, IN_PROGRESS, SUCCEEDED, FAILED or QUEUED', 'status');
        }
        startSyncAttempt(state, sync, now(), status, typeof body.sha === 'string' ? body.sha : 'HEAD');
        store.markChanged();
        return { resourceName: sync.ResourceName, status };
      },
    },
    {
      method: 'POST',
      path: '/sync/blockers',
      summary: 'Git sync stops on a blocker: {resourceName, syncType?, reason}',
      handle: ({ body, accountId, region }) => {
        const state = stateFor(store, accountId, region);
        const sync = requireSyncForControl(state, body);
        const blocker = addSyncBlocker(state, sync, requiredString(body, 'reason'), now());
        store.markChanged();
        return blocker;
      },
    },
  ];
}

function requireSyncForControl(state: ConnectionsState, body: Record<string, unknown>) {
  const resourceName = requiredString(body, 'resourceName');
  const syncType = typeof body.syncType === 'string' ? body.syncType : 'CFN_STACK_SYNC';
  try {
    return requireSync(state, syncType, resourceName);
  } catch {
    throw new ControlApiError(404, 'SyncConfigurationNotFound', `No sync configuration exists for ${resourceName}`, 'resourceName');
  }
}
