import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { clients, provideClients, type ClientProvider } from '../aws-clients.ts';
import { traced } from './traced.ts';

export const codeBuildClient: ClientProvider<'codeBuild'> = { name: 'codeBuild', build: (options = {}) => traced(new CodeBuildClient(options)) };

const codeBuildByRegion = new Map<string, CodeBuildClient>();

/** A CodeBuild client for another Region (a pipeline's cross-Region CodeBuild action), made once per Region. */
export function codeBuildIn(region: string | undefined): CodeBuildClient {
  // Whoever asks for CodeBuild by Region uses CodeBuild: its home client is built with it.
  provideClients(codeBuildClient);
  if (region === undefined) return clients().codeBuild;
  let client = codeBuildByRegion.get(region);
  if (!client) {
    client = traced(new CodeBuildClient({ region }));
    codeBuildByRegion.set(region, client);
  }
  return client;
}
