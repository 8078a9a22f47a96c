import { CreateHostCommand, GetHostCommand } from '@aws-sdk/client-codestar-connections';
import { normaliseProviderEndpoint } from '../request/endpoint.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { createdByRequest, findExistingHost, MANAGED_BY_TAG, REQUEST_ID_TAG } from './host-discovery.ts';
import { isCloudProvider, providerTypeOf, providerWords, type CloudProviderType } from '../request/provider.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { provideClients } from '../adapters/aws-clients.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(connectionsClient, documentsClient);

export interface AcquiredHost {
  /** Absent for a cloud provider, which has no host. */
  hostArn?: string;
  status: string;
  createdByRequest: boolean;
  /** A reused shared host's creator, as its lock recorded it. */
  createdBy?: { requestId: string; requesterId?: string };
}

/**
 * Reuse or create the host for the request's provider and URL (a GHES host never serves a GitLab
 * request, nor the other way round). Simultaneous requests for one endpoint
 * serialise on a conditional-write claim: one creates, the others retry (HostLockBusy) and reuse.
 * Safe to run again: an earlier attempt's host is found by its endpoint and this request's tag.
 */
async function acquireHost(event: StepInput): Promise<AcquiredHost> {
  const context = workflowContext();
  const record = await activeRequest(event.requestId);
  const { store, config } = context;
  const aws = context.awsFor(record);
  if (record.hostArn) {
    const { Status } = await connectionsClientFor(record.hostArn, aws).send(new GetHostCommand({ HostArn: record.hostArn }));
    return { hostArn: record.hostArn, status: Status ?? 'UNKNOWN', createdByRequest: record.hostCreatedByRequest === true };
  }

  const providerType = providerTypeOf(record);
  // A cloud provider (GitHub, GitLab.com, Bitbucket, Azure DevOps) has no host: the workflow goes on
  // to the connection at once (IsHostAvailable sees AVAILABLE).
  if (isCloudProvider(providerType)) return noHostNeeded(record.requestId, providerType);

  const vpcId = record.vpcConfiguration?.vpcId;
  const key = context.hostKeyOf(record);
  const shared = config.hostReusePolicy === 'endpoint';
  const claim = shared ? await store.claimHost(key, record.requestId, new Date()) : ({ outcome: 'create' } as const);

  let acquired: AcquiredHost & { hostArn: string };
  if (claim.outcome === 'reuse') {
    const { Status } = await connectionsClientFor(claim.hostArn, aws).send(new GetHostCommand({ HostArn: claim.hostArn }));
    acquired = {
      hostArn: claim.hostArn,
      status: Status ?? 'UNKNOWN',
      createdByRequest: false,
      createdBy: { requestId: claim.createdBy, ...(claim.createdByRequester ? { requesterId: claim.createdByRequester } : {}) },
    };
  } else {
    const existing = shared
      ? await findExistingHost(aws.connections, { providerEndpoint: record.providerEndpoint, vpcId, providerType }, (url) => safeNormalise(url))
      : undefined;
    if (existing?.HostArn) {
      acquired = {
        hostArn: existing.HostArn,
        status: existing.Status ?? 'UNKNOWN',
        createdByRequest: await createdByRequest(aws.connections, existing.HostArn, record.requestId),
      };
    } else {
      const vpc = record.vpcConfiguration;
      const { HostArn } = await aws.connections.send(
        new CreateHostCommand({
          Name: record.hostName,
          ProviderType: providerType,
          ProviderEndpoint: record.providerEndpoint,
          VpcConfiguration: vpc
            ? { VpcId: vpc.vpcId, SubnetIds: vpc.subnetIds, SecurityGroupIds: vpc.securityGroupIds, TlsCertificate: vpc.tlsCertificate }
            : undefined,
          Tags: [MANAGED_BY_TAG, { Key: REQUEST_ID_TAG, Value: record.requestId }],
        }),
      );
      const { Status } = await connectionsClientFor(HostArn, aws).send(new GetHostCommand({ HostArn }));
      acquired = { hostArn: HostArn!, status: Status ?? 'UNKNOWN', createdByRequest: true };
    }
    // Its requester owns the host only if this request made it (not when it found one already there).
    if (shared) await store.recordHostCreated(key, record.requestId, acquired.hostArn, acquired.createdByRequest ? record.requester.id : undefined);
  }

  const recordHost = (current: ConnectionRequestRecord): ConnectionRequestRecord => ({
    ...current,
    hostArn: acquired.hostArn,
    hostCreatedByRequest: acquired.createdByRequest,
    ...(acquired.createdBy ? { hostCreatedBy: acquired.createdBy } : {}),
    timeline: [
      ...current.timeline,
      timelineEntry(
        'host',
        'system',
        acquired.createdByRequest
          ? `Created host ${acquired.hostArn} (${acquired.status}).`
          : `Reusing host ${acquired.hostArn} (${acquired.status}) for ${current.providerEndpoint}.`,
      ),
    ],
  });
  // Cancelled meanwhile: the host is still recorded (rollback releases it), the status left alone.
  await updateActiveRequest(record.requestId, (current) => ({ ...recordHost(current), status: 'PROVISIONING_HOST' }), recordHost);
  return acquired;
}

async function noHostNeeded(requestId: string, providerType: CloudProviderType): Promise<AcquiredHost> {
  const said = `No host: ${providerWords(providerType).product} is a cloud provider, so the connection is created directly.`;
  const recordNoHost = (current: ConnectionRequestRecord): ConnectionRequestRecord =>
    // Said once, however often the step runs.
    current.timeline.some((entry) => entry.step === 'host' && entry.message === said) ? current : { ...current, timeline: [...current.timeline, timelineEntry('host', 'system', said)] };
  await updateActiveRequest(requestId, (current) => ({ ...recordNoHost(current), status: 'PROVISIONING_HOST' }), recordNoHost);
  return { status: 'AVAILABLE', createdByRequest: false };
}

function safeNormalise(url: string): string | undefined {
  try {
    return normaliseProviderEndpoint(url).url;
  } catch {
    return undefined;
  }
}

export const handler = stepHandler('acquire-host', acquireHost);
