import { logger } from '../shell/powertools.ts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { BrokerStore } from '../request/store.ts';
import type { SlackMessage } from '../adapters/slack/block-kit.ts';
import type { AuditClients } from './audit-clients.ts';
import { CallStats } from './call-stats.ts';
import { collectInventory } from './collect/inventory.ts';
import { publishAuditMetrics } from './metrics.ts';
import { Pacers } from './pacer.ts';
import { compareFingerprints, fingerprint, summarise, type AuditReport, type AuditTrigger } from './report.ts';
import { evaluate } from './rules/index.ts';
import type { AuditSettings } from './settings.ts';
import { auditSummaryMessage } from './slack-summary.ts';
import type { AuditStore } from './store.ts';


/** An audit's lock outlives the longest Lambda run (15 minutes), so a crashed run frees it. */
export const AUDIT_LEASE_SECONDS = 16 * 60;

export interface AuditCommand {
  auditId: string;
  trigger: AuditTrigger;
  requestedBy?: string;
  asOf: Date;
}

export interface AuditDependencies {
  auditStore: AuditStore;
  requestStore: BrokerStore;
  settings: AuditSettings;
  /** Clients for this audit, paced by these pacers and counted in these stats. */
  clientsFor: (pacers: Pacers, stats: CallStats) => AuditClients;
  postToSlack?: (channel: string, message: SlackMessage) => Promise<void>;
  metrics?: Metrics;
  /** Real time, for the report's start and duration (ages use `asOf`). */
  now?: () => Date;
}

/**
 * One audit: inventory → findings → stored report; a Slack summary when the findings changed
 * since the previous audit; metrics per finding type. Returns undefined when another audit holds
 * the lock (the scheduled run then simply skips).
 */
export async function runAudit(command: AuditCommand, deps: AuditDependencies): Promise<AuditReport | undefined> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const report: AuditReport = {
    auditId: command.auditId,
    status: 'RUNNING',
    trigger: command.trigger,
    ...(command.requestedBy ? { requestedBy: command.requestedBy } : {}),
    asOf: command.asOf.toISOString(),
    startedAt: started.toISOString(),
    findings: [],
  };
  const begun = await deps.auditStore.begin(report, AUDIT_LEASE_SECONDS);
  if (!begun.started) {
    logger.info('another audit is running; skipping', { auditId: command.auditId, runningAuditId: begun.runningAuditId });
    return undefined;
  }
  const stats = new CallStats();
  const aws = deps.clientsFor(new Pacers(), stats);
  try {
    const { inventory, counts } = await collectInventory({
      aws,
      auditStore: deps.auditStore,
      requestStore: deps.requestStore,
      stats,
      settings: deps.settings,
      asOf: command.asOf,
    });
    const findings = evaluate(inventory, { asOf: command.asOf, thresholds: deps.settings.thresholds });
    const finished = now();
    const current = fingerprint(findings);
    const previous = await deps.auditStore.latestFingerprint();
    const { added, resolved } = compareFingerprints(previous?.fingerprint, current);
    const completed: AuditReport = {
      ...report,
      status: 'COMPLETED',
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      summary: summarise(findings),
      inventory: counts,
      calls: { total: stats.totalAttempts, throttledFailures: stats.throttledFailures, byOperation: stats.snapshot() },
      changes: { added: added.length, resolved: resolved.length, slackNotified: false },
      findings,
    };
    if (added.length + resolved.length > 0) completed.changes!.slackNotified = await notify(completed, deps);
    // Metrics first: once the report reads COMPLETED, everything the audit emits is out.
    if (deps.metrics) publishAuditMetrics(deps.metrics, completed);
    await deps.auditStore.complete(completed, current);
    logger.info('audit completed', { auditId: completed.auditId, findings: findings.length, calls: stats.totalAttempts, durationMs: completed.durationMs });
    return completed;
  } catch (error) {
    const failed: AuditReport = { ...report, status: 'FAILED', finishedAt: now().toISOString(), failure: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    await deps.auditStore.fail(failed);
    throw error;
  } finally {
    for (const client of Object.values(aws)) client.destroy();
  }
}

/** A Slack outage never fails the audit; the report says whether the summary went out. */
async function notify(report: AuditReport, deps: AuditDependencies): Promise<boolean> {
  const channel = deps.settings.slackChannel;
  if (!channel || !deps.postToSlack) return false;
  try {
    await deps.postToSlack(channel, auditSummaryMessage(report, report.changes!, `/v1/audits/${report.auditId}`));
    return true;
  } catch (error) {
    logger.warn('could not post the audit summary to Slack', { error: error as Error });
    return false;
  }
}
