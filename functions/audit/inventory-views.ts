import { ListConnectionsCommand, ListHostsCommand, type CodeStarConnectionsClient, type Connection, type Host } from '@aws-sdk/client-codestar-connections';
import type { Caller } from '../request/caller.ts';
import { notFound } from '../shell/http-errors.ts';
import { isActive, isDecommissioning, type ConnectionRequestRecord } from '../request/model.ts';
import type { BrokerStore } from '../request/store.ts';
import { MANAGED_BY_TAG, REQUESTER_TAG } from '../host/host-discovery.ts';
import { collectRequests } from './collect/requests.ts';
import type { Finding } from './model.ts';
import { resourceId, resourceKey, sameResource } from './resource-key.ts';
import { connectionLink, hostLink } from './rules/links.ts';
import type { AuditStore, SeenResource } from './store.ts';

export interface InventoryDependencies {
  connections: CodeStarConnectionsClient;
  requestStore: BrokerStore;
  auditStore: AuditStore;
}

interface ResourceView {
  id: string;
  arn: string;
  name: string;
  status: string;
  /**
   * Who created it: the requester of the request that created it (for a shared host, as recorded
   * when later requests reused it), else of the earliest request naming it, else the requester tag.
   * Reusing a host never changes it.
   */
  owner?: string;
  /** Requesters of the requests naming it that still use it (not rolled back), by first use. */
  users: string[];
  requestIds: string[];
  managed: boolean;
  /** When the auditor first saw it (AWS reports no creation time); absent before the first audit. */
  firstSeenAt?: string;
  links: { self: string; console?: string };
  /** What the latest audit found about it. */
  findings: Pick<Finding, 'type' | 'severity' | 'message' | 'fix'>[];
}

export interface HostView extends ResourceView {
  providerType?: string;
  providerEndpoint?: string;
  vpcId?: string;
  statusMessage?: string;
  connections: string[];
}

export interface ConnectionView extends ResourceView {
  providerType?: string;
  hostArn?: string;
  /**
   * Pipelines whose source action uses it: as of the latest audit, and those a request of ours
   * attached it to (known at once, before any audit runs).
   */
  pipelines: string[];
  /** Where each of `pipelines` is known from: the audit's pipeline reads, and/or the request that attached it. */
  pipelineSources: PipelineSource[];
}

export interface PipelineSource {
  name: string;
  /** The latest audit saw its source action use the connection. */
  seenByAudit: boolean;
  /** The request whose record says it attached the connection to this pipeline. */
  attachedByRequest?: string;
}

/**
 * Live status from AWS (ListHosts/ListConnections), joined with our request records, the tags and
 * pipeline uses the auditor keeps, and the latest audit's findings. Admins see everything;
 * requesters see what their requests made (or what carries their requester tag), and nothing else
 * exists for them. At most 50 hosts and 250 connections exist per account, so lists are not paged.
 */
export async function listHosts(caller: Caller, deps: InventoryDependencies): Promise<{ hosts: HostView[] }> {
  const context = await viewContext(caller, deps);
  const [hosts, connections] = await Promise.all([allHosts(deps.connections), allConnections(deps.connections)]);
  return { hosts: hosts.map((host) => hostView(host, connections, context)).filter((view) => context.visible(view)) };
}

export async function getHost(caller: Caller, id: string, deps: InventoryDependencies): Promise<HostView> {
  const { hosts } = await listHosts(caller, deps);
  const host = hosts.find((candidate) => candidate.id === id);
  if (!host) throw notFound(`Host ${id} does not exist.`);
  return host;
}

export async function listConnections(caller: Caller, deps: InventoryDependencies): Promise<{ connections: ConnectionView[] }> {
  const context = await viewContext(caller, deps);
  const connections = await allConnections(deps.connections);
  return { connections: connections.map((connection) => connectionView(connection, context)).filter((view) => context.visible(view)) };
}

export async function getConnection(caller: Caller, id: string, deps: InventoryDependencies): Promise<ConnectionView> {
  const { connections } = await listConnections(caller, deps);
  const connection = connections.find((candidate) => candidate.id === id);
  if (!connection) throw notFound(`Connection ${id} does not exist.`);
  return connection;
}

interface ViewContext {
  recordsFor(arn: string): ConnectionRequestRecord[];
  seen(arn: string): SeenResource | undefined;
  pipelinesUsing(arn: string): string[];
  /** When the latest completed audit began reading the pipelines; undefined before any. */
  auditedAt: string | undefined;
  findingsFor(arn: string): ResourceView['findings'];
  visible(view: ResourceView): boolean;
}

async function viewContext(caller: Caller, deps: InventoryDependencies): Promise<ViewContext> {
  const [records, seen, pipelines, latest] = await Promise.all([
    caller.isAdmin ? collectRequests(deps.requestStore) : ownRequests(caller.id, deps.requestStore),
    deps.auditStore.seenResources(),
    deps.auditStore.cachedPipelines(),
    deps.auditStore.latest(),
  ]);
  const byResource = groupBy(records.flatMap((record) => [record.hostArn, record.connectionArn].filter((arn): arn is string => !!arn).map((arn) => [resourceKey(arn), record] as const)));
  const usedBy = groupBy([...pipelines.values()].flatMap((pipeline) => pipeline.sourceActions.flatMap((action) => (action.connectionArn ? [[resourceKey(action.connectionArn), pipeline.name] as const] : []))));
  const findings = groupBy((latest?.findings ?? []).map((finding) => [resourceKey(finding.resource), finding] as const));
  return {
    recordsFor: (arn) => byResource.get(resourceKey(arn)) ?? [],
    seen: (arn) => seen.get(arn),
    pipelinesUsing: (arn) => [...new Set(usedBy.get(resourceKey(arn)) ?? [])],
    auditedAt: latest?.status === 'COMPLETED' ? latest.startedAt : undefined,
    findingsFor: (arn) => (findings.get(resourceKey(arn)) ?? []).map(({ type, severity, message, fix }) => ({ type, severity, message, fix })),
    visible: (view) => caller.isAdmin || view.owner === caller.id || view.requestIds.length > 0,
  };
}

function commonView(arn: string, name: string, status: string, kind: 'hosts' | 'connections', context: ViewContext): ResourceView {
  const records = context.recordsFor(arn);
  const seen = context.seen(arn);
  const tags = seen?.tags ?? {};
  const console = kind === 'hosts' ? hostLink(arn) : connectionLink(arn);
  const owner = ownerOf(arn, kind, records, tags);
  return {
    id: resourceId(arn),
    arn,
    name,
    status,
    ...(owner ? { owner } : {}),
    users: [...new Set(oldestFirst(records).filter(stillUses).map((record) => record.requester.id))],
    requestIds: records.map((record) => record.requestId),
    managed: records.length > 0 || tags[MANAGED_BY_TAG.Key] === MANAGED_BY_TAG.Value,
    ...(seen ? { firstSeenAt: seen.firstSeenAt } : {}),
    links: { self: `/v1/${kind}/${encodeURIComponent(resourceId(arn))}`, ...(console ? { console } : {}) },
    findings: context.findingsFor(arn),
  };
}

function hostView(host: Host, connections: Connection[], context: ViewContext): HostView {
  const arn = host.HostArn!;
  return {
    ...commonView(arn, host.Name ?? '', host.Status ?? 'UNKNOWN', 'hosts', context),
    ...(host.ProviderType ? { providerType: host.ProviderType } : {}),
    ...(host.ProviderEndpoint ? { providerEndpoint: host.ProviderEndpoint } : {}),
    ...(host.VpcConfiguration?.VpcId ? { vpcId: host.VpcConfiguration.VpcId } : {}),
    ...(host.StatusMessage ? { statusMessage: host.StatusMessage } : {}),
    connections: connections.filter((connection) => connection.HostArn && resourceKey(connection.HostArn) === resourceKey(arn)).map((connection) => connection.ConnectionArn!),
  };
}

function connectionView(connection: Connection, context: ViewContext): ConnectionView {
  const arn = connection.ConnectionArn!;
  return {
    ...commonView(arn, connection.ConnectionName ?? '', connection.ConnectionStatus ?? 'UNKNOWN', 'connections', context),
    ...(connection.ProviderType ? { providerType: connection.ProviderType } : {}),
    ...(connection.HostArn ? { hostArn: connection.HostArn } : {}),
    ...pipelinesOf(arn, context),
  };
}

/**
 * The audit's view (it reads the pipelines) joined with our own records: a request that attached
 * the connection and was not rolled back says which pipeline uses it until an audit reads the
 * pipelines again.
 */
function pipelinesOf(arn: string, context: ViewContext): Pick<ConnectionView, 'pipelines' | 'pipelineSources'> {
  const sources = new Map<string, PipelineSource>();
  for (const name of context.pipelinesUsing(arn)) sources.set(name, { name, seenByAudit: true });
  for (const record of oldestFirst(context.recordsFor(arn))) {
    if (!record.attachment || !record.pipeline || !stillUses(record) || !sameResource(record.connectionArn, arn)) continue;
    // An audit that read the pipelines after the request last changed knows better (someone may have edited it away).
    if (context.auditedAt !== undefined && context.auditedAt > record.updatedAt) continue;
    const name = record.pipeline.name;
    sources.set(name, { ...(sources.get(name) ?? { name, seenByAudit: false }), attachedByRequest: record.requestId });
  }
  const pipelineSources = [...sources.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { pipelines: pipelineSources.map((source) => source.name), pipelineSources };
}

/**
 * The creator, never the latest user: for a host, the request that created it, else the creator a
 * reusing request's record names (from the host lock); then the earliest request; then the tag.
 */
function ownerOf(arn: string, kind: 'hosts' | 'connections', records: readonly ConnectionRequestRecord[], tags: Record<string, string>): string | undefined {
  const ordered = oldestFirst(records);
  if (kind === 'hosts') {
    const mine = ordered.filter((record) => sameResource(record.hostArn, arn));
    const creator = mine.find((record) => record.hostCreatedByRequest);
    if (creator) return creator.requester.id;
    const recorded = mine.find((record) => record.hostCreatedBy?.requesterId)?.hostCreatedBy?.requesterId;
    if (recorded) return recorded;
    // A reuse whose creator we cannot name: the reuser is a user, not the owner.
    if (tags[REQUESTER_TAG]) return tags[REQUESTER_TAG];
    return mine.find((record) => record.hostCreatedByRequest === undefined && !record.hostCreatedBy)?.requester.id;
  }
  return ordered[0]?.requester.id ?? tags[REQUESTER_TAG];
}

/** Still using the resource: completed, under way and not being rolled back, or not yet decommissioned. */
function stillUses(record: ConnectionRequestRecord): boolean {
  return record.status === 'COMPLETED' || isActive(record.status) || isDecommissioning(record.status);
}

function oldestFirst(records: readonly ConnectionRequestRecord[]): ConnectionRequestRecord[] {
  return [...records].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.requestId.localeCompare(b.requestId));
}

/** The requester's own request records, every page. */
export async function ownRequests(requesterId: string, store: BrokerStore): Promise<ConnectionRequestRecord[]> {
  const records: ConnectionRequestRecord[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await store.listRequests({ requesterId, limit: 100, cursor });
    records.push(...page.requests);
    cursor = page.cursor;
  } while (cursor);
  return records;
}

async function allHosts(client: CodeStarConnectionsClient): Promise<Host[]> {
  const hosts: Host[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken }));
    hosts.push(...(page.Hosts ?? []).filter((host) => host.HostArn));
    nextToken = page.NextToken;
  } while (nextToken);
  return hosts;
}

async function allConnections(client: CodeStarConnectionsClient): Promise<Connection[]> {
  const connections: Connection[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListConnectionsCommand({ MaxResults: 100, NextToken: nextToken }));
    connections.push(...(page.Connections ?? []).filter((connection) => connection.ConnectionArn));
    nextToken = page.NextToken;
  } while (nextToken);
  return connections;
}

function groupBy<K, V>(entries: readonly (readonly [K, V])[]): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const [key, value] of entries) groups.set(key, [...(groups.get(key) ?? []), value]);
  return groups;
}
