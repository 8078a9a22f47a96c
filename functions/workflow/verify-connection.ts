import { GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { timelineEntry } from '../requests/store.ts';
import { workflowContext, type StepInput } from './context.ts';
import { ConnectionNotAvailable } from './errors.ts';

/** After the approval: the handshake must really be done (AVAILABLE) before anything uses the connection. */
export async function handler(event: StepInput): Promise<{ status: 'AVAILABLE' }> {
  const { store, aws } = workflowContext();
  const record = await store.getRequest(event.requestId);
  const { Connection } = await aws.connections.send(new GetConnectionCommand({ ConnectionArn: record.connectionArn }));
  if (Connection?.ConnectionStatus !== 'AVAILABLE') throw new ConnectionNotAvailable(record.connectionArn!, Connection?.ConnectionStatus);
  await store.updateRequest(record.requestId, (current) => ({
    ...current,
    status: 'VERIFYING_CONNECTION',
    waitingFor: undefined,
    timeline: [...current.timeline, timelineEntry('verify', 'system', 'The connection is AVAILABLE.')],
  }));
  return { status: 'AVAILABLE' };
}
