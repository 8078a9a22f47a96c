import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, vi } from 'vitest';
import { ApprovalStore } from '../../functions/approval/store.ts';
import { BrokerStore } from '../../functions/request/store.ts';
import { setClients } from '../../functions/adapters/aws-clients.ts';
import { resetConfig } from '../../functions/shell/config.ts';
import { WaitStore } from '../../functions/waits/wait-store.ts';
import { resetWorkflowContext } from '../../functions/workflow/context.ts';
import { startBrokerTable, TEST_TABLE } from './broker-table.ts';
import { workflowClients } from './workflow-clients.ts';

export interface WorkflowStepsTable {
  table: Awaited<ReturnType<typeof startBrokerTable>>;
  store: BrokerStore;
  approvals: ApprovalStore;
  waits: WaitStore;
}

/**
 * For tests that run workflow steps in-process: an in-memory broker table, the steps' settings in
 * the environment (Slack off unless `environment` says otherwise), and their clients (mock them
 * with aws-sdk-client-mock; `documents` may wrap the table's client, e.g. to count commands).
 * Registers its own beforeAll/afterAll; the returned object is filled in before the tests run.
 */
export function useWorkflowSteps(
  options: { environment?: Record<string, string>; documents?: (documents: DynamoDBDocumentClient) => DynamoDBDocumentClient } = {},
): WorkflowStepsTable {
  const steps = {} as WorkflowStepsTable;
  beforeAll(async () => {
    steps.table = await startBrokerTable();
    steps.store = new BrokerStore(steps.table.documents, TEST_TABLE);
    steps.approvals = new ApprovalStore(steps.table.documents, TEST_TABLE);
    steps.waits = new WaitStore(steps.table.documents, TEST_TABLE);
    // The idempotency layer (completeRequest) makes its own DynamoDB client, which finds the table through this.
    configureSteps({ AWS_ENDPOINT_URL_DYNAMODB: steps.table.dynamo.url, TABLE_NAME: TEST_TABLE, SLACK_SECRET_ID: '', SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '', APPROVAL_MODE: '', ...options.environment });
    setClients(workflowClients(options.documents?.(steps.table.documents) ?? steps.table.documents));
  });
  afterAll(async () => {
    setClients(undefined);
    resetWorkflowContext();
    resetConfig();
    vi.unstubAllEnvs();
    steps.table.client.destroy();
    await steps.table.dynamo.close();
  });
  return steps;
}

/** Changes the steps' settings (environment variables) and makes them read again. */
export function configureSteps(environment: Record<string, string>): void {
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  resetConfig();
  resetWorkflowContext();
}
