import type { CallContext } from '../../context.ts';
import { newRequestId } from '../../context.ts';
import { AwsServiceError, ControlApiError } from '../../errors.ts';
import { requiredString } from '../../control/router.ts';
import type { SmithyModel } from '../../model/smithy-model.ts';
import { validateOperationInput } from '../../model/validate.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { addConnection } from './connections.ts';
import { hostOperations, settleHosts, type CreateHostInput } from './hosts.ts';
import { activeBlockers, addSyncBlocker, recordSyncAttempt, requireSync, syncChanged, syncKey } from './git-sync.ts';
import { gitSyncRoleFailure } from './git-sync-role.ts';
import type { CloudFormationLookup, IamLookup } from '../lookups.ts';
import {
  connectionChanged,
  connectionsFor,
  findByArn,
  hostChanged,
  parseResourceArn,
  sameResource,
  stateFor,
  type ConnectionsState,
  type HostRecord,
  type ProviderType,
  type SyncConfigurationRecord,
  type VpcConfiguration,
} from './state.ts';

/** The endpoint the console has used since 2024-07-01: its resources carry `arn:aws:codeconnections:` ARNs. */
const CONSOLE_ENDPOINT = 'codeconnections';
const CLOUD_PROVIDERS: ReadonlySet<string> = new Set(['Bitbucket', 'GitHub', 'GitLab', 'AzureDevOps']);
/** Host states a console-made connection may be put on: the console creates both while the host still waits for "Set up host". */
const HOST_STATES_FOR_CONSOLE_CONNECTIONS: ReadonlySet<string> = new Set(['PENDING', 'AVAILABLE']);

/**
 * The console steps no API offers (host set-up, connection handshake), and what the outside world
 * does to resources (a VPC that fails to initialize, a GitHub App deleted on GHES, a push that syncs).
 */
export function connectionsControlRoutes(
  deps: SandboxDeps,
  codeconnectionsModel: SmithyModel,
  iam?: Pick<IamLookup, 'role'>,
  cloudFormation?: CloudFormationLookup,
): ControlRoute[] {
  const { store, clock, config } = deps;
  const now = () => clock.nowEpochSeconds();
  /**
   * Records a sync attempt's status (see recordSyncAttempt). A SUCCEEDED sync of a CFN_STACK_SYNC
   * configuration has deployed its stack: CloudFormation creates it (CREATE_COMPLETE) or, when a
   * live stack has the name, updates it (UPDATE_COMPLETE), in the configuration's account and Region.
   */
  const recordAttempt = (
    place: { accountId: string; region: string },
    state: ConnectionsState,
    sync: SyncConfigurationRecord,
    status: string,
    sha?: string,
  ): boolean => {
    const started = recordSyncAttempt(state, sync, now(), status, sha);
    if (status === 'SUCCEEDED' && sync.SyncType === 'CFN_STACK_SYNC') cloudFormation?.stackSynced(place.accountId, place.region, sync.ResourceName);
    return started;
  };
  const hosts = hostOperations(deps);
  /** What a console click amounts to: a call through the codeconnections endpoint, in AWS's words when refused. */
  const consoleCall = (operation: string, accountId: string, region: string): CallContext => ({
    accountId,
    region,
    endpoint: CONSOLE_ENDPOINT,
    operation,
    requestId: newRequestId(),
  });
  const asConsole = <T>(operation: string, input: Record<string, unknown>, act: () => T): T => {
    try {
      validateOperationInput(codeconnectionsModel, operation, input);
      return act();
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      throw new ControlApiError(error.status ?? (error.code === 'LimitExceededException' ? 429 : 400), error.code, error.message);
    }
  };

  /** The state that holds the resource the ARN names (its own account and Region). */
  const stateOf = (arn: string, field: string, kind: 'host' | 'connection'): ConnectionsState => {
    const parsed = parseResourceArn(arn);
    if (!parsed || parsed.kind !== kind) throw new ControlApiError(400, 'InvalidParameter', `${field} is not a ${kind} ARN`, field);
    return settleHosts(store, stateFor(store, parsed.accountId, parsed.region), now());
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
      path: '/console/hosts',
      summary:
        'The console creates a host (as since 2024-07: a codeconnections ARN, no tags): {name, providerEndpoint, ' +
        'providerType? (GitHubEnterpriseServer|GitLabSelfManaged, default GitHubEnterpriseServer), ' +
        'vpcConfiguration? {vpcId, subnetIds, securityGroupIds, tlsCertificate?}} → {hostArn, status} (PENDING; VPC_CONFIG_INITIALIZING first with a VPC)',
      handle: ({ body, accountId, region }) => {
        const vpcConfiguration = readVpcConfiguration(body);
        const input: CreateHostInput = {
          Name: requiredString(body, 'name'),
          ProviderType: (optionalString(body, 'providerType') ?? 'GitHubEnterpriseServer') as ProviderType,
          ProviderEndpoint: requiredString(body, 'providerEndpoint'),
          ...(vpcConfiguration ? { VpcConfiguration: vpcConfiguration } : {}),
        };
        // CreateHost tells the store what it made.
        const { HostArn } = asConsole('CreateHost', { ...input }, () => hosts.CreateHost!(input, consoleCall('CreateHost', accountId, region)) as { HostArn: string });
        const host = findByArn(stateFor(store, accountId, region).hosts, HostArn)!;
        return { hostArn: host.arn, status: host.status, name: host.name, providerType: host.providerType, providerEndpoint: host.providerEndpoint };
      },
    },
    {
      method: 'POST',
      path: '/console/connections',
      summary:
        'The console creates a connection (a codeconnections ARN, no tags, PENDING until /connections/complete-handshake): ' +
        '{name, hostArn} on a PENDING or AVAILABLE host (its account and Region), or {name, providerType} for a cloud provider → {connectionArn, status, hostArn?}',
      handle: ({ body, accountId, region }) => {
        const name = requiredString(body, 'name');
        const hostArn = optionalString(body, 'hostArn');
        if (!hostArn) {
          const providerType = optionalString(body, 'providerType');
          if (!providerType || !CLOUD_PROVIDERS.has(providerType)) {
            throw new ControlApiError(400, 'InvalidParameter', `Give hostArn, or a cloud providerType (${[...CLOUD_PROVIDERS].join(', ')})`, 'hostArn');
          }
          const state = settleHosts(store, stateFor(store, accountId, region), now());
          const input = { ConnectionName: name, ProviderType: providerType as ProviderType };
          const connections = connectionsFor(store, accountId, region);
          const connection = asConsole('CreateConnection', input, () =>
            addConnection(state, connections, input, consoleCall('CreateConnection', accountId, region), config.connectionQuota),
          );
          connectionChanged(store, connections, connection.arn);
          return { connectionArn: connection.arn, status: connection.status, providerType: connection.providerType };
        }
        const { state, host } = hostFrom({ hostArn });
        if (!HOST_STATES_FOR_CONSOLE_CONNECTIONS.has(host.status)) {
          throw new ControlApiError(409, 'HostNotReady', `Host is ${host.status}; the console offers only PENDING and AVAILABLE hosts for a connection`, 'hostArn');
        }
        const parsed = parseResourceArn(host.arn)!;
        const input = { ConnectionName: name, HostArn: host.arn };
        const connections = connectionsFor(store, parsed.accountId, parsed.region);
        const connection = asConsole('CreateConnection', input, () =>
          addConnection(
            state,
            connections,
            { ...input, ProviderType: host.providerType },
            consoleCall('CreateConnection', parsed.accountId, parsed.region),
            config.connectionQuota,
          ),
        );
        connectionChanged(store, connections, connection.arn);
        return { connectionArn: connection.arn, status: connection.status, hostArn: host.arn, providerType: connection.providerType };
      },
    },
    {
      method: 'POST',
      path: '/hosts/complete-setup',
      summary: 'Console "Set up host": {hostArn} PENDING → AVAILABLE',
      handle: ({ body }) => {
        const { state, host } = hostFrom(body);
        if (host.status !== 'PENDING') {
          throw new ControlApiError(409, 'HostNotPending', `Host is ${host.status}; only a PENDING host can be set up`, 'hostArn');
        }
        host.status = 'AVAILABLE';
        host.statusMessage = undefined;
        hostChanged(store, state, host.arn);
        return { hostArn: host.arn, status: host.status };
      },
    },
    {
      method: 'POST',
      path: '/hosts/fail-vpc',
      summary: 'VPC initialization fails: {hostArn, message?} → VPC_CONFIG_FAILED_INITIALIZATION',
      handle: ({ body }) => {
        const { state, host } = hostFrom(body);
        if (host.status !== 'VPC_CONFIG_INITIALIZING') {
          throw new ControlApiError(409, 'HostNotInitializing', `Host is ${host.status}, not VPC_CONFIG_INITIALIZING`, 'hostArn');
        }
        host.status = 'VPC_CONFIG_FAILED_INITIALIZATION';
        host.statusMessage =
          typeof body.message === 'string' ? body.message : 'Subnets must be in different Availability Zones of the selected VPC.';
        host.transitionAt = undefined;
        hostChanged(store, state, host.arn);
        return { hostArn: host.arn, status: host.status, statusMessage: host.statusMessage };
      },
    },
    {
      method: 'POST',
      path: '/hosts/break',
      summary: "The host's GitHub App was changed or deleted (a GitLab host: its set-up token revoked): {hostArn} → host and its connections ERROR",
      handle: ({ body }) => {
        const { state, host } = hostFrom(body);
        host.status = 'ERROR';
        host.statusMessage =
          host.providerType === 'GitLabSelfManaged'
            ? 'The GitLab personal access token this host was set up with was revoked or has expired.'
            : 'The GitHub App registered for this host was modified or deleted.';
        hostChanged(store, state, host.arn);
        const parsed = parseResourceArn(host.arn)!;
        const connections = connectionsFor(store, parsed.accountId, parsed.region);
        const broken = Object.values(connections.connections).filter((connection) => connection.hostArn && sameResource(connection.hostArn, host.arn));
        for (const connection of broken) {
          connection.status = 'ERROR';
          connectionChanged(store, connections, connection.arn);
        }
        return { hostArn: host.arn, status: host.status, connectionsInError: broken.map((connection) => connection.arn) };
      },
    },
    {
      method: 'POST',
      path: '/connections/complete-handshake',
      summary: 'Console "Update pending connection": {connectionArn} PENDING → AVAILABLE',
      handle: ({ body }) => {
        const connectionArn = requiredString(body, 'connectionArn');
        const parsed = parseResourceArn(connectionArn);
        if (!parsed || parsed.kind !== 'connection') {
          throw new ControlApiError(400, 'InvalidParameter', 'connectionArn is not a connection ARN', 'connectionArn');
        }
        const connections = connectionsFor(store, parsed.accountId, parsed.region);
        const connection = findByArn(connections.connections, connectionArn);
        if (!connection) throw new ControlApiError(404, 'ConnectionNotFound', `Connection ${connectionArn} does not exist`, 'connectionArn');
        if (connection.status !== 'PENDING') {
          throw new ControlApiError(409, 'ConnectionNotPending', `Connection is ${connection.status}; only a PENDING connection can be completed`, 'connectionArn');
        }
        // The host is Regional: it lives in the Region of its own ARN.
        const hostArn = connection.hostArn && parseResourceArn(connection.hostArn);
        const host = hostArn
          ? findByArn(settleHosts(store, stateFor(store, hostArn.accountId, hostArn.region), now()).hosts, connection.hostArn!)
          : undefined;
        if (connection.hostArn && host?.status !== 'AVAILABLE') {
          throw new ControlApiError(409, 'HostNotAvailable', `The connection's host is ${host?.status ?? 'gone'}`, 'connectionArn');
        }
        connection.status = 'AVAILABLE';
        connectionChanged(store, connections, connection.arn);
        return { connectionArn: connection.arn, status: connection.status };
      },
    },
    {
      method: 'POST',
      path: '/sync/attempts',
      summary:
        'Set the latest sync attempt\'s status: {resourceName, syncType?, status: INITIATED|QUEUED|IN_PROGRESS|SUCCEEDED|FAILED, sha?}. ' +
        'An unfinished attempt for the same commit (sha left out or equal) moves on; otherwise a new attempt starts (a push). ' +
        'SUCCEEDED (CFN_STACK_SYNC) deploys the stack named resourceName: CREATE_COMPLETE, or UPDATE_COMPLETE when it exists. ' +
        '409 SyncBlocked while the resource has an ACTIVE blocker (Git sync does not sync it)',
      handle: ({ body, accountId, region }) => {
        const state = stateFor(store, accountId, region);
        const sync = requireSyncForControl(state, body);
        const status = requiredString(body, 'status');
        if (!['INITIATED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'QUEUED'].includes(status)) {
          throw new ControlApiError(400, 'InvalidParameter', 'status must be INITIATED, IN_PROGRESS, SUCCEEDED, FAILED or QUEUED', 'status');
        }
        refuseWhileBlocked(state, sync);
        const started = recordAttempt({ accountId, region }, state, sync, status, optionalString(body, 'sha'));
        syncChanged(store, state, sync);
        return { resourceName: sync.ResourceName, status, newAttempt: started };
      },
    },
    {
      method: 'POST',
      path: '/sync/process',
      summary:
        'Git sync processes the latest commit as AWS does: it assumes the sync configuration\'s role, which must exist in IAM and trust ' +
        'cloudformation.sync.codeconnections.amazonaws.com; {resourceName, syncType?, sha?} → {status: SUCCEEDED} or {status: FAILED, reason}. ' +
        'SUCCEEDED deploys the stack named resourceName (CREATE_COMPLETE, or UPDATE_COMPLETE when it exists). ' +
        '409 SyncBlocked while the resource has an ACTIVE blocker',
      handle: ({ body, accountId, region }) => {
        const state = stateFor(store, accountId, region);
        const sync = requireSyncForControl(state, body);
        refuseWhileBlocked(state, sync);
        const sha = optionalString(body, 'sha');
        // The role is assumed once the sync is under way; a role Git sync cannot assume fails it.
        const reason = iam ? gitSyncRoleFailure(sync.RoleArn, iam) : undefined;
        recordAttempt({ accountId, region }, state, sync, 'IN_PROGRESS', sha);
        recordAttempt({ accountId, region }, state, sync, reason ? 'FAILED' : 'SUCCEEDED');
        if (reason) {
          const latest = state.resourceSyncStatus[syncKey(sync.SyncType, sync.ResourceName)]!.latest;
          latest.Events = [...latest.Events, { Event: reason, Time: now(), Type: 'FAILED' }];
        }
        syncChanged(store, state, sync);
        return { resourceName: sync.ResourceName, status: reason ? 'FAILED' : 'SUCCEEDED', ...(reason ? { reason } : {}) };
      },
    },
    {
      method: 'POST',
      path: '/sync/blockers',
      summary: 'Git sync stops on a blocker (AUTOMATED, ACTIVE) until UpdateSyncBlocker resolves it: {resourceName, syncType?, reason}',
      handle: ({ body, accountId, region }) => {
        const state = stateFor(store, accountId, region);
        const sync = requireSyncForControl(state, body);
        const blocker = addSyncBlocker(state, sync, requiredString(body, 'reason'), now());
        syncChanged(store, state, sync);
        return blocker;
      },
    },
  ];
}

/** While a blocker is ACTIVE Git sync starts no sync and the latest attempt stays as it is. */
function refuseWhileBlocked(state: ConnectionsState, sync: Parameters<typeof activeBlockers>[1]): void {
  const blocking = activeBlockers(state, sync);
  if (blocking.length === 0) return;
  throw new ControlApiError(
    409,
    'SyncBlocked',
    `Git sync does not sync ${sync.ResourceName} while it has an ACTIVE sync blocker (${blocking.map((blocker) => blocker.Id).join(', ')}); resolve it with UpdateSyncBlocker`,
    'resourceName',
  );
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

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new ControlApiError(400, 'InvalidParameter', `${field} must be a non-empty string`, field);
  return value;
}

/** The console's VPC fields, camel-cased as every control body is; the model checks their formats. */
function readVpcConfiguration(body: Record<string, unknown>): VpcConfiguration | undefined {
  const value = body.vpcConfiguration;
  if (value === undefined || value === null) return undefined;
  const field = 'vpcConfiguration';
  const invalid = () =>
    new ControlApiError(400, 'InvalidParameter', `${field} must be {vpcId, subnetIds, securityGroupIds, tlsCertificate?} with string ids`, field);
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid();
  const { vpcId, subnetIds, securityGroupIds, tlsCertificate } = value as Record<string, unknown>;
  const strings = (list: unknown): list is string[] => Array.isArray(list) && list.every((item) => typeof item === 'string');
  if (typeof vpcId !== 'string' || !strings(subnetIds) || !strings(securityGroupIds)) throw invalid();
  if (tlsCertificate !== undefined && typeof tlsCertificate !== 'string') throw invalid();
  return { VpcId: vpcId, SubnetIds: subnetIds, SecurityGroupIds: securityGroupIds, ...(tlsCertificate !== undefined ? { TlsCertificate: tlsCertificate } : {}) };
}
