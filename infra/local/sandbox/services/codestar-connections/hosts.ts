import { randomBytes } from 'node:crypto';
import type { CallContext } from '../../context.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import type { SandboxStore } from '../../store.ts';
import { pageSizeOf, paginate } from '../pagination.ts';
import { conflict, limitExceeded, resourceNotFound, resourceUnavailable, unsupportedOperation, validation } from './errors.ts';
import {
  CREATION_ORDER,
  DEFAULT_PAGE_SIZE,
  inCreationOrder,
  callConnections,
  callState,
  findByArn,
  hostChanged,
  nextSeq,
  partitionOf,
  sameResource,
  type ConnectionsState,
  type HostRecord,
  type ProviderType,
  type Tag,
  type VpcConfiguration,
} from './state.ts';

/** Only self-managed providers have hosts; the cloud providers are reached without one. */
const HOST_PROVIDERS: ReadonlySet<ProviderType> = new Set(['GitHubEnterpriseServer', 'GitLabSelfManaged']);

/** How long a VPC host spends in VPC_CONFIG_DELETING before it is gone (sandbox-clock seconds). */
const VPC_DELETION_SECONDS = 60;

export interface CreateHostInput {
  Name: string;
  ProviderType: ProviderType;
  ProviderEndpoint: string;
  VpcConfiguration?: VpcConfiguration;
  Tags?: Tag[];
}

export function hostOperations(deps: SandboxDeps): Record<string, OperationHandler> {
  const { store, clock, config } = deps;
  const now = () => clock.nowEpochSeconds();
  const state = (call: CallContext) => settleHosts(store, callState(store, call), now());

  return {
    CreateHost(input: CreateHostInput, call) {
      const current = state(call);
      if (!HOST_PROVIDERS.has(input.ProviderType)) {
        throw validation(`Provider type ${input.ProviderType} does not use hosts; choose GitHubEnterpriseServer or GitLabSelfManaged`);
      }
      assertHttpsEndpoint(input.ProviderEndpoint);
      if (Object.keys(current.hosts).length >= config.hostQuota) {
        throw limitExceeded(`Exceeded the maximum limit for hosts (${config.hostQuota}).`);
      }
      const arn = `arn:${partitionOf(call.region)}:${call.endpoint}:${call.region}:${call.accountId}:host/${input.Name}-${randomBytes(4).toString('hex')}`;
      const host: HostRecord = {
        seq: nextSeq(current),
        arn,
        name: input.Name,
        providerType: input.ProviderType,
        providerEndpoint: input.ProviderEndpoint,
        ...(input.VpcConfiguration
          ? { vpcConfiguration: input.VpcConfiguration, status: 'VPC_CONFIG_INITIALIZING', transitionAt: now() + config.vpcInitializationSeconds }
          : { status: 'PENDING' }),
      };
      current.hosts[arn] = host;
      if (input.Tags?.length) current.tags[arn] = dedupeTags(input.Tags);
      hostChanged(store, current, arn);
      return { HostArn: arn, Tags: input.Tags?.length ? current.tags[arn] : undefined };
    },

    GetHost(input: { HostArn: string }, call) {
      const host = requireHost(state(call), input.HostArn);
      return {
        Name: host.name,
        Status: host.status,
        ProviderType: host.providerType,
        ProviderEndpoint: host.providerEndpoint,
        VpcConfiguration: host.vpcConfiguration,
      };
    },

    ListHosts(input: { MaxResults?: number; NextToken?: string }, call) {
      const { page, nextToken } = paginate(inCreationOrder(state(call).hosts), {
        ...CREATION_ORDER,
        list: 'hosts',
        pageSize: pageSizeOf(input.MaxResults, DEFAULT_PAGE_SIZE),
        nextToken: input.NextToken,
        invalidToken: () => validation('Invalid NextToken'),
      });
      return {
        Hosts: page.map((host) => ({
          Name: host.name,
          HostArn: host.arn,
          ProviderType: host.providerType,
          ProviderEndpoint: host.providerEndpoint,
          VpcConfiguration: host.vpcConfiguration,
          Status: host.status,
          StatusMessage: host.statusMessage,
        })),
        NextToken: nextToken,
      };
    },

    UpdateHost(input: { HostArn: string; ProviderEndpoint?: string; VpcConfiguration?: VpcConfiguration }, call) {
      const current = state(call);
      const host = requireHost(current, input.HostArn);
      if (host.status === 'VPC_CONFIG_INITIALIZING' || host.status === 'VPC_CONFIG_DELETING') {
        throw conflict(`Host ${host.arn} is ${host.status} and cannot be updated until that finishes.`);
      }
      if (input.VpcConfiguration && !host.vpcConfiguration) {
        throw unsupportedOperation('A host created without a VPC configuration cannot be given one; create a new host.');
      }
      if (input.ProviderEndpoint !== undefined) {
        assertHttpsEndpoint(input.ProviderEndpoint);
        if (input.ProviderEndpoint !== host.providerEndpoint) {
          host.providerEndpoint = input.ProviderEndpoint;
          // The provider app was registered against the old URL: it has to be set up again.
          if (host.status === 'AVAILABLE') host.status = 'PENDING';
        }
      }
      if (input.VpcConfiguration) {
        host.vpcConfiguration = input.VpcConfiguration;
        host.status = 'VPC_CONFIG_INITIALIZING';
        host.statusMessage = undefined;
        host.transitionAt = now() + config.vpcInitializationSeconds;
      }
      hostChanged(store, current, host.arn);
      return {};
    },

    DeleteHost(input: { HostArn: string }, call) {
      const current = state(call);
      const host = requireHost(current, input.HostArn);
      if (host.status === 'VPC_CONFIG_INITIALIZING' || host.status === 'VPC_CONFIG_DELETING') {
        throw resourceUnavailable(`Host ${host.arn} is ${host.status} and cannot be deleted now.`);
      }
      const attached = Object.values(callConnections(store, call).connections).filter((connection) => connection.hostArn && sameResource(connection.hostArn, host.arn));
      if (attached.length > 0) {
        throw resourceUnavailable(
          `Host ${host.arn} still has ${attached.length} connection(s). Delete all connections associated with the host before deleting it.`,
        );
      }
      if (host.vpcConfiguration) {
        host.status = 'VPC_CONFIG_DELETING';
        host.statusMessage = undefined;
        host.transitionAt = now() + VPC_DELETION_SECONDS;
      } else {
        removeHost(current, host.arn);
      }
      hostChanged(store, current, host.arn);
      return {};
    },
  };
}

export function requireHost(state: ConnectionsState, hostArn: string): HostRecord {
  const host = findByArn(state.hosts, hostArn);
  if (!host) throw resourceNotFound(`Host with ARN ${hostArn} does not exist`);
  return host;
}

/** Applies the time-driven transitions (VPC initialization, VPC deletion) due by `now`. */
export function settleHosts(store: SandboxStore, state: ConnectionsState, now: number): ConnectionsState {
  for (const host of Object.values(state.hosts)) {
    if (host.transitionAt === undefined || host.transitionAt > now) continue;
    if (host.status === 'VPC_CONFIG_INITIALIZING') {
      host.status = 'PENDING';
      host.transitionAt = undefined;
    } else if (host.status === 'VPC_CONFIG_DELETING') {
      removeHost(state, host.arn);
    }
    hostChanged(store, state, host.arn);
  }
  return state;
}

function removeHost(state: ConnectionsState, arn: string): void {
  delete state.hosts[arn];
  delete state.tags[arn];
}

function assertHttpsEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:') {
    throw validation(`ProviderEndpoint '${endpoint}' is not a valid HTTPS URL`);
  }
}

/** Later duplicates of a key win, as a repeated TagResource would. */
export function dedupeTags(tags: Tag[]): Tag[] {
  return [...new Map(tags.map((tag) => [tag.Key, tag])).values()];
}
