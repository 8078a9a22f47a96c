import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS clients, created once per Lambda container (module scope) and reused across invocations.
 * Endpoints come from the standard AWS_ENDPOINT_URL* variables, which is how the local runtime
 * points them at the sandbox; nothing here knows about it.
 */
let cached: Clients | undefined;

export interface Clients {
  connections: CodeStarConnectionsClient;
  pipelines: CodePipelineClient;
  /** CodeBuild in the broker's Region; `codeBuildIn` for a cross-Region action's project. */
  codeBuild: CodeBuildClient;
  iam: IAMClient;
  stepFunctions: SFNClient;
  documents: DynamoDBDocumentClient;
}

export function clients(): Clients {
  cached ??= {
    connections: new CodeStarConnectionsClient({}),
    pipelines: new CodePipelineClient({}),
    codeBuild: new CodeBuildClient({}),
    iam: new IAMClient({}),
    stepFunctions: new SFNClient({}),
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
  };
  return cached;
}

/** Tests replace the clients (e.g. with aws-sdk-client-mock instances). */
export function setClients(replacement: Clients | undefined): void {
  cached = replacement;
}

const codeBuildByRegion = new Map<string, CodeBuildClient>();

/** A CodeBuild client for another Region (a pipeline's cross-Region CodeBuild action), made once per Region. */
export function codeBuildIn(region: string | undefined): CodeBuildClient {
  const home = clients().codeBuild;
  if (region === undefined) return home;
  let client = codeBuildByRegion.get(region);
  if (!client) {
    client = new CodeBuildClient({ region });
    codeBuildByRegion.set(region, client);
  }
  return client;
}
