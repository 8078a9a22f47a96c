import { GetResourceShareAssociationsCommand, GetResourceSharesCommand, type ResourceShareAssociation } from '@aws-sdk/client-ram';
import { SHARE_NAME_PREFIX } from '../../sharing/share-name.ts';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { ResourceShareFacts } from '../model.ts';
import { mapConcurrently, patiently } from './patiently.ts';

/**
 * The broker's own resource shares (named after the connection they share, see share-connection.ts)
 * with the connections in them and the accounts they are shared with, whatever the association's
 * state: the rules tell a live association from one that has gone.
 */
export async function collectShares({ aws, stats }: { aws: AuditClients; stats: CallStats }): Promise<ResourceShareFacts[]> {
  const shares: { arn: string; name: string; status: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await patiently(() => aws.ram.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', nextToken })), stats);
    for (const share of page.resourceShares ?? []) {
      if (share.resourceShareArn && share.name?.startsWith(SHARE_NAME_PREFIX)) shares.push({ arn: share.resourceShareArn, name: share.name, status: share.status ?? 'UNKNOWN' });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return mapConcurrently(shares, 4, async (share) => {
    const [resources, principals] = await Promise.all([associations(aws, stats, share.arn, 'RESOURCE'), associations(aws, stats, share.arn, 'PRINCIPAL')]);
    return {
      shareArn: share.arn,
      name: share.name,
      status: share.status,
      connectionArns: resources.filter((association) => association.status === 'ASSOCIATED').map((association) => association.associatedEntity!),
      principals: principals.map((association) => ({ accountId: association.associatedEntity!, status: association.status ?? 'UNKNOWN' })),
    };
  });
}

async function associations(aws: AuditClients, stats: CallStats, shareArn: string, associationType: 'RESOURCE' | 'PRINCIPAL'): Promise<ResourceShareAssociation[]> {
  const found: ResourceShareAssociation[] = [];
  let nextToken: string | undefined;
  do {
    const page = await patiently(() => aws.ram.send(new GetResourceShareAssociationsCommand({ associationType, resourceShareArns: [shareArn], nextToken })), stats);
    found.push(...(page.resourceShareAssociations ?? []).filter((association) => association.associatedEntity));
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}
