/**
 * The hub's view of connection sharing: AWS RAM associations nobody asked for, shared requests
 * whose association has gone, and hub connections that force spokes into their own handshakes
 * because RAM cannot share their ARN. Pure: the caller collects the shares, registry and requests.
 */
import { normaliseProviderEndpoint } from '../../request/endpoint.ts';
import { isTerminal, type ConnectionRequestRecord } from '../../request/model.ts';
import type { AuditContext, Finding, ResourceShareFacts, SharingInventory } from '../model.ts';
import { sameResource } from '../resource-key.ts';
import { connectionLink } from './links.ts';

/**
 * A request holds its account's access once it completed and while it runs: a running one is about
 * to associate the account, or its rollback is about to disassociate it. Ended ones hold nothing.
 */
const holdsAccess = (record: ConnectionRequestRecord) => record.status === 'COMPLETED' || !isTerminal(record.status);

/** The spoke account a request is for; the broker's own account never needs a share. */
function spokeOf(record: ConnectionRequestRecord, brokerAccountId: string): string | undefined {
  return record.accountId !== undefined && record.accountId !== brokerAccountId ? record.accountId : undefined;
}

/** Records written before the share was found name only the connection: any share holding it is theirs. */
function namesShare(record: ConnectionRequestRecord, share: ResourceShareFacts): boolean {
  if (!record.share) return false;
  if (record.share.shareArn !== undefined) return record.share.shareArn === share.shareArn;
  const wanted = record.share.connectionArn;
  return share.connectionArns.some((arn) => sameResource(arn, wanted));
}

const isLive = (share: ResourceShareFacts) => share.status !== 'DELETED' && share.status !== 'DELETING';
const statusOf = (share: ResourceShareFacts, accountId: string) => share.principals.find((principal) => principal.accountId === accountId)?.status;

/** RAM's console lists a Region's shares; only the commercial partition's console is linked. */
function ramLink(shareArn: string): string | undefined {
  const region = /^arn:aws:ram:([a-z0-9-]+):\d{12}:/u.exec(shareArn)?.[1];
  return region ? `https://console.aws.amazon.com/ram/home?region=${region}#OwnedResourceShares:` : undefined;
}

/** Hosts report the URL as AWS stores it; requests and the registry hold the canonical one. */
function endpointKey(url: string): string {
  try {
    return normaliseProviderEndpoint(url).url;
  } catch {
    return url;
  }
}

const list = (items: readonly string[], max = 3) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

/** An associated account no request answers for: it has the hub connection, and nobody would notice it kept it. */
function sharesNotRequested(sharing: SharingInventory): Finding[] {
  return sharing.shares.filter(isLive).flatMap((share) =>
    share.principals
      .filter((principal) => principal.status === 'ASSOCIATED' || principal.status === 'ASSOCIATING')
      .filter(({ accountId }) => !sharing.requests.some((record) => record.accountId === accountId && holdsAccess(record) && namesShare(record, share)))
      .map(
        ({ accountId, status }): Finding => ({
          type: 'SHARE_NOT_REQUESTED',
          severity: 'medium',
          resource: share.shareArn,
          resourceKind: 'share',
          accountId,
          message: `Account ${accountId} is ${status} with resource share ${share.name} (${share.shareArn}), which shares ${share.connectionArns.length ? list(share.connectionArns, 5) : 'no connection'}, but no completed or running request of that account uses it.`,
          fix: `If nobody in account ${accountId} needs the connection, disassociate the account in AWS RAM (console, or aws ram disassociate-resource-share --resource-share-arn ${share.shareArn} --principals ${accountId}); if a pipeline there does, make a shared request for the account so the broker tracks it.`,
          link: ramLink(share.shareArn),
        }),
      ),
  );
}

/** A completed shared request whose account lost its association: the pipeline there cannot fetch source. */
function shareAssociationsGone(sharing: SharingInventory): Finding[] {
  return sharing.requests.flatMap((record): Finding[] => {
    const accountId = spokeOf(record, sharing.brokerAccountId);
    if (!record.share || record.status !== 'COMPLETED' || accountId === undefined) return [];
    const named = sharing.shares.filter((share) => namesShare(record, share));
    const live = named.filter(isLive);
    if (live.some((share) => statusOf(share, accountId) === 'ASSOCIATED')) return [];
    const shareArn = record.share.shareArn ?? named[0]?.shareArn;
    const [first] = live;
    const why = first
      ? `account ${accountId} is no longer associated with resource share ${first.name} (${statusOf(first, accountId) ?? 'not a principal of it'})`
      : named.length
        ? `resource share ${named[0]!.name} is ${named[0]!.status}`
        : `no resource share ${shareArn ? `${shareArn} exists` : 'holds it'}`;
    return [
      {
        type: 'SHARE_ASSOCIATION_GONE',
        severity: 'high',
        resource: record.requestId,
        resourceKind: 'request',
        accountId,
        owner: record.requester.id,
        requestId: record.requestId,
        message: `Request ${record.requestId} shared hub connection ${record.share.connectionArn} with account ${accountId}, but ${why}: the pipeline there can no longer use the connection.`,
        fix: `Make a new shared request for account ${accountId}${first ? `, or re-associate the account with the share in AWS RAM (aws ram associate-resource-share --resource-share-arn ${first.shareArn} --principals ${accountId})` : ''}.`,
        link: shareArn ? ramLink(shareArn) : undefined,
      },
    ];
  });
}

/**
 * A codestar-connections ARN cannot go into a RAM share (see sharing/strategy.ts), so while the
 * hub's only connection for an endpoint has one, every spoke makes its own host, connection and
 * handshake. Counts only requests that hold a connection: ended ones rolled theirs back.
 */
function connectionsBlockingSharing(sharing: SharingInventory): Finding[] {
  const offered = new Set(sharing.offered.map((offer) => endpointKey(offer.providerEndpoint)));
  return sharing.connections.flatMap((connection): Finding[] => {
    if (!/^arn:aws[^:]*:codestar-connections:/u.test(connection.arn) || connection.status !== 'AVAILABLE') return [];
    const endpoint = sharing.hosts.find((host) => sameResource(host.arn, connection.hostArn))?.providerEndpoint;
    if (endpoint === undefined || offered.has(endpointKey(endpoint))) return [];
    const dedicated = sharing.requests.filter(
      (record) =>
        holdsAccess(record) &&
        spokeOf(record, sharing.brokerAccountId) !== undefined &&
        (record.connectionStrategy ?? 'dedicated') === 'dedicated' &&
        endpointKey(record.providerEndpoint) === endpointKey(endpoint),
    );
    if (!dedicated.length) return [];
    const accounts = [...new Set(dedicated.map((record) => record.accountId!))].sort();
    return [
      {
        type: 'CONNECTION_BLOCKS_SHARING',
        severity: 'low',
        resource: connection.arn,
        resourceKind: 'connection',
        accountId: sharing.brokerAccountId,
        message: `Hub connection ${connection.name} has a CodeStar Connections ARN, which AWS RAM cannot share; ${dedicated.length} request${dedicated.length === 1 ? '' : 's'} from ${accounts.length} account${accounts.length === 1 ? '' : 's'} (${list(accounts)}) made their own connection for ${endpoint} instead.`,
        fix: `Create a CodeConnections connection (arn:aws:codeconnections:…) for ${endpoint} in the hub, finish its handshake, and offer it with POST /v1/shared-connections; later requests from other accounts then share it with no host or handshake of their own.`,
        link: connectionLink(connection.arn),
      },
    ];
  });
}

/** All sharing rules, in an order that does not depend on how AWS listed things (reports diff well). */
export function evaluateSharing(sharing: SharingInventory, _context: AuditContext): Finding[] {
  return [...sharesNotRequested(sharing), ...shareAssociationsGone(sharing), ...connectionsBlockingSharing(sharing)].sort(
    (a, b) => a.type.localeCompare(b.type) || a.resource.localeCompare(b.resource) || (a.accountId ?? '').localeCompare(b.accountId ?? ''),
  );
}
