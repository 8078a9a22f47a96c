import { randomUUID } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools.ts';

/** The ids an invocation works for: appended to every log line and set as trace annotations. */
export interface CorrelationIds {
  requestId?: string;
  approvalId?: string;
  auditId?: string;
}

export interface LambdaHandlerOptions<Event, Result = unknown> {
  /** Which request, approval or audit this event is about (read before the handler runs). */
  correlate?: (event: Event) => CorrelationIds;
  /** Middlewares that run inside the shell, closest to the handler (idempotency, routing errors). */
  use?: MiddlewareObj<Event, Result>[];
}

/**
 * Every function's shell, in the order Powertools documents: the trace segment first, then the
 * Lambda context and the correlation ids on the logger (cleared after each invocation, so a warm
 * container never mixes two requests' ids), then the metrics flushed once at the end (cold start
 * included). The handler itself stays a plain async function tests can call directly.
 */
export function lambdaHandler<Event, Result>(work: (event: Event, context: Context) => Promise<Result>, options: LambdaHandlerOptions<Event, Result> = {}) {
  const handler = middy<Event, Result>(work, NO_EARLY_TIMEOUT)
    .use(contextOutsideLambda())
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(correlationIds(options.correlate))
    .use(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }));
  for (const middleware of options.use ?? []) handler.use(middleware);
  // Lambda always passes a context; scripts and tests may pass none or a part (see contextOutsideLambda).
  return handler as typeof handler & ((event?: Event, context?: Partial<Context>) => Promise<Result>);
}

/**
 * middy can stop a handler just before Lambda's timeout and answer with an error. We switch that
 * off: the handler's work would go on in the background after the answer (Step Functions would
 * already be rolling back), and Lambda freezes and later thaws it mid-call. Lambda's own timeout
 * ends the environment instead (`Sandbox.Timedout`), and nothing after that point happens.
 */
const NO_EARLY_TIMEOUT = { timeoutEarlyInMillis: 0 };

/**
 * Scripts and tests call a handler with no Lambda context, or with only the part they need. They
 * get the rest of one, with the longest time a Lambda may run, so the shell logs and bounds work
 * the same way everywhere.
 */
function contextOutsideLambda<Event, Result>(): MiddlewareObj<Event, Result> {
  return {
    before: (request) => {
      const given = request.context as Partial<Context> | undefined;
      if (given?.functionName) return;
      request.context = {
        functionName: 'outside-lambda',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:outside-lambda',
        memoryLimitInMB: '128',
        awsRequestId: randomUUID(),
        logGroupName: 'outside-lambda',
        logStreamName: 'outside-lambda',
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => LONGEST_LAMBDA_MS,
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
        ...given,
      } as Context;
    },
  };
}

const LONGEST_LAMBDA_MS = 15 * 60 * 1000;

function correlationIds<Event, Result>(correlate: ((event: Event) => CorrelationIds) | undefined): MiddlewareObj<Event, Result> {
  return {
    before: (request) => {
      if (!correlate) return;
      const ids = definedOnly(correlate(request.event));
      logger.appendKeys(ids);
      for (const [name, value] of Object.entries(ids)) tracer.putAnnotation(name, value);
    },
  };
}

function definedOnly(ids: CorrelationIds): Record<string, string> {
  return Object.fromEntries(Object.entries(ids).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
}
