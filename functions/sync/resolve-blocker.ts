import { InvalidInputException, ResourceNotFoundException, SyncBlockerDoesNotExistException, UpdateSyncBlockerCommand } from '@aws-sdk/client-codestar-connections';
import * as z from 'zod';
import type { Clients } from '../adapters/aws-clients.ts';
import { gitSyncClient } from '../attach/git-sync.ts';
import { SYNC_TYPE } from '../attach/git-sync-plan.ts';
import type { Caller } from '../request/caller.ts';
import { IN_PLACE_STATUSES, type ConnectionRequestRecord } from '../request/model.ts';
import { requestView, type RequestView } from '../request/request-view.ts';
import { timelineEntry, type BrokerStore } from '../request/store.ts';
import { badRequest, forbidden, notFound } from '../shell/http-errors.ts';

/** The body of POST /v1/sync-configurations/{stackName}/blockers/{blockerId}/resolve. */
export const resolveBlockerBodySchema = z
  .strictObject({
    reason: z
      .string({ error: 'Required: why it is safe to go on (what was fixed)' })
      .trim()
      .min(1, { error: 'Must not be empty: say what was fixed' })
      .max(1024, { error: 'Must be at most 1024 characters' })
      .meta({ description: 'What was fixed, kept by Git sync as the ResolvedReason.' }),
  })
  .meta({ id: 'ResolveSyncBlocker', description: 'Resolving a sync blocker: Git sync then syncs again.' });

export interface ResolveBlockerDependencies {
  store: BrokerStore;
  aws: Pick<Clients, 'connections'>;
  /** The clients where a request's connection lives (its account and Region). */
  awsFor: (record: ConnectionRequestRecord) => Pick<Clients, 'connections'>;
}

/**
 * Resolves a sync blocker (UpdateSyncBlocker) for an admin, once its cause is fixed: Git sync then
 * retries. A request whose Git sync this is has the blocker taken off its next action and a
 * timeline line saying who resolved it and why.
 */
export async function resolveSyncBlocker(
  caller: Caller,
  stackName: string,
  blockerId: string,
  body: unknown,
  dependencies: ResolveBlockerDependencies,
): Promise<{ stackName: string; blockerId: string; resolvedReason: string; request?: RequestView }> {
  if (!caller.isAdmin) throw forbidden('Only admins may resolve sync blockers.');
  const parsed = resolveBlockerBodySchema.safeParse(body ?? {});
  if (!parsed.success) throw badRequest('The body is not valid.', parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || 'reason', message: issue.message })));
  const { reason } = parsed.data;
  // The request whose Git sync this is (the API reaches the sync configuration through its connection's API and account).
  const record = await dependencies.store.findRequest(IN_PLACE_STATUSES, (candidate) => candidate.gitSync?.stackName === stackName);
  const client = record ? gitSyncClient(record, dependencies.awsFor(record)) : dependencies.aws.connections;
  try {
    await client.send(new UpdateSyncBlockerCommand({ Id: blockerId, ResolvedReason: reason, ResourceName: stackName, SyncType: SYNC_TYPE }));
  } catch (error) {
    // No such blocker, no such sync configuration, or a blocker resolved already (InvalidInput): none is open.
    if (error instanceof SyncBlockerDoesNotExistException || error instanceof ResourceNotFoundException || error instanceof InvalidInputException) {
      throw notFound(`Stack ${stackName} has no open sync blocker ${blockerId}.`);
    }
    throw error;
  }
  if (!record) return { stackName, blockerId, resolvedReason: reason };
  const updated = await dependencies.store.updateRequest(record.requestId, (current) => ({
    ...current,
    gitSyncState: { ...(current.gitSyncState ?? {}), blockers: (current.gitSyncState?.blockers ?? []).filter((blocker) => blocker.id !== blockerId) },
    timeline: [...current.timeline, timelineEntry('git-sync', caller.id, `Resolved sync blocker ${blockerId} of stack ${stackName}: ${reason}. Git sync goes on.`)],
  }));
  return { stackName, blockerId, resolvedReason: reason, request: requestView(updated) };
}
