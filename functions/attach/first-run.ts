import {
  ConflictException,
  GetPipelineStateCommand,
  NotLatestPipelineExecutionException,
  RetryStageExecutionCommand,
  StageNotRetryableException,
  StartPipelineExecutionCommand,
  type StageState,
} from '@aws-sdk/client-codepipeline';
import { chooseFirstRun, firstRunProgress } from './first-run-choice.ts';
import type { ConnectionRequestRecord, FirstRun, GitSyncState } from '../request/model.ts';
import { watchFirstSync } from './git-sync.ts';
import { timelineEntry } from '../request/store.ts';
import { activeRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { FirstRunInProgress, FirstRunSourceFailed } from '../workflow/errors.ts';
import { provideClients, type Clients } from '../adapters/aws-clients.ts';
import { pipelinesClient } from '../adapters/aws/codepipeline.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(pipelinesClient, connectionsClient, documentsClient);

/**
 * After attaching: retry the source stage if its last run failed (typically while the connection was
 * PENDING), else start an execution, then watch our source action. While it fails, retry the stage
 * and raise FirstRunSourceFailed, which the state machine retries with backoff: IAM changes take a
 * while to reach CodePipeline. While it runs, raise FirstRunInProgress. Idempotent: the execution
 * is recorded, and StartPipelineExecution carries a token derived from the request.
 */
/** The pipeline's first run as before, and Git sync's first sync beside it when the request asked for Git sync. */
async function firstRun(event: StepInput): Promise<Partial<FirstRun> & { gitSync?: GitSyncState }> {
  const record = await activeRequest(event.requestId);
  // The pipeline's run first: Git sync's wait throws the same FirstRunInProgress while it waits.
  const pipelineRun = record.pipeline ? await firstRunOfPipeline(event) : undefined;
  if (!record.gitSync) return pipelineRun ?? {};
  const current = await activeRequest(event.requestId);
  // Once the first sync has reported (or a blocker stopped it), the wait is over.
  const gitSync = current.gitSyncState?.blockers !== undefined ? current.gitSyncState : await watchFirstSync(current, workflowContext().awsFor(current));
  return { ...pipelineRun, gitSync };
}

async function firstRunOfPipeline(event: StepInput): Promise<FirstRun> {
  const context = workflowContext();
  const { store, config } = context;
  // A cancelled request's pipeline is not run (nor retried while the rollback waits).
  const record = await activeRequest(event.requestId);
  const aws = context.awsFor(record);
  if (record.firstRun && record.firstRun.status !== 'IN_PROGRESS') return record.firstRun;
  const name = record.pipeline!.name;
  const attachment = record.attachment!;

  const blocked = blockingFinding(record);
  if (blocked) return skip(record.requestId, blocked);

  let executionId = record.firstRun?.pipelineExecutionId;
  if (!executionId) {
    const choice = chooseFirstRun(config.pipelineAttach.firstRun, await sourceStage(aws, name, attachment.stageName));
    if (choice.kind === 'skip') return skip(record.requestId, choice.reason);
    let how: FirstRun['how'] = choice.kind === 'retry' ? 'retried' : 'started';
    if (choice.kind === 'retry') {
      executionId = await retrySourceStage(aws, name, attachment.stageName, choice.pipelineExecutionId);
      if (!executionId && config.pipelineAttach.firstRun === 'retry-only') {
        return skip(record.requestId, 'the failed source stage ran on an earlier pipeline structure, so it cannot be retried (FIRST_RUN=retry-only)');
      }
    }
    if (!executionId) {
      how = 'started';
      const { pipelineExecutionId } = await aws.pipelines.send(
        new StartPipelineExecutionCommand({ name, clientRequestToken: `first-run-${record.requestId}` }),
      );
      executionId = pipelineExecutionId!;
    }
    const started = executionId;
    await store.updateRequest(record.requestId, (current) => ({
      ...current,
      firstRun: { how, pipelineExecutionId: started, status: 'IN_PROGRESS', retries: 0 },
      timeline: [
        ...current.timeline,
        timelineEntry(
          'first-run',
          'system',
          how === 'retried'
            ? `Retried the failed ${attachment.stageName} stage of ${name} (execution ${started}).`
            : `Started pipeline ${name} (execution ${started}) to check the connection.`,
        ),
      ],
    }));
  }

  let progress = firstRunProgress(await sourceStage(aws, name, attachment.stageName), attachment.actionName, executionId);
  if (progress.state === 'failed') {
    // Most often IAM has not caught up with the grant yet; run the failed action again.
    let retried = await retrySourceStage(aws, name, attachment.stageName, progress.pipelineExecutionId);
    if (!retried && config.pipelineAttach.firstRun === 'auto') {
      // No longer retryable (the structure changed since, or a newer run exists): run afresh.
      const token = `first-run-${record.requestId}-${(record.firstRun?.retries ?? 0) + 1}`;
      ({ pipelineExecutionId: retried } = await aws.pipelines.send(new StartPipelineExecutionCommand({ name, clientRequestToken: token })));
    }
    if (retried) progress = firstRunProgress(await sourceStage(aws, name, attachment.stageName), attachment.actionName, retried);
  }
  const current = progress;
  const saved = await store.updateRequest(record.requestId, (latest) => {
    const before = latest.firstRun!;
    const firstRun: FirstRun = {
      ...before,
      pipelineExecutionId: current.pipelineExecutionId,
      status: current.state === 'succeeded' ? 'SUCCEEDED' : 'IN_PROGRESS',
      ...(current.state === 'failed' ? { retries: (before.retries ?? 0) + 1, lastError: current.error } : {}),
    };
    const notes =
      current.state === 'succeeded'
        ? [timelineEntry('first-run', 'system', `The ${attachment.actionName} source action of ${name} fetched the source (execution ${current.pipelineExecutionId}).`)]
        : current.state === 'failed' && before.lastError !== current.error
          ? [timelineEntry('first-run', 'system', `The ${attachment.actionName} source action failed (${current.error}); retrying while IAM changes propagate.`)]
          : [];
    return { ...latest, firstRun, timeline: [...latest.timeline, ...notes] };
  });
  if (current.state === 'in-progress') throw new FirstRunInProgress(name, current.pipelineExecutionId);
  if (current.state === 'failed') throw new FirstRunSourceFailed(name, current.pipelineExecutionId, current.error);
  return saved.firstRun!;
}

/**
 * A run would fail predictably when the role the source action runs as is known to lack the
 * permission (grants switched off, or refused): say so instead of failing the request.
 */
function blockingFinding(record: ConnectionRequestRecord): string | undefined {
  const finding = record.permissionFindings?.find((candidate) => /pipeline role|source action role/.test(candidate.purpose));
  return finding ? `the ${finding.purpose} ${finding.roleArn} lacks ${finding.missing.join(' and ')}; a run would fail` : undefined;
}

async function skip(requestId: string, reason: string): Promise<FirstRun> {
  const { store } = workflowContext();
  const saved = await store.updateRequest(requestId, (current) =>
    current.firstRun?.status === 'SKIPPED'
      ? undefined
      : {
          ...current,
          firstRun: { how: 'skipped', status: 'SKIPPED', reason },
          timeline: [...current.timeline, timelineEntry('first-run', 'system', `Did not run the pipeline: ${reason}.`)],
        },
  );
  return saved.firstRun!;
}

async function sourceStage(aws: Clients, name: string, stageName: string): Promise<StageState | undefined> {
  const { stageStates } = await aws.pipelines.send(new GetPipelineStateCommand({ name }));
  return stageStates?.find((stage) => stage.stageName === stageName);
}

/**
 * RetryStageExecution(FAILED_ACTIONS); undefined when the stage cannot be retried any more (the
 * pipeline's structure changed since that run, or a newer run exists), so a new run is needed.
 */
async function retrySourceStage(aws: Clients, name: string, stageName: string, pipelineExecutionId: string): Promise<string | undefined> {
  try {
    const { pipelineExecutionId: retried } = await aws.pipelines.send(
      new RetryStageExecutionCommand({ pipelineName: name, stageName, pipelineExecutionId, retryMode: 'FAILED_ACTIONS' }),
    );
    return retried ?? pipelineExecutionId;
  } catch (error) {
    if (error instanceof StageNotRetryableException || error instanceof NotLatestPipelineExecutionException) return undefined;
    // A retry is already under way: watch that one.
    if (error instanceof ConflictException) return pipelineExecutionId;
    throw error;
  }
}

export const handler = stepHandler('first-run', firstRun);
