import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { RAMClient } from '@aws-sdk/client-ram';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/**
 * The AWS clients a function works with. Only types are imported here: each SDK client lives in
 * its own module under `aws/` and a function's handler provides just the ones it uses
 * (`provideClients(connectionsClient, documentsClient)` at module scope, so they are built in the
 * init phase), which keeps every other SDK out of that function's bundle and cold start.
 * Endpoints come from the standard AWS_ENDPOINT_URL* variables, which is how the local runtime
 * points them at the sandbox; nothing here knows about it.
 */
export interface Clients {
  connections: CodeStarConnectionsClient;
  pipelines: CodePipelineClient;
  /** CodeBuild in the broker's Region; `codeBuildIn` (aws/codebuild.ts) for a cross-Region action's project. */
  codeBuild: CodeBuildClient;
  iam: IAMClient;
  stepFunctions: SFNClient;
  documents: DynamoDBDocumentClient;
  /** AWS RAM in the hub: sharing the hub's connections to spoke accounts. */
  ram: RAMClient;
}

export type ClientName = keyof Clients;

/** What a client for another account or Region is built with (adapters/aws/target-clients.ts). */
export interface ClientOptions {
  region?: string;
  credentials?: ReturnType<typeof fromTemporaryCredentials>;
}

/** How a client module builds its client (once per container, and once per other account or Region it works in). */
export interface ClientProvider<Name extends ClientName> {
  name: Name;
  build(options?: ClientOptions): Clients[Name];
}

const provided: Partial<Clients> = {};
const providers = new Map<ClientName, ClientProvider<ClientName>>();
let replacement: Partial<Clients> | undefined;

/** A handler names the clients its function uses; each is built now, in the init phase. */
export function provideClients(...named: ClientProvider<ClientName>[]): void {
  for (const provider of named) {
    providers.set(provider.name, provider);
    if (!provided[provider.name]) Object.assign(provided, { [provider.name]: provider.build() });
  }
}

/**
 * The same clients this function was given, built with other options (another account's
 * credentials, another Region); those it was not given are left out, so reaching for one fails as
 * it does at home. Tests that replaced the clients get their replacements (one sandbox serves all).
 */
export function clientsWith(options: ClientOptions, only: readonly ClientName[]): Partial<Clients> {
  if (replacement) return replacement;
  const built: Partial<Clients> = {};
  for (const name of only) {
    const provider = providers.get(name);
    if (provider) Object.assign(built, { [name]: provider.build(options) });
  }
  return built;
}

/**
 * The clients, each read when used: a test's replacement, else the one its handler provided.
 * Reaching for one the function was not given is a bug in its handler's list, said plainly.
 */
export function clients(): Clients {
  return view;
}

const CLIENT_NAMES = ['connections', 'pipelines', 'codeBuild', 'iam', 'stepFunctions', 'documents', 'ram'] as const satisfies readonly ClientName[];

/**
 * Clients read when used, from `resolve`; one the function was not given fails there, naming the
 * fix. The function's own clients are one such view; a spoke's (adapters/aws/target-clients.ts) another.
 */
export function clientsView(resolve: (name: ClientName) => Clients[ClientName] | undefined): Clients {
  return Object.defineProperties(
    {} as Clients,
    Object.fromEntries(
      CLIENT_NAMES.map((name) => [
        name,
        {
          enumerable: true,
          get: () => {
            const client = resolve(name);
            if (!client) throw new Error(`this function was not given the ${name} client: add it to provideClients() in its handler`);
            return client;
          },
        },
      ]),
    ),
  );
}

const view = clientsView((name) => replacement?.[name] ?? provided[name]);

/** Tests replace the clients (e.g. with aws-sdk-client-mock instances or sandbox ones). */
export function setClients(clientsForTest: Partial<Clients> | undefined): void {
  replacement = clientsForTest;
}
