import {
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  GetResourceShareAssociationsCommand,
  GetResourceSharesCommand,
  type ResourceShareAssociation,
} from '@aws-sdk/client-ram';
import { timelineEntry } from '../request/store.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { ShareNotReady } from '../workflow/errors.ts';
import { provideClients, type Clients } from '../adapters/aws-clients.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { ramClient } from '../adapters/aws/ram.ts';
import { stepHandler } from '../workflow/step-handler.ts';
import { shareNameOf } from '../sharing/share-name.ts';
import { ShareUsersStore } from '../sharing/store.ts';
import { MANAGED_BY_TAG } from '../host/host-discovery.ts';

provideClients(ramClient, documentsClient);

/**
 * A shared request: the hub's connection reaches the spoke through one resource share per
 * connection (made once, in the hub, named for the connection, not open to accounts outside the
 * organization), with the spoke account associated as a principal. In-organization shares need no
 * invitation; the association goes ASSOCIATING → ASSOCIATED, which the state machine waits out
 * (ShareNotReady). Safe to run again: the share is found by name, the association by principal,
 * and the record says whether this request made the association (rollback removes only that).
 */
async function shareConnection(event: StepInput): Promise<{ shareArn: string }> {
  const context = workflowContext();
  const record = await activeRequest(event.requestId);
  const { ram } = context.aws;
  const accountId = record.accountId!;
  const connectionArn = record.share!.connectionArn;

  const shareArn = record.share?.shareArn ?? (await findOrCreateShare(ram, connectionArn, record.requestId));
  if (!record.share?.shareArn) {
    await updateActiveRequest(record.requestId, (current) => ({
      ...current,
      status: 'CREATING_CONNECTION',
      share: { ...current.share!, shareArn },
      timeline: [...current.timeline, timelineEntry('share', 'system', `Sharing the hub's connection through resource share ${shareArn}.`)],
    }));
  }

  const users = new ShareUsersStore(context.aws.documents, context.config.tableName);
  const association = await associationOf(ram, shareArn, accountId);
  if (!association || association.status === 'DISASSOCIATED' || association.status === 'FAILED') {
    // Recorded before it is made, so a rollback after a crash in between still removes it.
    await updateActiveRequest(record.requestId, (current) => ({ ...current, share: { ...current.share!, associatedByRequest: true } }));
    await users.join(shareArn, accountId, record.requestId, { associatingNow: true });
    await ram.send(new AssociateResourceShareCommand({ resourceShareArn: shareArn, principals: [accountId], clientToken: `${record.requestId}-associate` }));
    throw new ShareNotReady(accountId, 'ASSOCIATING');
  }
  // Joined before the request relies on it: another request's rollback then leaves the association alone.
  await users.join(shareArn, accountId, record.requestId);
  if (association.status !== 'ASSOCIATED') throw new ShareNotReady(accountId, association.status ?? 'UNKNOWN');

  await updateActiveRequest(record.requestId, (current) =>
    current.timeline.some((entry) => entry.step === 'share' && entry.message.startsWith('Shared'))
      ? undefined
      : {
          ...current,
          timeline: [
            ...current.timeline,
            timelineEntry(
              'share',
              'system',
              current.share?.associatedByRequest
                ? `Shared the hub's connection ${connectionArn} with account ${accountId}: no host and no handshake needed.`
                : `Shared: account ${accountId} already had the hub's connection ${connectionArn} through the resource share.`,
            ),
          ],
        },
  );
  return { shareArn };
}

async function findOrCreateShare(ram: Clients['ram'], connectionArn: string, requestId: string): Promise<string> {
  const name = shareNameOf(connectionArn);
  const { resourceShares = [] } = await ram.send(new GetResourceSharesCommand({ resourceOwner: 'SELF', name, resourceShareStatus: 'ACTIVE' }));
  const existing = resourceShares[0]?.resourceShareArn;
  if (existing) return existing;
  const { resourceShare } = await ram.send(
    new CreateResourceShareCommand({
      name,
      resourceArns: [connectionArn],
      allowExternalPrincipals: false,
      tags: [{ key: MANAGED_BY_TAG.Key, value: MANAGED_BY_TAG.Value }],
      clientToken: `${requestId}-share`,
    }),
  );
  return resourceShare!.resourceShareArn!;
}

async function associationOf(ram: Clients['ram'], shareArn: string, accountId: string): Promise<ResourceShareAssociation | undefined> {
  const { resourceShareAssociations = [] } = await ram.send(
    new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [shareArn], principal: accountId }),
  );
  return resourceShareAssociations.find((association) => association.associatedEntity === accountId);
}

export const handler = stepHandler('share-connection', shareConnection);
