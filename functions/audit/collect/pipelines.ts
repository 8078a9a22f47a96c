import { GetPipelineCommand, ListPipelinesCommand, type PipelineDeclaration, type PipelineSummary } from '@aws-sdk/client-codepipeline';
import type { AuditClients } from '../audit-clients.ts';
import type { CallStats } from '../call-stats.ts';
import type { PipelineFacts, SourceActionFacts, UnreadableResource } from '../model.ts';
import type { AuditStore, CachedPipeline } from '../store.ts';
import { unreadableFrom } from './access-denied.ts';
import { mapConcurrently, patiently } from './patiently.ts';

interface Dependencies {
  aws: AuditClients;
  store: AuditStore;
  stats: CallStats;
  asOf: Date;
}

/**
 * Every pipeline's source actions and role, incrementally: ListPipelines says when each pipeline
 * last changed (`updated`, and its version), and only pipelines that changed since the cached read
 * are fetched with GetPipeline again. An unchanged account costs one ListPipelines page per 1,000.
 */
export async function collectPipelines(
  deps: Dependencies,
): Promise<{ pipelines: PipelineFacts[]; fetched: number; unreadable: UnreadableResource[] }> {
  const [summaries, cache] = await Promise.all([listAllPipelines(deps), deps.store.cachedPipelines()]);
  let fetched = 0;
  const unreadable: UnreadableResource[] = [];
  const pipelines = await mapConcurrently(summaries, 32, async (summary): Promise<PipelineFacts | undefined> => {
    const cached = cache.get(summary.name!);
    if (cached && !hasChanged(cached, summary)) return withoutFetchTime(cached);
    const read = await readPipeline(summary, cached !== undefined, deps);
    if (read && 'denied' in read) {
      // Not ours to read: the last read stands in (and is not refreshed, so the next audit asks again).
      unreadable.push(read.denied);
      return cached ? withoutFetchTime(cached) : unreadPipeline(summary);
    }
    if (!read) return undefined;
    fetched++;
    await deps.store.putPipeline({ ...read, fetchedAt: deps.asOf.toISOString() });
    return read;
  });
  const listed = new Set(summaries.map((summary) => summary.name!));
  await mapConcurrently([...cache.keys()].filter((name) => !listed.has(name)), 8, (name) => deps.store.deletePipeline(name));
  return { pipelines: pipelines.filter((pipeline): pipeline is PipelineFacts => pipeline !== undefined), fetched, unreadable };
}

/** A pipeline that exists but that the auditor has never been allowed to read. */
function unreadPipeline(summary: PipelineSummary): PipelineFacts {
  return { name: summary.name!, version: summary.version ?? 0, updatedMs: summary.updated?.getTime() ?? 0, sourceActions: [], unread: true };
}

function hasChanged(cached: CachedPipeline, summary: PipelineSummary): boolean {
  return cached.updatedMs !== (summary.updated?.getTime() ?? 0) || cached.version !== (summary.version ?? 0);
}

function withoutFetchTime({ fetchedAt: _fetchedAt, ...facts }: CachedPipeline): PipelineFacts {
  return facts;
}

async function readPipeline(
  summary: PipelineSummary,
  cached: boolean,
  { aws, stats }: Dependencies,
): Promise<PipelineFacts | { denied: UnreadableResource } | undefined> {
  try {
    const { pipeline } = await patiently(() => aws.pipelines.send(new GetPipelineCommand({ name: summary.name! })), stats);
    return pipeline ? pipelineFacts(pipeline, summary) : undefined;
  } catch (error) {
    // Deleted between the listing and now.
    if ((error as { name?: string }).name === 'PipelineNotFoundException') return undefined;
    const denied = unreadableFrom(error, { resource: summary.name!, resourceKind: 'pipeline', action: 'codepipeline:GetPipeline', lastKnown: cached });
    if (denied) return { denied };
    throw error;
  }
}

export function pipelineFacts(declaration: PipelineDeclaration, summary: PipelineSummary): PipelineFacts {
  const sourceActions = (declaration.stages ?? []).flatMap((stage) =>
    (stage.actions ?? [])
      .filter((action) => action.actionTypeId?.category === 'Source')
      .map(
        (action): SourceActionFacts => ({
          stageName: stage.name ?? '',
          actionName: action.name ?? '',
          provider: action.actionTypeId?.provider ?? 'unknown',
          ...(action.configuration?.ConnectionArn ? { connectionArn: action.configuration.ConnectionArn } : {}),
        }),
      ),
  );
  return {
    name: declaration.name ?? summary.name!,
    version: summary.version ?? declaration.version ?? 0,
    updatedMs: summary.updated?.getTime() ?? 0,
    ...(declaration.roleArn ? { roleArn: declaration.roleArn } : {}),
    sourceActions,
  };
}

async function listAllPipelines({ aws, stats }: Dependencies): Promise<PipelineSummary[]> {
  const pipelines: PipelineSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await patiently(() => aws.pipelines.send(new ListPipelinesCommand({ maxResults: 1000, nextToken })), stats);
    pipelines.push(...(page.pipelines ?? []).filter((pipeline) => pipeline.name));
    nextToken = page.nextToken;
  } while (nextToken);
  return pipelines;
}
