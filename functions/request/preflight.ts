import { GetPipelineCommand, PipelineNotFoundException, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { ListConnectionsCommand, ListHostsCommand, type Connection, type Host } from '@aws-sdk/client-codestar-connections';
import { assertEndpointAllowed } from './endpoint.ts';
import { evaluateGhesMeta } from './ghes-version.ts';
import { assertGhesRegionSupported } from './regions.ts';
import type { Clients } from '../adapters/aws-clients.ts';
import { selectSourceAction } from '../attach/source-action.ts';
import { SourceActionSelectionError } from '../attach/errors.ts';
import { triggerProblem, type TriggerFilters } from '../attach/triggers.ts';
import { conflict, forbidden, unprocessable } from '../shell/http-errors.ts';
import { isCoreError } from './input-errors.ts';
import { isCloudProvider, providerTypeOf, providerWords, type ProviderType } from './provider.ts';

export interface PreflightInput {
  region: string;
  providerEndpoint: string;
  /** GHES when left out. */
  providerType?: ProviderType;
  allowedEndpoints: string[];
  connectionName: string;
  pipeline?: { name: string; sourceActionName?: string; trigger?: TriggerFilters };
  quotas: { hosts: number; connections: number };
}

export interface PreflightDependencies {
  aws: Pick<Clients, 'connections' | 'pipelines'>;
  fetchGhesMeta: (providerEndpoint: string) => Promise<unknown | undefined>;
  normalise: (url: string) => string | undefined;
}

/**
 * Everything checked before anything is created: Region, endpoint allow-list, name, pipeline and
 * source action, quota headroom, GHES version (GHES only). Throws the API error to answer; returns
 * notes for the timeline (e.g. the GHES server could not be reached from the backend, or a GitLab
 * server's version was not checked).
 */
export async function preflight(input: PreflightInput, dependencies: PreflightDependencies): Promise<string[]> {
  const notes: string[] = [];
  const providerType = providerTypeOf(input);
  // A cloud provider has no host: no Region list of hosts, no server to allow or to ask its version.
  const cloud = isCloudProvider(providerType);
  if (!cloud) {
    const warning = checkServer(input, providerType);
    if (warning) notes.push(warning);
  }

  const [hosts, connections] = await Promise.all([cloud ? Promise.resolve([]) : listAll('hosts', dependencies), listAll('connections', dependencies)]);
  if ((connections as Connection[]).some((connection) => connection.ConnectionName === input.connectionName)) {
    throw conflict('ConnectionNameTaken', `A connection named ${input.connectionName} already exists in this account.`, [
      { path: 'connectionName', message: 'already in use; choose another name or leave it out to get a derived one' },
    ]);
  }
  if (connections.length >= input.quotas.connections) {
    throw unprocessable('ConnectionQuotaReached', `The account has ${connections.length} of ${input.quotas.connections} connections.`);
  }
  // Only a host of the same provider is reused (functions/host/host-reuse.ts), so only such a host spares a slot.
  const hostExists = (hosts as Host[]).some(
    (host) => providerTypeOf({ providerType: host.ProviderType }) === providerType && host.ProviderEndpoint && dependencies.normalise(host.ProviderEndpoint) === input.providerEndpoint,
  );
  if (!cloud && !hostExists && hosts.length >= input.quotas.hosts) {
    throw unprocessable('HostQuotaReached', `The account has ${hosts.length} of ${input.quotas.hosts} hosts and none for ${input.providerEndpoint}.`);
  }

  if (input.pipeline) await checkPipeline(input.pipeline, dependencies);

  if (cloud) return notes;
  if (providerType !== 'GitHubEnterpriseServer') {
    notes.push(GITLAB_VERSION_NOT_CHECKED);
    return notes;
  }
  const meta = await dependencies.fetchGhesMeta(input.providerEndpoint);
  if (meta === undefined) {
    notes.push(`Could not reach ${input.providerEndpoint}/api/v3/meta from the backend; the GHES version was not checked.`);
  } else {
    const verdict = evaluateGhesMeta(meta);
    if (verdict.supported === false) {
      throw unprocessable('UnsupportedGhesVersion', verdict.reason, [{ path: 'providerEndpoint', message: verdict.reason }]);
    }
    notes.push(verdict.supported === true ? `GHES version ${verdict.version} is supported.` : verdict.reason);
  }
  return notes;
}

/** A self-managed server's own checks: its Region takes hosts, and its endpoint is on the allow-list. */
function checkServer(input: PreflightInput, providerType: ProviderType): string | undefined {
  let warning: string | undefined;
  try {
    warning = assertGhesRegionSupported(input.region, { providerName: providerWords(providerType).product }).warning;
  } catch (error) {
    if (isCoreError(error)) throw unprocessable('UnsupportedRegion', error.message, [{ path: 'region', message: error.message }]);
    throw error;
  }
  try {
    assertEndpointAllowed(input.providerEndpoint, input.allowedEndpoints);
  } catch (error) {
    if (isCoreError(error)) throw forbidden(error.message);
    throw error;
  }
  return warning;
}

/**
 * GitLab answers its version (`/api/v4/version`, `/api/v4/metadata`) only to a signed-in caller,
 * and the broker holds no GitLab token (nor should it), so there is nothing to check.
 */
export const GITLAB_VERSION_NOT_CHECKED = 'The GitLab version was not checked: GitLab self-managed shows its version only with an access token, which the broker does not hold.';

async function checkPipeline(pipeline: NonNullable<PreflightInput['pipeline']>, { aws }: PreflightDependencies): Promise<void> {
  let declaration: PipelineDeclaration | undefined;
  try {
    ({ pipeline: declaration } = await aws.pipelines.send(new GetPipelineCommand({ name: pipeline.name })));
  } catch (error) {
    if (error instanceof PipelineNotFoundException) {
      throw unprocessable('PipelineNotFound', `Pipeline ${pipeline.name} does not exist in this account and Region.`, [
        { path: 'pipeline.name', message: 'no such pipeline' },
      ]);
    }
    throw error;
  }
  let location;
  try {
    location = selectSourceAction(declaration!, pipeline.sourceActionName);
  } catch (error) {
    if (error instanceof SourceActionSelectionError) {
      throw unprocessable('SourceActionNotFound', error.message, [{ path: 'pipeline.sourceActionName', message: error.message }]);
    }
    throw error;
  }
  // A V1 pipeline cannot have triggers; adding one would silently turn it into V2 (another price).
  const problem = pipeline.trigger ? triggerProblem(declaration!, location.actionName, pipeline.trigger) : undefined;
  if (problem) throw unprocessable('TriggerNotPossible', problem, [{ path: 'pipeline.trigger', message: problem }]);
}

async function listAll(kind: 'hosts' | 'connections', { aws }: PreflightDependencies): Promise<(Host | Connection)[]> {
  const items: (Host | Connection)[] = [];
  let nextToken: string | undefined;
  do {
    if (kind === 'hosts') {
      const page = await aws.connections.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken }));
      items.push(...(page.Hosts ?? []));
      nextToken = page.NextToken;
    } else {
      const page = await aws.connections.send(new ListConnectionsCommand({ MaxResults: 100, NextToken: nextToken }));
      items.push(...(page.Connections ?? []));
      nextToken = page.NextToken;
    }
  } while (nextToken);
  return items;
}
