import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { lambdaHandler } from '../shell/lambda-handler.ts';
import { describeError, logger } from '../shell/powertools.ts';
import type { StepInput } from './context.ts';

/**
 * A workflow step's Lambda: the shell with the step's request id on every line, and one line when
 * the step begins and one when it ends (or why it did not), so a request can be followed through
 * CloudWatch step by step. The errors Step Functions retries by design (a busy host lock, a first
 * run still going) end a step without being failures, so they log at info.
 */
export function stepHandler<Event extends StepInput, Result>(
  step: string,
  work: (event: Event, context: Context) => Promise<Result>,
  options: { use?: MiddlewareObj<Event, Result>[] } = {},
) {
  return lambdaHandler<Event, Result>(work, { correlate: (event) => ({ requestId: event?.requestId }), use: [stepLines<Event, Result>(step), ...(options.use ?? [])] });
}

/** Step Functions retries these (statemachines/provisioning.asl.yml): waiting, not failing. */
const EXPECTED_RETRIES = new Set(['HostLockBusy', 'FirstRunInProgress', 'PipelineEditConflict', 'ConnectionNotAvailable', 'ShareNotReady']);

function stepLines<Event, Result>(step: string): MiddlewareObj<Event, Result> {
  return {
    before: () => {
      logger.info(`${step}: started`, { step });
    },
    after: () => {
      logger.info(`${step}: done`, { step });
    },
    onError: (request) => {
      const error = describeError(request.error);
      if (EXPECTED_RETRIES.has(error.name)) logger.info(`${step}: not yet (${error.name}); Step Functions tries again`, { step, error });
      else logger.warn(`${step}: failed (${error.name})`, { step, error });
    },
  };
}
