import { GetHostCommand } from '@aws-sdk/client-codestar-connections';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { resourceId } from '../audit/resource-key.ts';
import type { Caller } from '../request/caller.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { requestView, type RequestView } from '../request/request-view.ts';
import { timelineEntry } from '../request/store.ts';
import { replaceablePipelines, startReplacement, type ReplacementDependencies } from '../replace/request-replacement.ts';
import { conflict, notFound } from '../shell/http-errors.ts';
import { hostReuseKey } from './host-reuse.ts';

export interface RepairDependencies extends ReplacementDependencies {
  homeRegion: string;
}

export interface RepairView {
  hostArn: string;
  /** One replacing request per request whose connection is on the host (its pipelines move with it). */
  replacements: RequestView[];
}

/**
 * POST /v1/hosts/{id}/repair: a host in ERROR (its GitHub App was changed or deleted, a GitLab
 * host's token revoked) cannot be set up again; it is recreated. The endpoint's host-reuse lock is
 * handed to a new host (the old one keeps its own, aside, for its requests' decommissions), and
 * every request with a connection on the old host gets a replacement: a new host (the first
 * replacement creates it; its admin sets it up, the others wait for it), a new connection, the
 * handshake, the pipelines moved, then the old connection decommissioned; the last one takes the
 * old host with it. Everything is checked before anything changes.
 */
export async function requestHostRepair(caller: Caller, hostId: string, dependencies: RepairDependencies): Promise<RepairView> {
  const { store } = dependencies;
  // Every request with a connection on the host (its creator may be gone: replaced, decommissioned).
  const affected: ConnectionRequestRecord[] = [];
  for await (const record of store.requestsIn(['COMPLETED'])) {
    if (record.connectionStrategy !== 'shared' && record.hostArn && resourceId(record.hostArn) === hostId) affected.push(record);
  }
  // Someone else's host reads as absent: the caller must own one of its connections, or be an admin.
  const [first] = affected;
  if (!first || !(caller.isAdmin || affected.some((record) => record.requester.id === caller.id))) {
    throw notFound(`No host ${hostId.length > 100 ? `${hostId.slice(0, 100)}…` : hostId} with a connection made by the broker exists.`);
  }
  const hostArn = first.hostArn!;
  const { Status } = await connectionsClientFor(hostArn, dependencies.awsFor(first)).send(new GetHostCommand({ HostArn: hostArn }));
  if (Status !== 'ERROR') throw conflict('HostNotInError', `Host ${hostId} is ${Status}: only a host in ERROR is repaired (PATCH /v1/hosts/{id} changes one that works).`);
  const plans: { record: ConnectionRequestRecord; pipelines: string[] }[] = [];
  for (const record of affected) plans.push({ record, pipelines: await replaceablePipelines(record, dependencies) });

  // The endpoint's lock goes to the new host; the old host's requests keep theirs under a key of its own.
  const endpointKey = hostReuseKey(
    { providerEndpoint: first.providerEndpoint, vpcId: first.vpcConfiguration?.vpcId, providerType: first.providerType },
    { accountId: first.accountId, region: first.region, homeRegion: dependencies.homeRegion },
  );
  const asideKey = `${endpointKey}|repaired|${hostId}`;
  await store.moveHost(endpointKey, asideKey, hostArn);
  const replacements: RequestView[] = [];
  for (const { record, pipelines } of plans) {
    await store.updateRequest(record.requestId, (current) => ({
      ...current,
      hostLockKey: asideKey,
      timeline: [...current.timeline, timelineEntry('repair', caller.id, `Host ${hostArn} is in ERROR: it is recreated, and this connection replaced on the new host.`)],
    }));
    replacements.push(requestView(await startReplacement(caller, record, pipelines, 'codeconnections', dependencies)));
  }
  return { hostArn, replacements };
}
