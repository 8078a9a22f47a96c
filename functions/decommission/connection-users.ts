import { BatchGetProjectsCommand, ListProjectsCommand, type ProjectSource } from '@aws-sdk/client-codebuild';
import { GetPipelineCommand, ListPipelinesCommand, PipelineNotFoundException, type PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { ListRepositoryLinksCommand } from '@aws-sdk/client-codestar-connections';
import { GetResourceShareAssociationsCommand } from '@aws-sdk/client-ram';
import type { Clients } from '../adapters/aws-clients.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { sameConnection } from '../attach/source-action.ts';
import type { ConnectionUsage } from './guard.ts';
import { usesConnection } from '../replace/repoint.ts';
import { accessDeniedCode } from '../audit/collect/access-denied.ts';
import { listSyncConfigurations } from '../audit/collect/git-sync.ts';
import { logger } from '../shell/powertools.ts';

/** BatchGetProjects takes at most 100 names. */
const PROJECTS_PER_BATCH = 100;

/**
 * What uses a connection, read from AWS where the connection lives: every pipeline's source actions
 * (either ARN prefix names the same connection), the account's repository links (Git sync) and the
 * sync configurations on them, the CodeBuild projects whose sources authenticate with it,
 * and, in the broker's own account, the resource shares it is in. Read fresh each time: the API's
 * guard and the workflow's own check before it deletes.
 */
export async function collectConnectionUsage(
  connectionArn: string,
  aws: Pick<Clients, 'pipelines' | 'connections' | 'codeBuild'> & Partial<Pick<Clients, 'ram'>>,
): Promise<ConnectionUsage> {
  const [pipelineActions, repositoryLinks, codeBuildProjects, resourceShares] = await Promise.all([
    pipelineActionsUsing(connectionArn, aws),
    repositoryLinksUsing(connectionArn, aws),
    codeBuildProjectsUsing(connectionArn, aws),
    aws.ram ? resourceSharesHolding(connectionArn, aws.ram) : Promise.resolve([]),
  ]);
  const syncConfigurations = await syncConfigurationsOn(repositoryLinks, connectionArn, aws);
  return { pipelineActions, repositoryLinks, syncConfigurations, codeBuildProjects, resourceShares };
}

async function pipelineActionsUsing(connectionArn: string, aws: Pick<Clients, 'pipelines'>): Promise<ConnectionUsage['pipelineActions']> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.pipelines.send(new ListPipelinesCommand({ nextToken }));
    names.push(...(page.pipelines ?? []).map((pipeline) => pipeline.name!));
    nextToken = page.nextToken;
  } while (nextToken);
  const found: ConnectionUsage['pipelineActions'] = [];
  for (const pipelineName of names) {
    const declaration = await pipelineIfAny(aws.pipelines, pipelineName);
    for (const stage of declaration?.stages ?? []) {
      for (const action of stage.actions ?? []) {
        if (!usesConnection(action, connectionArn)) continue;
        found.push({ pipelineName, stageName: stage.name!, actionName: action.name! });
      }
    }
  }
  return found;
}

async function repositoryLinksUsing(connectionArn: string, aws: Pick<Clients, 'connections'>): Promise<ConnectionUsage['repositoryLinks']> {
  const client = connectionsClientFor(connectionArn, aws);
  const found: ConnectionUsage['repositoryLinks'] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListRepositoryLinksCommand({ NextToken: nextToken }));
    for (const link of page.RepositoryLinks ?? []) {
      if (!link.ConnectionArn || !sameConnection(link.ConnectionArn, connectionArn)) continue;
      found.push({ repositoryLinkId: link.RepositoryLinkId!, arn: link.RepositoryLinkArn, repository: link.OwnerId && link.RepositoryName ? `${link.OwnerId}/${link.RepositoryName}` : undefined });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return found;
}

/**
 * The Git sync configurations (CFN_STACK_SYNC) on the connection's repository links: what the 409
 * names, so the caller knows which stacks to take off Git sync. The links refuse the decommission
 * whatever is on them, so a role that may not call ListSyncConfigurations (a spoke role deployed
 * before it) changes no decision: the links alone are named then, and the refusal is logged.
 */
async function syncConfigurationsOn(
  links: ConnectionUsage['repositoryLinks'],
  connectionArn: string,
  aws: Pick<Clients, 'connections'>,
): Promise<ConnectionUsage['syncConfigurations']> {
  const client = connectionsClientFor(connectionArn, aws);
  const found: ConnectionUsage['syncConfigurations'] = [];
  for (const link of links) {
    try {
      for (const sync of await listSyncConfigurations(client, link.repositoryLinkId)) {
        if (!sync.ResourceName) continue;
        found.push({ stackName: sync.ResourceName, repositoryLinkId: link.repositoryLinkId, ...(link.repository ? { repository: link.repository } : {}), ...(sync.Branch ? { branch: sync.Branch } : {}) });
      }
    } catch (error) {
      // Deleted since the list: nothing on it any more.
      if ((error as { name?: string }).name === 'ResourceNotFoundException') continue;
      if (!accessDeniedCode(error)) throw error;
      logger.warn('may not list the sync configurations on a repository link; the link alone is named', { repositoryLinkId: link.repositoryLinkId, error: error as Error });
    }
  }
  return found;
}

/**
 * Projects whose primary or a secondary source authenticates with the connection. A project
 * deleted between the list and the read comes back in projectsNotFound, and uses nothing.
 */
async function codeBuildProjectsUsing(connectionArn: string, aws: Pick<Clients, 'codeBuild'>): Promise<ConnectionUsage['codeBuildProjects']> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await aws.codeBuild.send(new ListProjectsCommand({ nextToken }));
    names.push(...(page.projects ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const found: ConnectionUsage['codeBuildProjects'] = [];
  for (let start = 0; start < names.length; start += PROJECTS_PER_BATCH) {
    const { projects = [] } = await aws.codeBuild.send(new BatchGetProjectsCommand({ names: names.slice(start, start + PROJECTS_PER_BATCH) }));
    for (const project of projects) {
      if ([project.source, ...(project.secondarySources ?? [])].some((source) => authenticatesWith(source, connectionArn))) found.push({ name: project.name!, arn: project.arn! });
    }
  }
  return found;
}

function authenticatesWith(source: ProjectSource | undefined, connectionArn: string): boolean {
  const auth = source?.auth;
  return auth?.type === 'CODECONNECTIONS' && auth.resource !== undefined && sameConnection(auth.resource, connectionArn);
}

async function resourceSharesHolding(connectionArn: string, ram: Clients['ram']): Promise<ConnectionUsage['resourceShares']> {
  const found = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await ram.send(new GetResourceShareAssociationsCommand({ associationType: 'RESOURCE', resourceArn: connectionArn, nextToken }));
    for (const association of page.resourceShareAssociations ?? []) {
      if (association.status !== 'ASSOCIATED' && association.status !== 'ASSOCIATING') continue;
      found.set(association.resourceShareArn!, association.resourceShareName ?? association.resourceShareArn!);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return [...found].map(([arn, name]) => ({ arn, name }));
}

/** A pipeline's declaration, or undefined when it was deleted meanwhile (it then uses nothing any more). */
export async function pipelineIfAny(pipelines: Clients['pipelines'], name: string): Promise<PipelineDeclaration | undefined> {
  try {
    return (await pipelines.send(new GetPipelineCommand({ name }))).pipeline;
  } catch (error) {
    if (error instanceof PipelineNotFoundException) return undefined;
    throw error;
  }
}
