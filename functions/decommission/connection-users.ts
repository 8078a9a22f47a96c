import { GetPipelineCommand, ListPipelinesCommand, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { ListRepositoryLinksCommand } from '@aws-sdk/client-codestar-connections';
import { GetResourceShareAssociationsCommand } from '@aws-sdk/client-ram';
import type { Clients } from '../adapters/aws-clients.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { CONNECTION_SOURCE_TYPE, sameConnection } from '../attach/source-action.ts';
import type { ConnectionUsage } from './guard.ts';

/**
 * What uses a connection, read from AWS where the connection lives: every pipeline's source actions
 * (either ARN prefix names the same connection), the account's repository links (Git sync, whose
 * sync configurations hang off a link), and, in the broker's own account, the resource shares it
 * is in. Read fresh each time: the API's guard and the workflow's own check before it deletes.
 */
export async function collectConnectionUsage(
  connectionArn: string,
  aws: Pick<Clients, 'pipelines' | 'connections'> & Partial<Pick<Clients, 'ram'>>,
): Promise<ConnectionUsage> {
  const [pipelineActions, repositoryLinks, resourceShares] = await Promise.all([
    pipelineActionsUsing(connectionArn, aws),
    repositoryLinksUsing(connectionArn, aws),
    aws.ram ? resourceSharesHolding(connectionArn, aws.ram) : Promise.resolve([]),
  ]);
  return { pipelineActions, repositoryLinks, resourceShares };
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
    let declaration;
    try {
      ({ pipeline: declaration } = await aws.pipelines.send(new GetPipelineCommand({ name: pipelineName })));
    } catch (error) {
      // Deleted between the list and the read: it uses nothing any more.
      if (error instanceof PipelineNotFoundException) continue;
      throw error;
    }
    for (const stage of declaration?.stages ?? []) {
      for (const action of stage.actions ?? []) {
        const arn = action.configuration?.ConnectionArn;
        if (action.actionTypeId?.provider !== CONNECTION_SOURCE_TYPE.provider || !arn || !sameConnection(arn, connectionArn)) continue;
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
