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
      const outcome = await limiter.decide('svc', 'Op', { accountId: '111111111111', region: 'us-east-1' });
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

  it('drops below what was admitted in the second before a throttled call, replies still out included, at most 30 % at once', async () => {
    let now = 10_000;
    const pacer = new OperationPacer({ initialRate: 11.5, maxInFlight: 100, minRate: 0.5, now: () => now });
    const sent: number[] = [];
    for (let call = 0; call < 11; call++) {
      now = 9_100 + call * 90;
      sent.push(await pacer.acquire());
    }
    // No reply is back when the eleventh call is throttled; the ten before it were admitted all the same.
    pacer.throttled(sent[10]!);
    expect(pacer.currentRate).toBeCloseTo(9.7, 5);
    // Throttled with nothing sent before it (the sends bunched up on the way): 30 % down, not to nothing.
    now += 10_000;
    pacer.throttled(now);
    expect(pacer.currentRate).toBeCloseTo(9.7 * 0.7, 5);
    for (let throttle = 0; throttle < 20; throttle++) pacer.throttled((now += 1_000));
    expect(pacer.currentRate).toBeCloseTo(0.97, 5);
  });

  it('lowers the rate once per overshoot: late throttles of calls sent before the decrease change nothing', async () => {
    let now = 10_000;
    const pacer = new OperationPacer({ initialRate: 40, maxInFlight: 100, now: () => now });
    const sent: number[] = [];
    for (let call = 0; call < 20; call++) {
      now = 10_000 + call * 30;
      sent.push(await pacer.acquire());
    }
    now += 2_000;
    pacer.throttled(sent[19]!);
    const lowered = pacer.currentRate;
    expect(lowered).toBeCloseTo(40 * 0.7, 5);
    // The burst's other throttles arrive late; the rate stays where the first one put it.
    for (const at of sent.slice(10, 19)) pacer.throttled(at);
    expect(pacer.currentRate).toBe(lowered);
  });
});
