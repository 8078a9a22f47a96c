import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { FINDING_TYPES } from './model.ts';
import type { AuditReport } from './report.ts';

/**
 * CloudWatch metrics in EMF (the shell's logMetrics flushes them when the invocation ends): one `Findings` metric per finding type (dimension `FindingType`,
 * zero included, so alarms see a value every audit), and the audit's own cost.
 */
export function publishAuditMetrics(metrics: Metrics, report: AuditReport): void {
  if (!report.summary) return;
  for (const type of FINDING_TYPES) {
    const single = metrics.singleMetric();
    single.addDimension('FindingType', type);
    // Not a dimension (that would make a metric per audit): lets a reader tie lines to one audit.
    single.addMetadata('AuditId', report.auditId);
    single.addMetric('Findings', MetricUnit.Count, report.summary.byType[type]);
  }
  metrics.addMetric('FindingsTotal', MetricUnit.Count, report.summary.total);
  metrics.addMetric('AuditDuration', MetricUnit.Milliseconds, report.durationMs ?? 0);
  metrics.addMetric('AuditApiCalls', MetricUnit.Count, report.calls?.total ?? 0);
  metrics.addMetric('AuditThrottledFailures', MetricUnit.Count, report.calls?.throttledFailures ?? 0);
}
