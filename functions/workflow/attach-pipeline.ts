import type { ActionDeclaration } from '@aws-sdk/client-codepipeline';
import { GetPipelineCommand, UpdatePipelineCommand } from '@aws-sdk/client-codepipeline';
import { attachSourceConnection, isAttached, selectSourceAction } from '../pipelines/source-action.ts';
import { timelineEntry } from '../requests/store.ts';
import { workflowContext, type StepInput } from './context.ts';
import { SourceActionNotFound } from './errors.ts';
import { SourceActionSelectionError } from '../pipelines/errors.ts';

/**
 * Points the pipeline's source action at the connection (GetPipeline → rewrite → UpdatePipeline)
 * and records what it replaced. Safe to run again: an action already attached is left alone.
 */
export async function handler(event: StepInput): Promise<{ pipelineVersion: number }> {
  const { store, aws } = workflowContext();
  const record = await store.getRequest(event.requestId);
  const target = record.pipeline!;
  const { pipeline } = await aws.pipelines.send(new GetPipelineCommand({ name: target.name }));
  const settings = {
    connectionArn: record.connectionArn!,
    fullRepositoryId: target.fullRepositoryId,
    branchName: target.branchName,
    outputArtifactFormat: target.outputArtifactFormat,
    detectChanges: target.detectChanges,
  };
  let location;
  try {
    location = selectSourceAction(pipeline!, target.sourceActionName);
  } catch (error) {
    if (error instanceof SourceActionSelectionError) throw new SourceActionNotFound(target.name, error.message);
    throw error;
  }
  if (isAttached(pipeline!, location, settings) && record.attachment) return { pipelineVersion: pipeline!.version! };

  const { declaration, previousAction } = attachSourceConnection(pipeline!, location, settings);
  const { pipeline: updated } = await aws.pipelines.send(new UpdatePipelineCommand({ pipeline: declaration }));
  const pipelineVersion = updated?.version ?? (pipeline!.version ?? 0) + 1;
  await store.updateRequest(record.requestId, (current) => ({
    ...current,
    status: 'ATTACHING_PIPELINE',
    attachment: current.attachment ?? { ...location, previousAction: previousAction as ActionDeclaration, pipelineVersion },
    timeline: [
      ...current.timeline,
      timelineEntry('attach', 'system', `Attached the connection to ${target.name} (${location.stageName}/${location.actionName}), pipeline version ${pipelineVersion}.`),
    ],
  }));
  return { pipelineVersion };
}
