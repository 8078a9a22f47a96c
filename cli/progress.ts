/**
 * A request's view (GET /v1/connection-requests/{id}, functions/request/request-view.ts) → what
 * the CLI shows: `status`'s lines, and `status --watch`'s progress (a ✔ line per timeline entry as
 * it appears, the current step with who must act and by when, the end and its exit code). Pure:
 * the time is a parameter.
 */
import { STATUSES, type RequestStatus } from '../functions/request/model.ts';
import type { RequestView } from '../functions/request/request-view.ts';
import { EXIT } from './api-error.ts';

/** The parts of the view the CLI reads (a full view is one). */
export type WatchedView = Pick<RequestView, 'requestId' | 'status' | 'currentStep' | 'timeline'> &
  Partial<Pick<RequestView, 'nextAction' | 'failure' | 'attention' | 'connectionName' | 'connectionArn' | 'hostArn' | 'providerEndpoint' | 'providerType' | 'accountId' | 'region' | 'pipeline' | 'createdAt' | 'updatedAt'>>;

type TimelineEntry = WatchedView['timeline'][number];

/** Whether the status is final (functions/request/model.ts); an unknown status is not. */
export function isTerminalStatus(status: string): boolean {
  return Object.hasOwn(STATUSES, status) && STATUSES[status as RequestStatus].terminal;
}

/** The statuses a watch ends well in. */
const SUCCEEDED: readonly string[] = ['COMPLETED', 'DECOMMISSIONED'];

/** The exit code a watch ends with: 0 COMPLETED or DECOMMISSIONED, 3 any other final status; undefined while it goes on. */
export function watchExitCode(status: string): 0 | 3 | undefined {
  if (!isTerminalStatus(status)) return undefined;
  return SUCCEEDED.includes(status) ? EXIT.ok : EXIT.notCompleted;
}

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05 UTC` (the view's times are UTC). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration in words people read at a glance: `6d 23h`, `3h 5m`, `4m`, `under a minute`. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  if (minutes < 1) return 'under a minute';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${rest}m`;
  return `${rest}m`;
}

/** A deadline: its time, and how far off it is when `now` is given (`in 6d 23h`, `2h 0m ago`). */
export function formatDeadline(iso: string, now?: Date): string {
  const at = Date.parse(iso);
  if (now === undefined || Number.isNaN(at)) return formatTime(iso);
  const left = at - now.getTime();
  return `${formatTime(iso)} (${left >= 0 ? `in ${formatDuration(left)}` : `${formatDuration(left)} ago`})`;
}

/** One timeline entry as a line: `<step>: <message>` (and who, when it was not the system). */
export function timelineLine(entry: TimelineEntry): string {
  return `${entry.step}: ${entry.message}${entry.actor === 'system' ? '' : ` (${entry.actor})`}`;
}

/** `  label:      value`: the labels of a request's lines, aligned. */
const field = (label: string, value: string): string => `  ${`${label}:`.padEnd(11)} ${value}`;

/** Who must act next, what, by when and where, as lines (none when nobody has to act). */
export function nextActionLines(view: Pick<WatchedView, 'nextAction'>, now?: Date): string[] {
  const next = view.nextAction;
  if (!next) return [];
  return [
    field('next', next.message),
    field('who', next.actor),
    ...(next.deadline ? [field('by', formatDeadline(next.deadline, now))] : []),
    ...(next.actionUrl ? [field('link', next.actionUrl)] : []),
  ];
}

/** What a finished request still needs (`attention`), leaving out what nextAction already says. */
export function attentionLines(view: Pick<WatchedView, 'nextAction' | 'attention'>): string[] {
  const next = view.nextAction?.message;
  return (view.attention ?? [])
    .filter((item) => next === undefined || !next.startsWith(item.message.replace(/\.$/u, '')))
    .map((item) => field('attention', `${item.message} (${item.actor})${item.actionUrl ? ` ${item.actionUrl}` : ''}`));
}

/** `status <id>`: the request's status, step, who must act next and by when, the link, and the timeline. */
export function statusLines(view: WatchedView, now?: Date): string[] {
  const lines = [`${view.requestId}  ${view.status}: ${view.currentStep}`];
  if (view.connectionName) lines.push(field('connection', `${view.connectionName}${view.connectionArn ? ` (${view.connectionArn})` : ''}`));
  if (view.hostArn) lines.push(field('host', view.hostArn));
  if (view.providerEndpoint) lines.push(field('endpoint', `${view.providerEndpoint}${view.providerType ? ` (${view.providerType})` : ''}`));
  if (view.region) lines.push(field('region', `${view.region}${view.accountId ? ` (account ${view.accountId})` : ''}`));
  if (view.pipeline) lines.push(field('pipeline', `${view.pipeline.name} ← ${view.pipeline.fullRepositoryId}@${view.pipeline.branchName}`));
  if (view.failure) lines.push(field('failure', `${view.failure.code}: ${view.failure.message}`));
  lines.push(...nextActionLines(view, now), ...attentionLines(view));
  if (view.timeline.length > 0) {
    lines.push('  timeline:');
    for (const entry of view.timeline) lines.push(`    ${formatTime(entry.at)}  ${timelineLine(entry)}`);
  }
  return lines;
}

/** `list`: one line per request, in aligned columns (id, status, connection, endpoint, created). */
export function listLines(views: readonly WatchedView[]): string[] {
  const rows = views.map((view) => [view.requestId, view.status, view.connectionName ?? '', view.providerEndpoint ?? '', view.createdAt ? formatTime(view.createdAt) : '']);
  const widths = rows.reduce((max, row) => row.map((cell, index) => Math.max(cell.length, max[index] ?? 0)), [] as number[]);
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** One poll's worth of `status --watch`. */
export interface WatchUpdate {
  /** Timeline entries not shown before, each a finished step (shown with ✔). */
  finished: string[];
  /** How many timeline entries have been shown, this update's included. */
  seen: number;
  /**
   * The current step and who must act, for the spinner (several lines when someone must act).
   * Absent once the request has ended.
   */
  current?: string;
  /** Set once the status is final: the closing line, its symbol and the exit code. */
  end?: { symbol: '✔' | '✖'; text: string; exitCode: 0 | 3; notes: string[] };
}

/**
 * What to show after a poll, given how many timeline entries were shown before.
 *
 * @param view - the request as the API shows it now.
 * @param seen - timeline entries already shown (0 at the start).
 * @param now - for the time left to the deadline; leave it out for text that changes only when the request does (plain output).
 */
export function watchUpdate(view: WatchedView, seen: number, now?: Date): WatchUpdate {
  const from = Math.min(seen, view.timeline.length);
  const finished = view.timeline.slice(from).map(timelineLine);
  const exitCode = watchExitCode(view.status);
  const update: WatchUpdate = { finished, seen: view.timeline.length };
  if (exitCode !== undefined) {
    const reason = view.failure ? `: ${view.failure.code}: ${view.failure.message}` : '';
    // What is left to do after the end: a COMPLETED request's missing pipeline permissions, a failed one's next step.
    const notes = [...nextActionLines(view, now), ...attentionLines(view)];
    update.end = { symbol: exitCode === EXIT.ok ? '✔' : '✖', text: `${view.status}${exitCode === EXIT.ok ? '' : reason}`, exitCode, notes };
    return update;
  }
  update.current = [`${view.status}: ${view.currentStep}`, ...nextActionLines(view, now)].join('\n');
  return update;
}

/**
 * How `--watch` shows its progress: a spinner only on a terminal that can draw one (a TTY with a
 * width, TERM not dumb, not CI, as ora's own check plus the width it divides by); plain lines
 * anywhere else; nothing with `--json`.
 */
export function watchDisplay(
  stdout: { isTTY?: boolean; columns?: number },
  env: Readonly<Record<string, string | undefined>>,
  json: boolean,
): 'spinner' | 'plain' | 'none' {
  if (json) return 'none';
  const interactive = stdout.isTTY === true && (stdout.columns ?? 0) > 0 && env.TERM !== 'dumb' && env.CI === undefined;
  return interactive ? 'spinner' : 'plain';
}
