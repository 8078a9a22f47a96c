import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Logger, Tracer and Metrics for every function (Powertools' examples/app does the same in
 * commons/powertools): the service name comes from POWERTOOLS_SERVICE_NAME and the Lambda context
 * (function name, cold start, its request id) from `lambdaHandler`, so every module logs through
 * this logger and its lines carry the connection request, approval or audit the invocation is for.
 */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'connection-broker';
export const METRICS_NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ConnectionBroker';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const tracer = new Tracer({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  // An invocation with nothing to count (a read, a quiet sweep) is normal here, not worth a warning.
  logger: { debug: logger.debug.bind(logger), info: logger.info.bind(logger), warn: logger.debug.bind(logger), error: logger.error.bind(logger) },
});

/** An error as one line of text for a log attribute: its name and message only (a cause could carry request details). */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** An error as a log attribute: its name and message, never a request body or a secret. */
export function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
