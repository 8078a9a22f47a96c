import { randomUUID } from 'node:crypto';
import type { CallContext } from '../../context.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import type { ConnectionLookup } from '../lookups.ts';
import { pageSizeOf, paginate } from '../pagination.ts';
import {
  idempotentParameterMismatch,
  invalidNextToken,
  invalidParameter,
  invalidResourceType,
  invalidStateTransition,
  malformedPrincipal,
  malformedResourceArn,
  malformedShareArn,
  unknownOrganization,
  unknownResource,
  unknownResourceShare,
} from './errors.ts';
import {
  allRamStates,
  ramStateFor,
  settleShare,
  shareChanged,
  type AssociationRecord,
  type RamState,
  type ResourceShareRecord,
} from './state.ts';

/**
 * The RAM resource type of a CodeConnections connection. The RAM console lists it as "Code
 * Connections" (Developer Tools console guide, connections-share.html); the type string follows
 * RAM's `<service>:<ResourceType>` form and was not found in AWS's documentation (unverified).
 */
export const CONNECTION_RESOURCE_TYPE = 'codeconnections:Connection';

/**
 * Connections are global resources: RAM shares global resources only from its home Region
 * (RAM User Guide, "Sharing Regional resources compared to global resources"; the connection
 * sharing guide tells to create the share in US East (N. Virginia)).
 */
export const GLOBAL_RESOURCES_HOME_REGION = 'us-east-1';

const SHARE_ARN = /^arn:aws[a-z-]*:ram:([a-z0-9-]+):(\d{12}):resource-share\/[A-Za-z0-9-]+$/;
const ANY_ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;
const CODECONNECTIONS_CONNECTION = /^arn:aws[a-z-]*:codeconnections:[a-z0-9-]+:(\d{12}):connection\/[A-Za-z0-9-]+$/;
const ORGANIZATION_PRINCIPAL = /^(?:arn:aws[a-z-]*:)?organizations::\d{12}:(?:organization|ou)\/(o-[a-z0-9]+)/;
const DEFAULT_PAGE_SIZE = 100;

type ResourceOwner = 'SELF' | 'OTHER-ACCOUNTS';
type AssociationType = 'PRINCIPAL' | 'RESOURCE';

interface ShareInput {
  resourceShareArn: string;
  resourceArns?: string[];
  principals?: string[];
  clientToken?: string;
  sources?: string[];
}

export interface RamLookups {
  /** The caller's connections: only a connection its account owns can be shared. */
  connections: ConnectionLookup;
}

export function ramOperations(deps: SandboxDeps, lookups: RamLookups): Record<string, OperationHandler> {
  const { store, clock, config } = deps;
  const now = () => clock.nowEpochSeconds();
  const stateOf = (call: CallContext) => ramStateFor(store, call.accountId, call.region);

  /** The caller's own share, settled; any other share is unknown to it. */
  function ownShare(call: CallContext, arn: string): { state: RamState; share: ResourceShareRecord } {
    if (!SHARE_ARN.test(arn)) throw malformedShareArn();
    const state = stateOf(call);
    const share = state.resourceShares[arn];
    if (!share) throw unknownResourceShare(arn);
    return { state, share: settleShare(store, state, share, now()) };
  }

  /**
   * A principal the share may name: an account id. Every sandbox account belongs to one
   * organization with sharing enabled, so no invitation is needed (RAM User Guide, "Using shared
   * AWS resources": principals in the organization get access without invitations).
   */
  function checkPrincipal(principal: string): void {
    if (/^\d{12}$/.test(principal)) return;
    const organization = ORGANIZATION_PRINCIPAL.exec(principal);
    if (organization) throw unknownOrganization(organization[1]!);
    throw malformedPrincipal(principal);
  }

  /** A resource the caller may share: a `codeconnections` connection its own account holds. */
  function checkResource(call: CallContext, arn: string): void {
    if (!ANY_ARN.test(arn)) throw malformedResourceArn(arn);
    const connection = CODECONNECTIONS_CONNECTION.exec(arn);
    if (!connection) {
      // Developer Tools console guide (connections-share.html): "Connection sharing is not
      // supported for codestar-connections resources." The sandbox shares no other type.
      throw invalidParameter(
        arn.includes(':codestar-connections:')
          ? `Resource ${arn} cannot be shared: only codeconnections connections (arn:aws:codeconnections:...) can be shared, not codestar-connections resources.`
          : `Resource ${arn} is of a resource type that cannot be shared here; the sandbox shares ${CONNECTION_RESOURCE_TYPE} resources only.`,
      );
    }
    // "You can share a resource only if you own it" (RAM User Guide, "Creating a resource share").
    const owned = connection[1] === call.accountId ? lookups.connections.connection(call.accountId, call.region, arn) : undefined;
    if (!owned || !(owned.arn ?? arn).includes(':codeconnections:')) throw unknownResource(arn);
    if (call.region !== GLOBAL_RESOURCES_HOME_REGION) {
      throw invalidParameter(
        `Resource ${arn} is a global resource: resource shares that contain global resources must be created in ${GLOBAL_RESOURCES_HOME_REGION}.`,
      );
    }
  }

  function checkShareInput(call: CallContext, input: Pick<ShareInput, 'resourceArns' | 'principals' | 'sources'>): void {
    if (input.sources?.length) throw invalidParameter('The sandbox does not model service principals or sources.');
    for (const arn of input.resourceArns ?? []) checkResource(call, arn);
    for (const principal of input.principals ?? []) checkPrincipal(principal);
  }

  function associate(records: Record<string, AssociationRecord>, entity: string): AssociationRecord {
    const existing = records[entity];
    if (existing && (existing.status === 'ASSOCIATING' || existing.status === 'ASSOCIATED')) return existing;
    const at = now();
    const record: AssociationRecord = {
      associatedEntity: entity,
      status: 'ASSOCIATING',
      creationTime: existing?.creationTime ?? at,
      lastUpdatedTime: at,
      settlesAt: at + config.ramAssociationSeconds,
    };
    records[entity] = record;
    return record;
  }

  function disassociate(records: Record<string, AssociationRecord>, entity: string, settlesAt: number): AssociationRecord | undefined {
    const existing = records[entity];
    if (!existing || existing.status === 'DISASSOCIATING' || existing.status === 'DISASSOCIATED') return undefined;
    existing.status = settlesAt <= now() ? 'DISASSOCIATED' : 'DISASSOCIATING';
    existing.lastUpdatedTime = now();
    if (existing.status === 'DISASSOCIATING') existing.settlesAt = settlesAt;
    else delete existing.settlesAt;
    return existing;
  }

  /**
   * clientToken (model): a retry with the same token and parameters answers as the first call did;
   * the same token with other parameters is IdempotentParameterMismatchException. Without a token
   * AWS makes one up and returns it.
   */
  function idempotent<T extends object>(call: CallContext, input: { clientToken?: string }, run: () => T): T & { clientToken: string } {
    if (!input.clientToken) return { ...run(), clientToken: randomUUID() };
    const state = stateOf(call);
    const key = `${call.operation}|${input.clientToken}`;
    const parameters = JSON.stringify({ ...input, clientToken: undefined });
    const previous = state.clientTokens[key];
    if (previous) {
      if (previous.parameters !== parameters) throw idempotentParameterMismatch(input.clientToken);
      return previous.response as T & { clientToken: string };
    }
    const response = { ...run(), clientToken: input.clientToken };
    state.clientTokens[key] = { parameters, response };
    store.markChanged(state, 'clientTokens', key);
    return response;
  }

  /** The shares the caller sees in this Region: its own, or those of others that name its account. */
  function visibleShares(call: CallContext, owner: ResourceOwner): ResourceShareRecord[] {
    if (owner === 'SELF') {
      const state = stateOf(call);
      return Object.values(state.resourceShares).map((share) => settleShare(store, state, share, now()));
    }
    return allRamStates(store)
      .filter(({ accountId, region }) => accountId !== call.accountId && region === call.region)
      .flatMap(({ state }) => Object.values(state.resourceShares).map((share) => settleShare(store, state, share, now())))
      .filter((share) => share.status === 'ACTIVE' && share.principals[call.accountId]?.status === 'ASSOCIATED');
  }

  function page<T>(items: T[], input: { maxResults?: number; nextToken?: string }, list: string, keyOf: (item: T) => string) {
    return paginate(items, { keyOf, sortedByKey: false, list, pageSize: pageSizeOf(input.maxResults, DEFAULT_PAGE_SIZE), nextToken: input.nextToken, invalidToken: invalidNextToken });
  }

  return {
    CreateResourceShare(
      input: { name: string; resourceArns?: string[]; principals?: string[]; tags?: { key: string; value: string }[]; allowExternalPrincipals?: boolean; clientToken?: string; permissionArns?: string[]; sources?: string[] },
      call,
    ) {
      return idempotent(call, input, () => {
        checkShareInput(call, input);
        const state = stateOf(call);
        const at = now();
        const share: ResourceShareRecord = {
          seq: state.nextSeq++,
          arn: `arn:aws:ram:${call.region}:${call.accountId}:resource-share/${randomUUID()}`,
          name: input.name,
          owningAccountId: call.accountId,
          allowExternalPrincipals: input.allowExternalPrincipals ?? true,
          // AWS answers PENDING for a moment before ACTIVE; nothing in the sandbox happens in
          // between, so the share is ACTIVE at once and callers need not poll for it.
          status: 'ACTIVE',
          creationTime: at,
          lastUpdatedTime: at,
          tags: input.tags ?? [],
          resources: {},
          principals: {},
        };
        for (const arn of input.resourceArns ?? []) associate(share.resources, arn);
        for (const principal of input.principals ?? []) associate(share.principals, principal);
        state.resourceShares[share.arn] = share;
        shareChanged(store, state, share.arn);
        return { resourceShare: describeShare(share) };
      });
    },

    AssociateResourceShare(input: ShareInput, call) {
      return idempotent(call, input, () => {
        const { state, share } = ownShare(call, input.resourceShareArn);
        if (share.status !== 'ACTIVE') throw invalidStateTransition(`The resource share ${share.arn} is ${share.status}; only an ACTIVE resource share can be changed.`);
        checkShareInput(call, input);
        const changed = [
          ...(input.principals ?? []).map((principal) => describeAssociation(share, associate(share.principals, principal), 'PRINCIPAL')),
          ...(input.resourceArns ?? []).map((arn) => describeAssociation(share, associate(share.resources, arn), 'RESOURCE')),
        ];
        share.lastUpdatedTime = now();
        shareChanged(store, state, share.arn);
        return { resourceShareAssociations: changed };
      });
    },

    DisassociateResourceShare(input: ShareInput, call) {
      return idempotent(call, input, () => {
        const { state, share } = ownShare(call, input.resourceShareArn);
        if (share.status !== 'ACTIVE') throw invalidStateTransition(`The resource share ${share.arn} is ${share.status}; only an ACTIVE resource share can be changed.`);
        if (input.sources?.length) throw invalidParameter('The sandbox does not model service principals or sources.');
        const settlesAt = now() + config.ramAssociationSeconds;
        const notAssociated = [
          ...(input.principals ?? []).filter((principal) => !isAssociated(share.principals[principal])),
          ...(input.resourceArns ?? []).filter((arn) => !isAssociated(share.resources[arn])),
        ];
        if (notAssociated.length > 0) throw unknownResource(notAssociated[0]!);
        const changed = [
          ...(input.principals ?? []).map((principal) => describeAssociation(share, disassociate(share.principals, principal, settlesAt)!, 'PRINCIPAL')),
          ...(input.resourceArns ?? []).map((arn) => describeAssociation(share, disassociate(share.resources, arn, settlesAt)!, 'RESOURCE')),
        ];
        share.lastUpdatedTime = now();
        shareChanged(store, state, share.arn);
        return { resourceShareAssociations: changed };
      });
    },

    DeleteResourceShare(input: { resourceShareArn: string; clientToken?: string }, call) {
      return idempotent(call, input, () => {
        const { state, share } = ownShare(call, input.resourceShareArn);
        if (share.status === 'DELETED' || share.status === 'DELETING') {
          throw invalidStateTransition(`The resource share ${share.arn} is already ${share.status}.`);
        }
        // Deleting a share ends every association at once (access is removed; the share stays
        // listed as DELETED, as AWS keeps deleted shares visible for a while).
        for (const records of [share.principals, share.resources]) {
          for (const entity of Object.keys(records)) disassociate(records, entity, now());
        }
        share.status = 'DELETED';
        share.lastUpdatedTime = now();
        shareChanged(store, state, share.arn);
        return { returnValue: true };
      });
    },

    GetResourceShares(
      input: { resourceOwner: ResourceOwner; resourceShareArns?: string[]; resourceShareStatus?: string; name?: string; tagFilters?: { tagKey?: string; tagValues?: string[] }[]; maxResults?: number; nextToken?: string },
      call,
    ) {
      if (input.resourceOwner === 'OTHER-ACCOUNTS' && input.tagFilters?.length) {
        // Observed text (hashicorp/terraform-provider-aws#40970).
        throw invalidParameter('You cannot use resourceOwner set to OTHER-ACCOUNTS and tagFilters in one request. Specify one parameter and try again.');
      }
      for (const arn of input.resourceShareArns ?? []) if (!SHARE_ARN.test(arn)) throw malformedShareArn();
      const matching = visibleShares(call, input.resourceOwner)
        .filter((share) => !input.resourceShareArns?.length || input.resourceShareArns.includes(share.arn))
        .filter((share) => !input.resourceShareStatus || share.status === input.resourceShareStatus)
        .filter((share) => input.name === undefined || share.name === input.name)
        .filter((share) =>
          (input.tagFilters ?? []).every((filter) =>
            share.tags.some((tag) => tag.key === filter.tagKey && (!filter.tagValues?.length || filter.tagValues.includes(tag.value))),
          ),
        )
        .sort(byCreation);
      const { page: shares, nextToken } = page(matching, input, 'resource-shares', (share) => share.arn);
      return { resourceShares: shares.map(describeShare), nextToken };
    },

    GetResourceShareAssociations(
      input: { associationType: AssociationType; resourceShareArns?: string[]; resourceArn?: string; principal?: string; associationStatus?: string; maxResults?: number; nextToken?: string },
      call,
    ) {
      if (input.associationType === 'PRINCIPAL' && input.resourceArn) throw invalidParameter('resourceArn can be used only when associationType is RESOURCE.');
      if (input.associationType === 'RESOURCE' && input.principal) throw invalidParameter('principal can be used only when associationType is PRINCIPAL.');
      for (const arn of input.resourceShareArns ?? []) if (!SHARE_ARN.test(arn)) throw malformedShareArn();
      const entity = input.resourceArn ?? input.principal;
      const associations = visibleShares(call, 'SELF')
        .filter((share) => !input.resourceShareArns?.length || input.resourceShareArns.includes(share.arn))
        .sort(byCreation)
        .flatMap((share) =>
          Object.values(input.associationType === 'PRINCIPAL' ? share.principals : share.resources).map((association) => ({ share, association })),
        )
        .filter(({ association }) => entity === undefined || association.associatedEntity === entity)
        .filter(({ association }) => !input.associationStatus || association.status === input.associationStatus);
      const { page: found, nextToken } = page(associations, input, 'associations', ({ share, association }) => `${share.arn}|${association.associatedEntity}`);
      return { resourceShareAssociations: found.map(({ share, association }) => describeAssociation(share, association, input.associationType)), nextToken };
    },

    ListResources(
      input: { resourceOwner: ResourceOwner; principal?: string; resourceType?: string; resourceArns?: string[]; resourceShareArns?: string[]; maxResults?: number; nextToken?: string; resourceRegionScope?: string },
      call,
    ) {
      if (input.resourceType !== undefined && input.resourceType.toLowerCase() !== CONNECTION_RESOURCE_TYPE.toLowerCase()) {
        throw invalidResourceType(input.resourceType);
      }
      if (input.resourceOwner === 'OTHER-ACCOUNTS' && input.principal) throw invalidParameter('principal can be used only when resourceOwner is SELF.');
      for (const arn of input.resourceShareArns ?? []) if (!SHARE_ARN.test(arn)) throw malformedShareArn();
      const resources = visibleShares(call, input.resourceOwner)
        .filter((share) => share.status === 'ACTIVE')
        .filter((share) => !input.resourceShareArns?.length || input.resourceShareArns.includes(share.arn))
        .filter((share) => !input.principal || share.principals[input.principal]?.status === 'ASSOCIATED')
        .sort(byCreation)
        .flatMap((share) => Object.values(share.resources).filter(isAssociated).map((association) => ({ share, association })))
        .filter(({ association }) => !input.resourceArns?.length || input.resourceArns.includes(association.associatedEntity))
        // Connections are global; a REGIONAL filter finds none of them.
        .filter(() => input.resourceRegionScope !== 'REGIONAL');
      const { page: found, nextToken } = page(resources, input, 'resources', ({ share, association }) => `${share.arn}|${association.associatedEntity}`);
      return {
        resources: found.map(({ share, association }) => ({
          arn: association.associatedEntity,
          type: CONNECTION_RESOURCE_TYPE,
          resourceShareArn: share.arn,
          status: association.status === 'ASSOCIATED' ? 'AVAILABLE' : 'PENDING',
          creationTime: association.creationTime,
          lastUpdatedTime: association.lastUpdatedTime,
          resourceRegionScope: 'GLOBAL',
        })),
        nextToken,
      };
    },

    ListPrincipals(
      input: { resourceOwner: ResourceOwner; resourceArn?: string; principals?: string[]; resourceType?: string; resourceShareArns?: string[]; maxResults?: number; nextToken?: string },
      call,
    ) {
      if (input.resourceType !== undefined && input.resourceType.toLowerCase() !== CONNECTION_RESOURCE_TYPE.toLowerCase()) {
        throw invalidResourceType(input.resourceType);
      }
      for (const arn of input.resourceShareArns ?? []) if (!SHARE_ARN.test(arn)) throw malformedShareArn();
      const principals = visibleShares(call, input.resourceOwner)
        .filter((share) => share.status === 'ACTIVE')
        .filter((share) => !input.resourceShareArns?.length || input.resourceShareArns.includes(share.arn))
        .filter((share) => !input.resourceArn || share.resources[input.resourceArn]?.status === 'ASSOCIATED')
        .sort(byCreation)
        // A receiver sees the accounts that share with it; an owner the accounts it shares with.
        .flatMap((share) =>
          input.resourceOwner === 'SELF'
            ? Object.values(share.principals).filter((association) => association.status === 'ASSOCIATED').map((association) => ({ share, id: association.associatedEntity, association }))
            : [{ share, id: share.owningAccountId, association: share.principals[call.accountId]! }],
        )
        .filter(({ id }) => !input.principals?.length || input.principals.includes(id));
      const { page: found, nextToken } = page(principals, input, 'principals', ({ share, id }) => `${share.arn}|${id}`);
      return {
        principals: found.map(({ share, id, association }) => ({
          id,
          resourceShareArn: share.arn,
          creationTime: association.creationTime,
          lastUpdatedTime: association.lastUpdatedTime,
          external: false,
        })),
        nextToken,
      };
    },
  };
}

function isAssociated(association: AssociationRecord | undefined): association is AssociationRecord {
  return association?.status === 'ASSOCIATING' || association?.status === 'ASSOCIATED';
}

function byCreation(a: ResourceShareRecord, b: ResourceShareRecord): number {
  return a.creationTime - b.creationTime || a.seq - b.seq || a.arn.localeCompare(b.arn);
}

function describeShare(share: ResourceShareRecord) {
  return {
    resourceShareArn: share.arn,
    name: share.name,
    owningAccountId: share.owningAccountId,
    allowExternalPrincipals: share.allowExternalPrincipals,
    status: share.status,
    tags: share.tags,
    creationTime: share.creationTime,
    lastUpdatedTime: share.lastUpdatedTime,
    featureSet: 'STANDARD',
  };
}

function describeAssociation(share: ResourceShareRecord, association: AssociationRecord, associationType: AssociationType) {
  return {
    resourceShareArn: share.arn,
    resourceShareName: share.name,
    associatedEntity: association.associatedEntity,
    associationType,
    status: association.status,
    creationTime: association.creationTime,
    lastUpdatedTime: association.lastUpdatedTime,
    // Every sandbox account is in the sharer's organization.
    external: false,
  };
}
