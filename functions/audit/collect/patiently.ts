import { setTimeout as sleep } from 'node:timers/promises';
import { isThrottling, type CallStats } from '../call-stats.ts';

/**
 * The SDK retries a throttled call a few times; when it gives up, the pacer has already slowed
 * the operation down, so waiting a little and trying again succeeds. An audit must not fail because
 * AWS asked it to slow down; it gives up only after `attempts` rounds (minutes of waiting).
 */
export async function patiently<T>(call: () => Promise<T>, stats: CallStats, attempts = 10, baseDelayMs = 500): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error)) throw error;
      if (round >= attempts) {
        stats.throttledFailures++;
        throw error;
      }
      await sleep(Math.min(20_000, baseDelayMs * 2 ** (round - 1)) * (0.5 + Math.random() / 2));
    }
  }
}

/** Runs `work` over `items` with at most `limit` running at once; results keep the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
