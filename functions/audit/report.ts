import { FINDING_TYPES, type Finding, type FindingType, type Severity } from './model.ts';
import { findingKey } from './rules/index.ts';
import type { OperationCalls } from './call-stats.ts';

export type AuditStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';
export type AuditTrigger = 'schedule' | 'api';

/** One audit as stored and served by GET /v1/audits/{id}. */
export interface AuditReport {
  auditId: string;
  status: AuditStatus;
  trigger: AuditTrigger;
  requestedBy?: string;
  /** The time ages were evaluated at (see README: the schedule's event time, or an admin's `asOf`). */
  asOf: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  summary?: AuditSummary;
  inventory?: InventoryCounts;
  calls?: { total: number; throttledFailures: number; byOperation: Record<string, OperationCalls> };
  /** Against the previous completed audit. */
  changes?: { added: number; resolved: number; slackNotified: boolean };
  /** Each account and Region a fleet audit covered, the broker's own first. */
  places?: PlaceOutcome[];
  findings: Finding[];
  failure?: string;
}

/** What one account and Region's part of the audit stores besides its findings. */
export interface PlaceSummary {
  outcome: PlaceOutcome;
  inventory?: InventoryCounts;
  calls?: { total: number; throttledFailures: number; byOperation: Record<string, OperationCalls> };
}

/** How one account and Region's part of the audit went: audited, or why not (its findings are then missing). */
export interface PlaceOutcome {
  accountId: string;
  region: string;
  status: 'AUDITED' | 'FAILED';
  findings?: number;
  calls?: number;
  throttledFailures?: number;
  durationMs?: number;
  error?: string;
}

export interface AuditSummary {
  total: number;
  bySeverity: Record<Severity, number>;
  byType: Record<FindingType, number>;
}

export interface InventoryCounts {
  hosts: number;
  connections: number;
  pipelines: number;
  /** Pipelines read with GetPipeline this time (the rest came from the cache). */
  pipelinesFetched: number;
  roles: number;
  requests: number;
  activeRequests: number;
}

export function summarise(findings: readonly Finding[]): AuditSummary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const byType = Object.fromEntries(FINDING_TYPES.map((type) => [type, 0])) as Record<FindingType, number>;
  for (const finding of findings) {
    bySeverity[finding.severity]++;
    byType[finding.type]++;
  }
  return { total: findings.length, bySeverity, byType };
}

/** Order-independent identity of a set of findings: equal fingerprints mean nothing changed. */
export function fingerprint(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((finding) => `${findingKey(finding)}|${finding.severity}`))].sort();
}

export function compareFingerprints(previous: readonly string[] | undefined, current: readonly string[]): { added: string[]; resolved: string[] } {
  const before = new Set(previous ?? []);
  const now = new Set(current);
  return { added: current.filter((key) => !before.has(key)), resolved: [...before].filter((key) => !now.has(key)) };
}
