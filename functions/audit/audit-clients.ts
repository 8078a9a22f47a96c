import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import type { ClientOptions } from '../adapters/aws-clients.ts';
import { IAMClient } from '@aws-sdk/client-iam';
import { RAMClient } from '@aws-sdk/client-ram';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { CallStats } from './call-stats.ts';
import { isThrottling } from './call-stats.ts';
import type { Pacers } from './pacer.ts';

type PacingMiddleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;
type AddMiddleware = (middleware: PacingMiddleware, options: { step: 'finalizeRequest'; priority: 'low'; name: string }) => void;

export interface AuditClients {
  connections: CodeStarConnectionsClient;
  pipelines: CodePipelineClient;
  iam: IAMClient;
  /** Whether the stacks Git sync deploys still exist (DescribeStacks). */
  cloudFormation: CloudFormationClient;
  stepFunctions: SFNClient;
  /** The hub's resource shares (the broker's own account, us-east-1 as the workflow uses). */
  ram: RAMClient;
}


/**
 * The auditor's own clients (the workflow's shared ones stay unpaced): each attempt, including
 * the SDK's own retries, waits for its operation's pacer, and tells it whether AWS throttled it.
 * The SDK keeps its standard retry with backoff; `patiently()` in the collector adds more.
 */
/** `target`: where the audited resources are (a Region, and for a spoke account its spoke role's credentials). */
export function auditClients(pacers: Pacers, stats: CallStats, target: ClientOptions = {}): AuditClients {
  const paced = <T extends { middlewareStack: { add: (...args: never[]) => void } }>(service: string, client: T): T => {
    // The SDK types add() per step with the client's own input types; this middleware handles any.
    const add = client.middlewareStack.add.bind(client.middlewareStack) as AddMiddleware;
    add(
      (next, context) => async (args) => {
        const operation = `${service}:${String(context.commandName ?? 'unknown').replace(/Command$/, '')}`;
        const pacer = pacers.for(operation);
        const sentAt = await pacer.acquire();
        try {
          const result = await next(args);
          pacer.succeeded(sentAt);
          stats.attempt(operation, false);
          return result;
        } catch (error) {
          const throttled = isThrottling(error);
          if (throttled) pacer.throttled(sentAt);
          stats.attempt(operation, throttled);
          throw error;
        } finally {
          pacer.release();
        }
      },
      // Inside the retry middleware, so every attempt is paced and counted.
      { step: 'finalizeRequest', priority: 'low', name: 'auditPacing' },
    );
    return client;
  };
  // The target's resources through its clients; the requests' executions and the shares are the hub's.
  return {
    connections: paced('codestar-connections', new CodeStarConnectionsClient(target)),
    pipelines: paced('codepipeline', new CodePipelineClient(target)),
    iam: paced('iam', new IAMClient(target)),
    cloudFormation: paced('cloudformation', new CloudFormationClient(target)),
    stepFunctions: paced('states', new SFNClient({})),
    ram: paced('ram', new RAMClient({ region: 'us-east-1' })),
  };
}
