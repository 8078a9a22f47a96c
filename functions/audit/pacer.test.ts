import { describe, expect, it } from 'vitest';
import { OperationPacer } from './pacer.ts';
import { FaultInjector } from '../../infra/local/sandbox/faults.ts';

/** Calls through the pacer against the sandbox's own TPS limiter (a one-second sliding window). */
async function drive(pacer: OperationPacer, calls: number, tps: number, latencyMs = 2) {
  const limiter = new FaultInjector();
  limiter.set('svc', 'Op', { tps });
  let throttled = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const started = performance.now();
  const one = async (): Promise<void> => {
    const sentAt = await pacer.acquire();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const outcome = await limiter.decide('svc', 'Op');
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (outcome === 'throttle') {
        throttled++;
        pacer.throttled(sentAt);
      } else {
        pacer.succeeded(sentAt);
      }
      if (outcome === 'throttle') return await retryLater(one);
    } finally {
      inFlight--;
      pacer.release();
    }
  };
  const retryLater = (again: () => Promise<void>) => new Promise<void>((resolve, reject) => setTimeout(() => again().then(resolve, reject), 50));
  await Promise.all(Array.from({ length: calls }, one));
  return { seconds: (performance.now() - started) / 1000, throttled, maxInFlight };
}

describe('OperationPacer', () => {
  it('learns an unknown limit and runs close to it, with few throttles', async () => {
    const pacer = new OperationPacer({ initialRate: 5, maxInFlight: 8 });
    const { seconds, throttled } = await drive(pacer, 80, 20);
    // 80 calls at 20 a second take 4 s at best; slow start from 5 a second costs a little.
    expect(seconds).toBeLessThan(4 * 1.35);
    expect(throttled).toBeLessThan(20);
    expect(pacer.currentRate).toBeGreaterThan(17);
    expect(pacer.currentRate).toBeLessThan(23);
  }, 20_000);

  it('never has more than maxInFlight calls out at once', async () => {
    const pacer = new OperationPacer({ initialRate: 200, maxInFlight: 3 });
    const { maxInFlight } = await drive(pacer, 30, 1000, 20);
    expect(maxInFlight).toBeLessThanOrEqual(3);
  });

  it('drops below the rate that succeeded before a throttled call, and no lower than its minimum', () => {
    let now = 10_000;
    const pacer = new OperationPacer({ initialRate: 5, minRate: 0.5, now: () => now });
    for (let call = 0; call < 10; call++) pacer.succeeded(now - 900 + call * 90);
    pacer.throttled(now);
    expect(pacer.currentRate).toBeCloseTo(9.7, 5);
    now += 10_000;
    pacer.throttled(now);
    expect(pacer.currentRate).toBeCloseTo(0.97, 5);
  });
});
