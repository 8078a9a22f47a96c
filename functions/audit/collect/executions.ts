import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { isTerminal, type ConnectionRequestRecord } from '../../requests/model.ts';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { ExecutionFacts } from '../model.ts';
import { mapConcurrently, patiently } from './patiently.ts';

/** Step Functions' view of every request that our records say is still in progress. */
export async function collectExecutions(
  requests: readonly ConnectionRequestRecord[],
  { aws, stats }: { aws: AuditClients; stats: CallStats },
): Promise<Record<string, ExecutionFacts>> {
  const arns = requests.filter((record) => !isTerminal(record.status) && record.executionArn).map((record) => record.executionArn!);
  const facts = await mapConcurrently(arns, 8, async (executionArn): Promise<ExecutionFacts> => {
    try {
      const { status, stopDate } = await patiently(() => aws.stepFunctions.send(new DescribeExecutionCommand({ executionArn })), stats);
      return { executionArn, status: (status ?? 'RUNNING') as ExecutionFacts['status'], ...(stopDate ? { stopDate: stopDate.toISOString() } : {}) };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return { executionArn, status: 'NOT_FOUND' };
      throw error;
    }
  });
  return Object.fromEntries(facts.map((execution) => [execution.executionArn, execution]));
}
