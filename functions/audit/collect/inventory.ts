import type { ConnectionRequestRecord } from '../../request/model.ts';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { Inventory } from '../model.ts';
import type { InventoryCounts } from '../report.ts';
import { attachedSource, rolesToCheck } from '../rules/attachment.ts';
import type { AuditSettings } from '../settings.ts';
import type { AuditStore } from '../store.ts';
import { collectHostsAndConnections } from './connections.ts';
import { collectExecutions } from './executions.ts';
import { readGitSync } from './git-sync.ts';
import { patiently } from './patiently.ts';
import { markStacksGone } from './stacks.ts';
import { collectPipelines } from './pipelines.ts';
import { collectRoles } from './roles.ts';
import { isTerminal } from '../../request/model.ts';

export interface CollectDependencies {
  aws: AuditClients;
  auditStore: AuditStore;
  /** The requests whose resources are in the audited account and Region. */
  requests: ConnectionRequestRecord[];
  stats: CallStats;
  settings: AuditSettings;
  asOf: Date;
}

/**
 * Everything the rules look at. Independent reads run side by side (each operation paced on its
 * own), so the audit takes about as long as its busiest operation's calls at that operation's limit.
 */
export async function collectInventory(deps: CollectDependencies): Promise<{ inventory: Inventory; counts: InventoryCounts }> {
  const { aws, auditStore: store, stats, asOf, settings } = deps;
  const requestsRead = Promise.resolve(deps.requests);
  const pipelinesRead = collectPipelines({ aws, store, stats, asOf });
  const [resources, pipelines, requests, executions, roles, gitSync] = await Promise.all([
    collectHostsAndConnections({ aws, store, stats, asOf, tagsMaxAgeMs: settings.tagsMaxAgeHours * 3_600_000 }),
    pipelinesRead,
    requestsRead,
    requestsRead.then((records) => collectExecutions(records, { aws, stats })),
    Promise.all([requestsRead, pipelinesRead]).then(([records, { pipelines: facts }]) => {
      const pipelineRoles = new Map(facts.map((pipeline) => [pipeline.name, pipeline.roleArn]));
      const roleNames = records.flatMap((record) => {
        const attached = attachedSource(record);
        return attached ? rolesToCheck(attached, pipelineRoles.get(attached.pipelineName)).map((role) => role.roleName) : [];
      });
      return collectRoles(roleNames, { aws, store, stats, asOf, maxAgeMs: settings.rolePoliciesMaxAgeMinutes * 60_000 });
    }),
    // Git sync: every link, the sync configurations on it, their latest sync and blockers (paced as
    // the other reads, each call retried patiently when throttled).
    readGitSync(aws.connections, { call: (send) => patiently(send, stats), concurrency: 8, recordDenied: true }).then(async (read) => {
      // Then whether each once-synced stack still exists.
      const stacks = await markStacksGone(aws.cloudFormation, read, { call: (send) => patiently(send, stats), concurrency: 8 });
      return { ...read, syncConfigurations: stacks.syncConfigurations, unreadable: [...read.unreadable, ...stacks.unreadable] };
    }),
  ]);
  const inventory: Inventory = {
    hosts: resources.hosts,
    connections: resources.connections,
    pipelines: pipelines.pipelines,
    roles: roles.roles,
    requests,
    executions: executions.executions,
    repositoryLinks: gitSync.repositoryLinks,
    syncConfigurations: gitSync.syncConfigurations,
    unreadable: [...resources.unreadable, ...pipelines.unreadable, ...roles.unreadable, ...executions.unreadable, ...gitSync.unreadable],
  };
  return {
    inventory,
    counts: {
      hosts: resources.hosts.length,
      connections: resources.connections.length,
      pipelines: pipelines.pipelines.length,
      pipelinesFetched: pipelines.fetched,
      roles: Object.keys(roles.roles).length,
      requests: requests.length,
      activeRequests: requests.filter((record) => !isTerminal(record.status)).length,
    },
  };
}
