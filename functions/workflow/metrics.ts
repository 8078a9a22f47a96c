import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestStatus } from '../request/model.ts';
import { metrics } from '../shell/powertools.ts';
import type { WaitKind } from '../waits/wait-store.ts';

/**
 * The workflow's CloudWatch metrics (EMF, flushed by the shell's logMetrics at the end of each
 * invocation): how many requests start and how each ends, and how long people take at their step.
 */
const ENDED_METRIC: Partial<Record<RequestStatus, string>> = {
  COMPLETED: 'RequestsCompleted',
  FAILED: 'RequestsFailed',
  CANCELLED: 'RequestsCancelled',
  TIMED_OUT: 'RequestsTimedOut',
  REJECTED: 'RequestsRejected',
};

export function recordRequestStarted(): void {
  metrics.addMetric('RequestsStarted', MetricUnit.Count, 1);
}

/** One count under the outcome's own name, and one `RequestsEnded` per `Outcome` for a single graph. */
export function recordRequestEnded(status: RequestStatus): void {
  const name = ENDED_METRIC[status];
  if (!name) return;
  metrics.addMetric(name, MetricUnit.Count, 1);
  const perOutcome = metrics.singleMetric();
  perOutcome.addDimension('Outcome', status);
  perOutcome.addMetric('RequestsEnded', MetricUnit.Count, 1);
}

/** How long a person took at their step (`host-setup`: the GHES admin; `handshake`: the approver). */
export function recordHumanWait(kind: WaitKind, since: string, endedAt: Date): void {
  const seconds = (endedAt.getTime() - Date.parse(since)) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) return;
  const wait = metrics.singleMetric();
  wait.addDimension('Wait', kind);
  wait.addMetric('HumanWaitDuration', MetricUnit.Seconds, seconds);
}
