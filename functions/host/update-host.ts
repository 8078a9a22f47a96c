import { GetHostCommand, UpdateHostCommand } from '@aws-sdk/client-codestar-connections';
import { provideClients } from '../adapters/aws-clients.ts';
import { connectionsClient, connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import type { ConnectionRequestRecord, HostUpdate } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { sameResource } from '../audit/resource-key.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { outcomeOf, type WorkflowFailure } from '../workflow/rollback-plan.ts';
import { stepHandler } from '../workflow/step-handler.ts';
import { describeChanges } from './describe-changes.ts';

provideClients(connectionsClient, documentsClient);

/** The host update machine's steps (statemachines/host-update.asl.yml), one Lambda; the wait in between is AwaitHostSetup's. */
export type HostUpdateInput = StepInput & ({ step: 'update' } | { step: 'finish' } | { step: 'abandon'; error?: WorkflowFailure });

/** Another host already serves the new endpoint: two hosts for one endpoint would split its requests. */
export class EndpointHasHost extends Error {
  constructor(endpoint: string) {
    super(`Another host of the broker already serves ${endpoint}.`);
    this.name = 'EndpointHasHost';
  }
}

async function updateHost(event: HostUpdateInput): Promise<{ hostArn: string; status: string } | { status: string }> {
  switch (event.step) {
    case 'update':
      return applyUpdate(event.requestId);
    case 'finish':
      return { status: (await finish(event.requestId)).status };
    case 'abandon':
      return { status: (await abandon(event.requestId, event.error)).status };
  }
}

/**
 * UpdateHost with the asked-for changes, then the record says what the host now is; the host-reuse
 * lock moves with a new endpoint, so requests for it reuse this host and requests for the old one
 * do not. AWS sends a host whose endpoint changed back to PENDING (and a VPC change through
 * VPC_CONFIG_INITIALIZING): the machine then waits for its admin as for a new host.
 */
async function applyUpdate(requestId: string): Promise<{ hostArn: string; status: string }> {
  const context = workflowContext();
  const record = await context.store.getRequest(requestId);
  if (record.status !== 'UPDATING_HOST') throw new Error(`request ${requestId} is ${record.status}, not updating its host`);
  const update = record.hostUpdate!;
  const hostArn = record.hostArn!;
  const connections = connectionsClientFor(hostArn, context.awsFor(record));
  const updated: ConnectionRequestRecord = {
    ...record,
    providerEndpoint: update.changes.providerEndpoint ?? record.providerEndpoint,
    vpcConfiguration: update.changes.vpcConfiguration ?? record.vpcConfiguration,
  };
  const [fromKey, toKey] = [context.hostKeyOf(record), context.hostKeyOf(updated)];
  // Checked before anything changes: UpdateHost has no undo.
  const holder = fromKey === toKey ? undefined : await context.store.hostLockHolder(toKey);
  if (holder && holder !== hostArn) throw new EndpointHasHost(updated.providerEndpoint);
  const vpc = update.changes.vpcConfiguration;
  await connections.send(
    new UpdateHostCommand({
      HostArn: hostArn,
      ...(update.changes.providerEndpoint ? { ProviderEndpoint: update.changes.providerEndpoint } : {}),
      ...(vpc ? { VpcConfiguration: { VpcId: vpc.vpcId, SubnetIds: vpc.subnetIds, SecurityGroupIds: vpc.securityGroupIds, TlsCertificate: vpc.tlsCertificate } } : {}),
    }),
  );
  // The host now serves what the new key names: requests for it reuse this host, requests for the old one do not.
  if (!(await context.store.moveHost(fromKey, toKey, hostArn))) throw new EndpointHasHost(updated.providerEndpoint);
  // The requests that reused the host say so too, so their views and their host key (a later
  // decommission leaves the lock it is under now) follow the host.
  for await (const other of context.store.requestsIn(['COMPLETED'])) {
    if (other.requestId === requestId || !other.hostArn || !sameResource(other.hostArn, hostArn) || other.hostLockKey) continue;
    await context.store.updateRequest(other.requestId, (current) => ({
      ...current,
      providerEndpoint: updated.providerEndpoint,
      vpcConfiguration: updated.vpcConfiguration,
      timeline: [...current.timeline, timelineEntry('host-update', 'system', `Its host ${hostArn} was updated by request ${requestId} (${describeChanges(record, update.changes)}).`)],
    }));
  }
  const { Status } = await connections.send(new GetHostCommand({ HostArn: hostArn }));
  const status = Status ?? 'PENDING';
  await context.store.updateRequest(requestId, (current) => ({
    ...current,
    providerEndpoint: updated.providerEndpoint,
    vpcConfiguration: updated.vpcConfiguration,
    timeline: [
      ...current.timeline,
      timelineEntry(
        'host-update',
        'system',
        `Updated host ${hostArn} (${describeChanges(record, update.changes)}); it is ${status}` + (status === 'AVAILABLE' ? '.' : ': its admin must set it up again.'),
      ),
    ],
  }));
  return { hostArn, status };
}

async function finish(requestId: string): Promise<ConnectionRequestRecord> {
  return close(requestId, { finishedAt: new Date().toISOString() }, (current) => `Host ${current.hostArn} is AVAILABLE again; the update is done.`);
}

/** Either way the request is COMPLETED again, with no wait left and the update's end recorded. */
async function close(requestId: string, ending: Pick<HostUpdate, 'finishedAt' | 'abandoned'>, say: (current: ConnectionRequestRecord) => string): Promise<ConnectionRequestRecord> {
  const { store, waits } = workflowContext();
  await waits.end(requestId, 'host-setup');
  return store.updateRequest(requestId, (current) =>
    current.status === 'COMPLETED'
      ? undefined
      : {
          ...current,
          status: 'COMPLETED',
          waitingFor: undefined,
          hostUpdate: { ...current.hostUpdate!, ...ending },
          timeline: [...current.timeline, timelineEntry('host-update', 'system', say(current))],
        },
  );
}

/**
 * UpdateHost refused, the host failed, or nobody set it up in time: the request is COMPLETED again
 * and says why. What AWS already changed stays (UpdateHost has no undo): the timeline says what.
 */
async function abandon(requestId: string, error: WorkflowFailure | undefined): Promise<ConnectionRequestRecord> {
  const outcome = outcomeOf(error);
  const why =
    outcome.failure?.code === 'HostSetupTimedOut'
      ? 'Nobody set the host up again in time: it stays PENDING, and connections through it do not work until its admin does.'
      : `It did not finish: ${outcome.failure?.message ?? 'unknown error'}.`;
  return close(requestId, { abandoned: { code: outcome.failure?.code ?? 'Unknown', message: why } }, () => `The host update did not finish. ${why}`);
}

export const handler = stepHandler('update-host', updateHost);
