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

  /**
   * The order of the changes made: every call that succeeded and was not a read, with what it
   * acted on and every connection ARN its input named, so a test can replay what pointed where
   * when (e.g. that no pipeline named a connection when it was deleted). The latest TRAIL_LIMIT.
   */
  private changes: Change[] = [];
  private sequence = 0;

  recordChange(service: string, operation: string, input: Record<string, unknown>, accountId?: string): void {
    this.changes.push({ sequence: ++this.sequence, service, operation, ...(accountId ? { accountId } : {}), ...subjectOf(input), connectionArns: connectionArnsIn(input) });
    if (this.changes.length > TRAIL_LIMIT) this.changes.splice(0, this.changes.length - TRAIL_LIMIT);
  }

  trail(): Change[] {
    return this.changes.map((change) => ({ ...change, connectionArns: [...change.connectionArns] }));
  }

  reset(): void {
    this.counts.clear();
    this.accountCounts.clear();
    this.changes = [];
  }
}

export interface Change {
  sequence: number;
  service: string;
  operation: string;
  accountId?: string;
  /** What the call acted on: a pipeline's, role's or project's name, or a host's or connection's ARN. */
  subject?: string;
  connectionArns: string[];
}

const TRAIL_LIMIT = 10_000;
const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[^:]*:\d{12}:connection\/[\w-]+$/;

function subjectOf(input: Record<string, unknown>): { subject?: string } {
  const pipeline = input.pipeline as { name?: unknown } | undefined;
  const subject = [pipeline?.name, input.name, input.Name, input.ConnectionArn, input.HostArn, input.RoleName, input.ResourceArn].find((value) => typeof value === 'string');
  return typeof subject === 'string' ? { subject } : {};
}

/** Every connection ARN anywhere in the input (a pipeline declaration names them in its actions). */
function connectionArnsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (CONNECTION_ARN.test(value) && !found.includes(value)) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) connectionArnsIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) connectionArnsIn(item, found);
  }
  return found;
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
