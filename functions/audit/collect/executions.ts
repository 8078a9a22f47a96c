import { DescribeExecutionCommand, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import { currentExecutionArn, isTerminal, type ConnectionRequestRecord } from '../../request/model.ts';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { ExecutionFacts, UnreadableResource } from '../model.ts';
import { unreadableFrom } from './access-denied.ts';
import { mapConcurrently, patiently } from './patiently.ts';

/**
 * Step Functions' view of every request that our records say is still in progress. An execution
 * the auditor may not describe is left out (nothing is concluded about it) and reported.
 */
export async function collectExecutions(
  requests: readonly ConnectionRequestRecord[],
  { aws, stats }: { aws: AuditClients; stats: CallStats },
): Promise<{ executions: Record<string, ExecutionFacts>; unreadable: UnreadableResource[] }> {
  const active = requests.flatMap((record) => {
    const executionArn = currentExecutionArn(record);
    return !isTerminal(record.status) && executionArn ? [{ executionArn, requestId: record.requestId }] : [];
  });
  const unreadable: UnreadableResource[] = [];
  const facts = await mapConcurrently(active, 8, async ({ executionArn, requestId }): Promise<ExecutionFacts | undefined> => {
    const arn = executionArn!;
    try {
      const { status, stopDate } = await patiently(() => aws.stepFunctions.send(new DescribeExecutionCommand({ executionArn: arn })), stats);
      return { executionArn: arn, status: (status ?? 'RUNNING') as ExecutionFacts['status'], ...(stopDate ? { stopDate: stopDate.toISOString() } : {}) };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return { executionArn: arn, status: 'NOT_FOUND' };
      const denied = unreadableFrom(error, { resource: requestId, resourceKind: 'request', requestId, action: 'states:DescribeExecution', policyResource: arn, lastKnown: false });
      if (!denied) throw error;
      unreadable.push(denied);
      return undefined;
    }
  });
  const known = facts.filter((execution): execution is ExecutionFacts => execution !== undefined);
  return { executions: Object.fromEntries(known.map((execution) => [execution.executionArn, execution])), unreadable };
}
