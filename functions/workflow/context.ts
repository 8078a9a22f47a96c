import { ApprovalStore } from '../approval/store.ts';
import { BrokerStore } from '../request/store.ts';
import { clients, type Clients } from '../adapters/aws-clients.ts';
import { clientsForArn, clientsIn, spokeAccessOf } from '../adapters/aws/target-clients.ts';
import type { ConnectionRequestRecord } from '../request/model.ts';
import type { BrokerConfig } from '../shell/config.ts';
import { perContainer } from '../shell/per-container.ts';
import { WaitStore } from '../waits/wait-store.ts';
import { hostReuseKey } from '../host/host-reuse.ts';

/** What every workflow step works with; built once per container. */
export interface WorkflowContext {
  config: BrokerConfig;
  aws: Clients;
  store: BrokerStore;
  approvals: ApprovalStore;
  /** The requests paused on a person's console step (functions/waits). */
  waits: WaitStore;
  /** The clients for a request's account and Region: `aws` at home, the spoke role's session in a spoke. */
  awsFor(request: Pick<ConnectionRequestRecord, 'accountId' | 'region'>): Clients;
  /** The clients for the account and Region a host or connection ARN names (the watcher knows waits by their ARN). */
  awsForArn(arn: string): Clients;
  /** The host-reuse key of a request (see {@link hostReuseKey}). */
  hostKeyOf(request: Pick<ConnectionRequestRecord, 'accountId' | 'region' | 'providerEndpoint' | 'providerType' | 'vpcConfiguration' | 'hostLockKey'>): string;
}

export const workflowContext = perContainer((settings): WorkflowContext => {
  const aws = clients();
  return {
    config: settings,
    aws,
    store: new BrokerStore(aws.documents, settings.tableName),
    approvals: new ApprovalStore(aws.documents, settings.tableName),
    waits: new WaitStore(aws.documents, settings.tableName),
    awsFor: (request) => clientsIn({ accountId: request.accountId, region: request.region }, aws, spokeAccessOf(settings)),
    awsForArn: (arn) => clientsForArn(arn, aws, settings),
    hostKeyOf: (request) =>
      request.hostLockKey ??
      hostReuseKey(
        { providerEndpoint: request.providerEndpoint, vpcId: request.vpcConfiguration?.vpcId, providerType: request.providerType },
        { accountId: request.accountId, region: request.region, homeRegion: settings.region },
      ),
  };
});

export function resetWorkflowContext(): void {
  workflowContext.reset();
}

/** The input every step receives from the state machine. */
export interface StepInput {
  requestId: string;
}
