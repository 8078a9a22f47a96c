import { ApprovalStore } from '../approval/store.ts';
import { BrokerStore } from '../request/store.ts';
import { clients, type Clients } from '../adapters/aws-clients.ts';
import type { BrokerConfig } from '../shell/config.ts';
import { perContainer } from '../shell/per-container.ts';
import { WaitStore } from '../waits/wait-store.ts';

/** What every workflow step works with; built once per container. */
export interface WorkflowContext {
  config: BrokerConfig;
  aws: Clients;
  store: BrokerStore;
  approvals: ApprovalStore;
  /** The requests paused on a person's console step (functions/waits). */
  waits: WaitStore;
}

export const workflowContext = perContainer((settings): WorkflowContext => {
  const aws = clients();
  return {
    config: settings,
    aws,
    store: new BrokerStore(aws.documents, settings.tableName),
    approvals: new ApprovalStore(aws.documents, settings.tableName),
    waits: new WaitStore(aws.documents, settings.tableName),
  };
});

export function resetWorkflowContext(): void {
  workflowContext.reset();
}

/** The input every step receives from the state machine. */
export interface StepInput {
  requestId: string;
}

/** Host key for reuse: one host per normalised GHES URL and VPC. */
export function endpointKey(providerEndpoint: string, vpcId: string | undefined): string {
  return `${providerEndpoint}|${vpcId ?? 'public'}`;
}
