import { setTimeout as sleep } from 'node:timers/promises';

/** How the sandbox misbehaves for one service/operation, set through the control API. */
export interface FaultRule {
  /** Share of calls (0..1) answered with the service's throttling error. */
  throttleRate?: number;
  /** Share of calls (0..1) answered with a 5xx. */
  errorRate?: number;
  /** Added latency before the call is served, in real milliseconds. */
  latencyMs?: number;
  /** Calls per real second allowed; the excess is throttled, as AWS's per-API rate limits do. */
  tps?: number;
}

export type FaultOutcome = 'throttle' | 'server-error' | undefined;

export interface FaultRuleEntry extends FaultRule {
  service: string;
  operation: string;
}

const WILDCARD = '*';

/**
 * Decides, per call, whether to delay, throttle or fail it. Randomness is seeded so a test that
 * sets a rate gets the same sequence every run; TPS windows use real time because benchmarks
 * measure real wall time against them.
 */
export class FaultInjector {
  private readonly rules = new Map<string, FaultRule>();
  private readonly windows = new Map<string, number[]>();
  private random: () => number;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  seed(seed: number): void {
    this.random = mulberry32(seed);
  }

  set(service: string, operation: string, rule: FaultRule): void {
    this.rules.set(`${service}:${operation}`, rule);
    this.windows.delete(`${service}:${operation}`);
  }

  list(): FaultRuleEntry[] {
    return [...this.rules.entries()].map(([key, rule]) => {
      const [service, operation] = key.split(':') as [string, string];
      return { service, operation, ...rule };
    });
  }

  clear(): void {
    this.rules.clear();
    this.windows.clear();
  }

  async decide(service: string, operation: string): Promise<FaultOutcome> {
    const key = this.ruleKey(service, operation);
    if (!key) return undefined;
    const rule = this.rules.get(key)!;
    if (rule.latencyMs) await sleep(rule.latencyMs);
    if (rule.tps !== undefined && !this.admit(`${service}:${operation}`, rule.tps)) return 'throttle';
    if (rule.throttleRate && this.random() < rule.throttleRate) return 'throttle';
    if (rule.errorRate && this.random() < rule.errorRate) return 'server-error';
    return undefined;
  }

  private ruleKey(service: string, operation: string): string | undefined {
    for (const key of [`${service}:${operation}`, `${service}:${WILDCARD}`, `${WILDCARD}:${WILDCARD}`]) {
      if (this.rules.has(key)) return key;
    }
    return undefined;
  }

  /** Sliding one-second window per operation: admitted calls are counted, throttled ones are not. */
  private admit(key: string, tps: number): boolean {
    const now = performance.now();
    const window = (this.windows.get(key) ?? []).filter((at) => now - at < 1000);
    const admitted = window.length < tps;
    if (admitted) window.push(now);
    this.windows.set(key, window);
    return admitted;
  }
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
