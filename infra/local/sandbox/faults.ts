import { setTimeout as sleep } from 'node:timers/promises';

/** How the sandbox misbehaves for one service/operation, set through the control API. */
export interface FaultRule {
  /** Share of calls (0..1) answered with the service's throttling error. */
  throttleRate?: number;
  /** Share of calls (0..1) answered with a 5xx. */
  errorRate?: number;
  /** Added latency before the call is served, in real milliseconds. */
  latencyMs?: number;
  /**
   * Calls per real second allowed to each account in each Region (IAM, a global service: to each
   * account); the excess is throttled, as AWS's per-API rate limits do.
   */
  tps?: number;
}

export type FaultOutcome = 'throttle' | 'server-error' | undefined;

export interface FaultRuleEntry extends FaultRule {
  service: string;
  operation: string;
}

/** Where a call is made: the caller's account and the Region it was signed for. */
export interface CallPlace {
  accountId: string;
  region: string;
}

const WILDCARD = '*';
/** Services whose rate limits are per account only: IAM is global (one endpoint, no Region). */
const GLOBAL_SERVICES = new Set(['iam']);

/** The admitted calls of the last second, for one operation in one account (and Region). */
interface TpsWindow {
  service: string;
  operation: string;
  admittedAt: number[];
}

/**
 * Decides, per call, whether to delay, throttle or fail it. Randomness is seeded so a test that
 * sets a rate gets the same sequence every run; TPS windows use real time because benchmarks
 * measure real wall time against them.
 *
 * Rules are global: one rule applies to the calls of every account. Its `tps`, like AWS's API
 * rate limits, is counted per account and Region, so two accounts each get the full rate (IAM's
 * per account only, as IAM is a global service).
 */
export class FaultInjector {
  private readonly rules = new Map<string, FaultRule>();
  /** Keyed `${accountId}:${region}:${service}:${operation}` (`${accountId}:iam:${operation}` for IAM). */
  private readonly windows = new Map<string, TpsWindow>();
  private random: () => number;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  seed(seed: number): void {
    this.random = mulberry32(seed);
  }

  /** Sets the rule for every account; the TPS windows it governs start empty again. */
  set(service: string, operation: string, rule: FaultRule): void {
    this.rules.set(`${service}:${operation}`, rule);
    for (const [key, window] of this.windows) {
      if ((service === WILDCARD || window.service === service) && (operation === WILDCARD || window.operation === operation)) {
        this.windows.delete(key);
      }
    }
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

  /**
   * The fault for one call of `service`'s `operation` by an account in a Region: the rule that
   * matches it (whatever the account), with its TPS counted against that account and Region.
   */
  async decide(service: string, operation: string, where: CallPlace): Promise<FaultOutcome> {
    const key = this.ruleKey(service, operation);
    if (!key) return undefined;
    const rule = this.rules.get(key)!;
    if (rule.latencyMs) await sleep(rule.latencyMs);
    if (rule.tps !== undefined && !this.admit(service, operation, where, rule.tps)) return 'throttle';
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

  /**
   * Sliding one-second window per operation, account and Region (per account for a global
   * service): admitted calls are counted, throttled ones are not.
   */
  private admit(service: string, operation: string, { accountId, region }: CallPlace, tps: number): boolean {
    const key = GLOBAL_SERVICES.has(service) ? `${accountId}:${service}:${operation}` : `${accountId}:${region}:${service}:${operation}`;
    const now = performance.now();
    const admittedAt = (this.windows.get(key)?.admittedAt ?? []).filter((at) => now - at < 1000);
    const admitted = admittedAt.length < tps;
    if (admitted) admittedAt.push(now);
    this.windows.set(key, { service, operation, admittedAt });
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
