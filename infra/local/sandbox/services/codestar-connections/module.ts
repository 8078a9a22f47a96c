import { SmithyModel } from '../../model/smithy-model.ts';
import type { JsonProtocolService, OperationHandler, SandboxDeps, SandboxModule } from '../../service.ts';
import type { CloudFormationLookup, ConnectionLookup, IamLookup, SharingLookup } from '../lookups.ts';
import { connectionOperations, sharedConnection } from './connections.ts';
import { connectionsControlRoutes } from './control.ts';
import { gitSyncOperations } from './git-sync.ts';
import { hostOperations, settleHosts } from './hosts.ts';
import { connectionsFor, findByArn, parseResourceArn, SLICE, stateFor, type ConnectionsState } from './state.ts';
import { tagOperations } from './tags.ts';

const codestarModel = SmithyModel.load(new URL('../../models/codestar-connections.smithy.json', import.meta.url));
const codeconnectionsModel = SmithyModel.load(new URL('../../models/codeconnections.smithy.json', import.meta.url));

/**
 * CodeStar Connections and its renamed twin CodeConnections: the same 27 operations over one set of
 * resources; each namespace mints ARNs with its own prefix and validates against its own model.
 * `sharing` (AWS RAM) lets an account read and use connections other accounts share with it; `iam`
 * is what Git sync reads of a sync configuration's role (does it exist, does it trust Git sync);
 * `cloudFormation` is where a successful sync of a CFN_STACK_SYNC configuration deploys its stack.
 */
export function createConnectionsModule(
  deps: SandboxDeps,
  { sharing, iam, cloudFormation }: { sharing?: SharingLookup; iam?: Pick<IamLookup, 'role'>; cloudFormation?: CloudFormationLookup } = {},
): SandboxModule & { lookup: ConnectionLookup } {
  const operations: Record<string, OperationHandler> = {
    ...hostOperations(deps),
    ...connectionOperations(deps, sharing),
    ...tagOperations(deps),
    ...gitSyncOperations(deps),
  };
  const common = {
    contentType: 'application/x-amz-json-1.0' as const,
    errorMessageMember: 'Message' as const,
    throttling: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
    serverError: { code: 'InternalServerException', status: 503, message: 'Received an internal server exception. Try again later.' },
    operations,
  };
  const codestar: JsonProtocolService = {
    ...common,
    name: 'codestar-connections',
    targetPrefixes: ['CodeStar_connections_20191201', 'com.amazonaws.codestar.connections.CodeStar_connections_20191201'],
    model: codestarModel,
  };
  const codeconnections: JsonProtocolService = {
    ...common,
    name: 'codeconnections',
    targetPrefixes: ['CodeConnections_20231201', 'com.amazonaws.codeconnections.CodeConnections_20231201'],
    model: codeconnectionsModel,
  };

  return {
    jsonServices: [codestar, codeconnections],
    controlRoutes: connectionsControlRoutes(deps, codeconnectionsModel, iam, cloudFormation),
    // What IAM reads of a host or connection: its tags (aws:ResourceTag/*) and whether it has a VPC.
    resourceFacts: {
      resourceTags(arn) {
        const parsed = parseResourceArn(arn);
        if (!parsed) return undefined;
        const { tags, resource } =
          parsed.kind === 'connection'
            ? (({ connections, tags }) => ({ tags, resource: findByArn(connections, arn) }))(connectionsFor(deps.store, parsed.accountId, parsed.region))
            : (({ hosts, repositoryLinks, tags }) => ({ tags, resource: findByArn(hosts, arn) ?? findByArn(repositoryLinks, arn) }))(
                stateFor(deps.store, parsed.accountId, parsed.region),
              );
        return resource && Object.fromEntries((tags[resource.arn] ?? []).map((tag) => [tag.Key, tag.Value]));
      },
      repositoryLinkArn(accountId, region, repositoryLinkId) {
        return stateFor(deps.store, accountId, region).repositoryLinks[repositoryLinkId]?.arn;
      },
      hostHasVpc(arn) {
        const parsed = parseResourceArn(arn);
        const host = parsed?.kind === 'host' ? findByArn(stateFor(deps.store, parsed.accountId, parsed.region).hosts, arn) : undefined;
        return host && host.vpcConfiguration !== undefined;
      },
    },
    lookup: {
      connection(accountId, region, connectionArn) {
        // Connections are global: the account's connection is found from any Region, and so is
        // one that another account shares with it through RAM (its tags are the owner's).
        const own = findByArn(connectionsFor(deps.store, accountId, region).connections, connectionArn);
        const connection = own ?? sharedConnection(deps.store, sharing, accountId, region, connectionArn);
        if (!connection) return undefined;
        const { tags } = connectionsFor(deps.store, parseResourceArn(connection.arn)?.accountId ?? accountId, region);
        return { status: connection.status, arn: connection.arn, tags: Object.fromEntries((tags[connection.arn] ?? []).map((tag) => [tag.Key, tag.Value])) };
      },
    },
    inventory: () => ({
      codestarConnections: Object.fromEntries(
        deps.store.slicesOf<ConnectionsState>(SLICE).map(({ scope }) => {
          const [accountId, region] = scope as [string, string];
          const state = settleHosts(deps.store, stateFor(deps.store, accountId, region), deps.clock.nowEpochSeconds());
          // A connection is listed under the Region of its ARN, where it was created.
          const connections = Object.values(connectionsFor(deps.store, accountId, region).connections).filter(
            (connection) => parseResourceArn(connection.arn)?.region === region,
          );
          return [
            scope.join('/'),
            {
              hosts: Object.values(state.hosts).map(({ arn, name, status, providerEndpoint }) => ({ arn, name, status, providerEndpoint })),
              connections: connections.map(({ arn, name, status, hostArn }) => ({ arn, name, status, hostArn })),
              repositoryLinks: Object.keys(state.repositoryLinks).length,
              syncConfigurations: Object.keys(state.syncConfigurations).length,
            },
          ];
        }),
      ),
    }),
  };
}
