export type CallOutcome = 'ok' | 'client-error' | 'throttled' | 'server-error';

export interface CallCount {
  service: string;
  operation: string;
  ok: number;
  clientError: number;
  throttled: number;
  serverError: number;
}

/** Counts every call by service, operation and outcome, so tests and benchmarks can read them. */
export class CallLog {
  private readonly counts = new Map<string, CallCount>();

  record(service: string, operation: string, outcome: CallOutcome): void {
    const key = `${service}:${operation}`;
    let count = this.counts.get(key);
    if (!count) {
      count = { service, operation, ok: 0, clientError: 0, throttled: 0, serverError: 0 };
      this.counts.set(key, count);
    }
    if (outcome === 'ok') count.ok++;
    else if (outcome === 'client-error') count.clientError++;
    else if (outcome === 'throttled') count.throttled++;
    else count.serverError++;
  }

  snapshot(): CallCount[] {
    return [...this.counts.values()].map((count) => ({ ...count }));
  }

  reset(): void {
    this.counts.clear();
  }
}
