/** Calls the audit made, per operation: every attempt, and how many of them AWS throttled. */
export interface OperationCalls {
  attempts: number;
  throttled: number;
}

export class CallStats {
  private readonly byOperation = new Map<string, OperationCalls>();
  /** Calls that still failed on throttling after every retry (the target is none). */
  throttledFailures = 0;

  attempt(operation: string, throttled: boolean): void {
    const calls = this.byOperation.get(operation) ?? { attempts: 0, throttled: 0 };
    calls.attempts++;
    if (throttled) calls.throttled++;
    this.byOperation.set(operation, calls);
  }

  snapshot(): Record<string, OperationCalls> {
    return Object.fromEntries([...this.byOperation.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([operation, calls]) => [operation, { ...calls }]));
  }

  get totalAttempts(): number {
    return [...this.byOperation.values()].reduce((sum, calls) => sum + calls.attempts, 0);
  }
}

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return THROTTLING_ERRORS.has(name ?? '') || $metadata?.httpStatusCode === 429;
}
