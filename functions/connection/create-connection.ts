import { CreateConnectionCommand, GetConnectionCommand, ListConnectionsCommand, ResourceNotFoundException, type ProviderType as SdkProviderType } from '@aws-sdk/client-codestar-connections';
import { timelineEntry } from '../request/store.ts';
import { connectionsClientFor, connectionsClientForPrefix } from '../adapters/aws/codestar-connections.ts';
import { connectionPrefixFor, isCloudProvider, providerTypeOf, type CloudProviderType } from '../request/provider.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { ConnectionNameTaken } from '../workflow/errors.ts';
import { createdByRequest, MANAGED_BY_TAG, REQUESTER_TAG, REQUEST_ID_TAG } from '../host/host-discovery.ts';
import { provideClients, type Clients } from '../adapters/aws-clients.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(connectionsClient, documentsClient);

/**
 * Creates the connection on the AVAILABLE host, tagged with the request, requester and
 * `managed-by`. Safe to run again: a connection this request already made is found and kept.
 */
async function createConnection(event: StepInput): Promise<{ connectionArn: string }> {
  const context = workflowContext();
  const record = await activeRequest(event.requestId);
  const { waits } = context;
  const aws = context.awsFor(record);
  // The host is set up: its wait (if the request had one) is over.
  await waits.end(record.requestId, 'host-setup');
  let connectionArn = record.connectionArn && (await stillExists(aws, record.connectionArn)) ? record.connectionArn : undefined;
  // Recorded already (a repeated attempt, or a request taken up again after a restart): nothing
  // to add, and a request already waiting for its handshake stays there.
  if (connectionArn) return { connectionArn };
  const providerType = providerTypeOf(record);
  if (isCloudProvider(providerType)) {
    connectionArn = await createCloudConnection(aws, record, providerType);
    return recordCreated(record.requestId, connectionArn);
  }
  // A replacement moving off the old prefix creates through CodeConnections: both spellings of the
  // host's ARN name the same host, and the endpoint called decides the new connection's prefix.
  const hostArn = record.connectionPrefix === 'codeconnections' ? record.hostArn!.replace(/^(arn:[^:]+:)codestar-connections:/, '$1codeconnections:') : record.hostArn!;
  connectionArn ??= await adoptEarlierAttempt(aws, record.connectionName, hostArn, record.requestId);
  if (!connectionArn) {
    // On a host the console made (codeconnections ARN) the connection is made through CodeConnections too.
    const created = await connectionsClientFor(hostArn, aws).send(new CreateConnectionCommand({ ConnectionName: record.connectionName, HostArn: hostArn, Tags: connectionTags(record) }));
    connectionArn = created.ConnectionArn!;
  }
  return recordCreated(record.requestId, connectionArn);
}

const connectionTags = (record: ConnectionRequestRecord) => [
  MANAGED_BY_TAG,
  { Key: REQUEST_ID_TAG, Value: record.requestId },
  { Key: REQUESTER_TAG, Value: record.requester.id },
  ...Object.entries(record.tags).map(([Key, Value]) => ({ Key, Value })),
];

/**
 * A cloud provider's connection: no host, the provider named instead. Made through the API whose
 * ARN prefix the request takes (connectionPrefixFor: Azure DevOps only exists in CodeConnections).
 */
async function createCloudConnection(aws: Clients, record: ConnectionRequestRecord, providerType: CloudProviderType): Promise<string> {
  const client = connectionsClientForPrefix(connectionPrefixFor(record), aws);
  let nextToken: string | undefined;
  do {
    // The SDK's ProviderType predates AzureDevOps; the wire takes the string.
    const page = await client.send(new ListConnectionsCommand({ ProviderTypeFilter: providerType as SdkProviderType, MaxResults: 100, NextToken: nextToken }));
    const sameName = page.Connections?.find((connection) => connection.ConnectionName === record.connectionName);
    if (sameName?.ConnectionArn) {
      if (await createdByRequest(client, sameName.ConnectionArn, record.requestId)) return sameName.ConnectionArn;
      throw new ConnectionNameTaken(record.connectionName);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  const created = await client.send(new CreateConnectionCommand({ ConnectionName: record.connectionName, ProviderType: providerType as SdkProviderType, Tags: connectionTags(record) }));
  return created.ConnectionArn!;
}

async function recordCreated(requestId: string, arn: string): Promise<{ connectionArn: string }> {
  const recordConnection = (current: ConnectionRequestRecord): ConnectionRequestRecord => ({
    ...current,
    connectionArn: arn,
    timeline: [...current.timeline, timelineEntry('connection', 'system', `Created connection ${current.connectionName} (${arn}), PENDING its handshake.`)],
  });
  // Cancelled meanwhile: the connection is still recorded (rollback deletes it), the status left alone.
  await updateActiveRequest(requestId, (current) => ({ ...recordConnection(current), status: 'CREATING_CONNECTION' }), recordConnection);
  return { connectionArn: arn };
}

async function stillExists(aws: Clients, connectionArn: string): Promise<boolean> {
  try {
    await connectionsClientFor(connectionArn, aws).send(new GetConnectionCommand({ ConnectionArn: connectionArn }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
}

/** A connection with our name on the host: ours from an earlier attempt, or someone else's. */
async function adoptEarlierAttempt(aws: Clients, name: string, hostArn: string, requestId: string): Promise<string | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await connectionsClientFor(hostArn, aws).send(new ListConnectionsCommand({ HostArnFilter: hostArn, MaxResults: 100, NextToken: nextToken }));
    const sameName = page.Connections?.find((connection) => connection.ConnectionName === name);
    if (sameName?.ConnectionArn) {
      if (await createdByRequest(aws.connections, sameName.ConnectionArn, requestId)) return sameName.ConnectionArn;
      throw new ConnectionNameTaken(name);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

export const handler = stepHandler('create-connection', createConnection);
