import { GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { timelineEntry } from '../request/store.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { ConnectionNotAvailable } from '../workflow/errors.ts';
import { provideClients } from '../adapters/aws-clients.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(connectionsClient, documentsClient);

/** After the approval: the handshake must really be done (AVAILABLE) before anything uses the connection. */
async function verifyConnection(event: StepInput): Promise<{ status: 'AVAILABLE' }> {
  const context = workflowContext();
  const record = await activeRequest(event.requestId);
  const { waits } = context;
  const aws = context.awsFor(record);
  // Approved (by the handshake, a click or the API): the wait is over.
  await waits.end(record.requestId, 'handshake');
  const { Connection } = await connectionsClientFor(record.connectionArn, aws).send(new GetConnectionCommand({ ConnectionArn: record.connectionArn }));
  if (Connection?.ConnectionStatus !== 'AVAILABLE') throw new ConnectionNotAvailable(record.connectionArn!, Connection?.ConnectionStatus);
  await updateActiveRequest(record.requestId, (current) => ({
    ...current,
    status: 'VERIFYING_CONNECTION',
    waitingFor: undefined,
    timeline: [...current.timeline, timelineEntry('verify', 'system', 'The connection is AVAILABLE.')],
  }));
  return { status: 'AVAILABLE' };
}

export const handler = stepHandler('verify-connection', verifyConnection);
