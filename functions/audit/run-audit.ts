import { logger } from '../shell/powertools.ts';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { BrokerStore } from '../request/store.ts';
import type { SlackMessage } from '../adapters/slack/block-kit.ts';
import type { AuditClients } from './audit-clients.ts';
import { CallStats, type OperationCalls } from './call-stats.ts';
import { collectInventory } from './collect/inventory.ts';
import { collectRequests } from './collect/requests.ts';
import { collectShares } from './collect/shares.ts';
import { publishAuditMetrics } from './metrics.ts';
import type { Finding, SharingInventory } from './model.ts';
import { Pacers } from './pacer.ts';
import { isHome, placeKey, planPlaces, requestsIn, type Home, type Place, type RegisteredAccount } from './places.ts';
import { compareFingerprints, fingerprint, summarise, type AuditReport, type AuditTrigger, type InventoryCounts, type PlaceOutcome, type PlaceSummary } from './report.ts';
import { evaluate, sortFindings } from './rules/index.ts';
import { placesNotAudited } from './rules/places.ts';
import { evaluateSharing } from './rules/sharing.ts';
import type { AuditSettings } from './settings.ts';
import { auditSummaryMessage } from './slack-summary.ts';
import type { AuditStore } from './store.ts';

/** An audit's lock outlives the longest Lambda run (15 minutes), so a crashed run frees it. */
export const AUDIT_LEASE_SECONDS = 16 * 60;

/** What the audit state machine is started with (by POST /v1/audits, or by the schedule). */
export interface AuditCommand {
  auditId: string;
  trigger: AuditTrigger;
  requestedBy?: string;
  /** The time ages are evaluated at (ISO 8601). */
  asOf: string;
}

/** What the plan hands the state machine: the places its Map fans out over, and how many at once. */
export interface AuditPlan {
  auditId: string;
  asOf: string;
  places: Place[];
  concurrency: number;
}

export interface AuditDependencies {
  auditStore: AuditStore;
  requestStore: BrokerStore;
  /** The registered spoke accounts (functions/accounts). */
  accounts: { list(): Promise<RegisteredAccount[]> };
  /** The hub connections offered for sharing (functions/sharing). */
  offered: { list(): Promise<SharingInventory['offered']> };
  settings: AuditSettings;
  home: Home;
  /** Clients for one place, paced by these pacers and counted in these stats. */
  clientsFor: (place: Place, pacers: Pacers, stats: CallStats) => AuditClients;
  postToSlack?: (channel: string, message: SlackMessage) => Promise<void>;
  metrics?: Metrics;
  /** Real time, for the report's start and duration (ages use `asOf`). */
  now?: () => Date;
}

/**
 * The first step: take the one-audit-at-a-time lock (POST /v1/audits and the schedule took it
 * already; taking it again for the same audit is a no-op) and list the places to audit. Undefined
 * when another audit holds the lock.
 */
export async function planAudit(command: AuditCommand, deps: AuditDependencies): Promise<AuditPlan | undefined> {
  const now = deps.now ?? (() => new Date());
  const begun = await deps.auditStore.begin(runningReport(command, now()), AUDIT_LEASE_SECONDS, now().getTime());
  if (!begun.started) {
    logger.info('another audit is running; skipping', { auditId: command.auditId, runningAuditId: begun.runningAuditId });
    return undefined;
  }
  const [accounts, requests] = await Promise.all([deps.accounts.list(), collectRequests(deps.requestStore)]);
  const places = planPlaces(deps.home, accounts, requests);
  logger.info('audit planned', { auditId: command.auditId, places: places.length });
  return { auditId: command.auditId, asOf: command.asOf, places, concurrency: deps.settings.concurrency };
}

/**
 * One account and Region: inventory → findings → stored with the place's summary. Its calls are
 * paced on its own (AWS limits each account separately), so places run side by side. The broker's
 * own place also checks the resource shares against the requests of every account. A place that
 * cannot be audited (its spoke role missing, access refused) is reported, never fatal.
 */
export async function auditPlace(command: Pick<AuditCommand, 'auditId' | 'asOf'>, place: Place, deps: AuditDependencies): Promise<PlaceOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const stats = new CallStats();
  const aws = deps.clientsFor(place, new Pacers(), stats);
  const home = isHome(place, deps.home);
  const asOf = new Date(command.asOf);
  let summary: PlaceSummary;
  let findings: Finding[];
  try {
    const requests = await collectRequests(deps.requestStore);
    const placeStore = deps.auditStore.forPlace(home ? undefined : placeKey(place));
    const { inventory, counts } = await collectInventory({
      aws,
      auditStore: placeStore,
      requests: requestsIn(place, deps.home, requests),
      stats,
      settings: deps.settings,
      asOf,
    });
    await placeStore.flushCacheWrites();
    const context = { asOf, thresholds: deps.settings.thresholds };
    findings = evaluate(inventory, context);
    if (home) {
      const [shares, offered] = await Promise.all([collectShares({ aws, stats }), deps.offered.list()]);
      findings.push(...evaluateSharing({ brokerAccountId: deps.home.accountId, shares, offered, hosts: inventory.hosts, connections: inventory.connections, requests }, context));
    } else {
      findings = findings.map((finding) => ({ accountId: place.accountId, region: place.region, ...finding }));
    }
    summary = {
      outcome: { ...place, status: 'AUDITED', findings: findings.length, ...callCounts(stats), durationMs: now().getTime() - started.getTime() },
      inventory: counts,
      calls: { total: stats.totalAttempts, throttledFailures: stats.throttledFailures, byOperation: stats.snapshot() },
    };
  } catch (error) {
    logger.warn('could not audit this account and Region', { place, error: error as Error });
    findings = [];
    summary = { outcome: { ...place, status: 'FAILED', error: describe(error), ...callCounts(stats), durationMs: now().getTime() - started.getTime() } };
  } finally {
    for (const client of Object.values(aws)) client.destroy();
  }
  await deps.auditStore.putPlace(command.auditId, summary, findings);
  return summary.outcome;
}

/**
 * The last step: every place's findings in one report (a place with no stored summary did not
 * finish, and is reported as not audited), a Slack summary when the findings changed since the
 * previous audit, metrics per finding type, and the lock given back.
 */
export async function finishAudit(command: Pick<AuditCommand, 'auditId'>, planned: readonly Place[], deps: AuditDependencies): Promise<AuditReport> {
  const now = deps.now ?? (() => new Date());
  const header = await deps.auditStore.header(command.auditId);
  if (!header) throw new Error(`audit ${command.auditId} has no report`);
  const { summaries, findings: placeFindings } = await deps.auditStore.places(command.auditId);
  const byPlace = new Map(summaries.map((summary) => [placeKey(summary.outcome), summary]));
  const outcomes: PlaceOutcome[] = planned.map(
    (place) => byPlace.get(placeKey(place))?.outcome ?? { ...place, status: 'FAILED', error: 'The audit of this account and Region did not finish (its Lambda invocation failed or timed out).' },
  );
  const findings = sortFindings([...placeFindings, ...placesNotAudited(outcomes, deps.home)]);
  const finished = now();
  const current = fingerprint(findings);
  const previous = await deps.auditStore.latestFingerprint();
  const { added, resolved } = compareFingerprints(previous?.fingerprint, current);
  const completed: AuditReport = {
    ...header,
    status: 'COMPLETED',
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - new Date(header.startedAt).getTime(),
    summary: summarise(findings),
    inventory: sumInventories(summaries),
    calls: sumCalls(summaries),
    changes: { added: added.length, resolved: resolved.length, slackNotified: false },
    places: outcomes,
    findings,
  };
  if (added.length + resolved.length > 0) completed.changes!.slackNotified = await notify(completed, deps);
  // Metrics first: once the report reads COMPLETED, everything the audit emits is out.
  if (deps.metrics) publishAuditMetrics(deps.metrics, completed);
  await deps.auditStore.complete(completed, current);
  logger.info('audit completed', {
    auditId: completed.auditId,
    findings: findings.length,
    places: outcomes.length,
    placesFailed: outcomes.filter((outcome) => outcome.status === 'FAILED').length,
    calls: completed.calls?.total,
    durationMs: completed.durationMs,
  });
  return completed;
}

/** The state machine could not run the audit at all (the plan or the last step failed): say so, and free the lock. */
export async function failAudit(command: Pick<AuditCommand, 'auditId'>, failure: string, deps: AuditDependencies): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const header = await deps.auditStore.header(command.auditId);
  if (!header || header.status !== 'RUNNING') return;
  await deps.auditStore.fail({ ...header, findings: [], status: 'FAILED', finishedAt: now().toISOString(), failure });
}

/** A report as it reads while the audit runs (no findings yet). */
export function runningReport(command: AuditCommand, started: Date): AuditReport {
  return {
    auditId: command.auditId,
    status: 'RUNNING',
    trigger: command.trigger,
    ...(command.requestedBy ? { requestedBy: command.requestedBy } : {}),
    asOf: command.asOf,
    startedAt: started.toISOString(),
    findings: [],
  };
}

function callCounts(stats: CallStats): { calls: number; throttledFailures: number } {
  return { calls: stats.totalAttempts, throttledFailures: stats.throttledFailures };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const INVENTORY_KEYS = ['hosts', 'connections', 'pipelines', 'pipelinesFetched', 'roles', 'requests', 'activeRequests'] as const;

function sumInventories(summaries: readonly PlaceSummary[]): InventoryCounts {
  const total = Object.fromEntries(INVENTORY_KEYS.map((key) => [key, 0])) as unknown as InventoryCounts;
  for (const { inventory } of summaries) if (inventory) for (const key of INVENTORY_KEYS) total[key] += inventory[key];
  return total;
}

function sumCalls(summaries: readonly PlaceSummary[]): NonNullable<AuditReport['calls']> {
  const byOperation: Record<string, OperationCalls> = {};
  let total = 0;
  let throttledFailures = 0;
  for (const { calls } of summaries) {
    if (!calls) continue;
    total += calls.total;
    throttledFailures += calls.throttledFailures;
    for (const [operation, { attempts, throttled }] of Object.entries(calls.byOperation)) {
      const sum = (byOperation[operation] ??= { attempts: 0, throttled: 0 });
      sum.attempts += attempts;
      sum.throttled += throttled;
    }
  }
  const sorted = Object.fromEntries(Object.entries(byOperation).sort(([a], [b]) => a.localeCompare(b)));
  return { total, throttledFailures, byOperation: sorted };
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
