export type CallOutcome = 'ok' | 'client-error' | 'throttled' | 'server-error';

export interface CallCount {
  service: string;
  operation: string;
  ok: number;
  clientError: number;
  throttled: number;
  serverError: number;
}

/**
 * Counts every call by service, operation and outcome, so tests and benchmarks can read them; and
 * by the caller's account too, as AWS's rate limits are per account.
 */
export class CallLog {
  /** Over every account, keyed `${service}:${operation}`. */
  private readonly counts = new Map<string, CallCount>();
  /** Per account, keyed `${accountId}:${service}:${operation}`. */
  private readonly accountCounts = new Map<string, CallCount & { accountId: string }>();

  /** Counts one call; with the caller's account, in that account's counts as well. */
  record(service: string, operation: string, outcome: CallOutcome, accountId?: string): void {
    count(this.counts, `${service}:${operation}`, () => newCount(service, operation), outcome);
    if (accountId !== undefined) {
      count(this.accountCounts, `${accountId}:${service}:${operation}`, () => ({ accountId, ...newCount(service, operation) }), outcome);
    }
  }

  /** Counts per service and operation, over every account. */
  snapshot(): CallCount[] {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }

  /** Counts per account, service and operation. */
  snapshotByAccount(): (CallCount & { accountId: string })[] {
    return [...this.accountCounts.values()].map((entry) => ({ ...entry }));
  }

  reset(): void {
    this.counts.clear();
    this.accountCounts.clear();
  }
}

function newCount(service: string, operation: string): CallCount {
  return { service, operation, ok: 0, clientError: 0, throttled: 0, serverError: 0 };
}

function count<T extends CallCount>(counts: Map<string, T>, key: string, create: () => T, outcome: CallOutcome): void {
  let entry = counts.get(key);
  if (!entry) {
    entry = create();
    counts.set(key, entry);
  }
  if (outcome === 'ok') entry.ok++;
  else if (outcome === 'client-error') entry.clientError++;
  else if (outcome === 'throttled') entry.throttled++;
  else entry.serverError++;
}
