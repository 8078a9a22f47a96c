import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { IAMClient } from '@aws-sdk/client-iam';
import { RAMClient } from '@aws-sdk/client-ram';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clients } from '../../functions/adapters/aws-clients.ts';

/**
 * The clients the workflow steps use, for tests that run the steps in-process: real SDK clients
 * (with `config`, e.g. an endpoint) and the given table's document client.
 */
export function workflowClients(documents: DynamoDBDocumentClient, config: ConstructorParameters<typeof SFNClient>[0] = {}): Clients {
  return {
    connections: new CodeStarConnectionsClient(config),
    pipelines: new CodePipelineClient(config),
    codeBuild: new CodeBuildClient(config),
    iam: new IAMClient(config),
    stepFunctions: new SFNClient(config),
    documents,
    ram: new RAMClient((config ?? {}) as NonNullable<ConstructorParameters<typeof RAMClient>[0]>),
  };
}
