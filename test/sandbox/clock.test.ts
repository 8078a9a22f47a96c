import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';

describe('the sandbox clock', () => {
  it('stands still while frozen, moves only when advanced, and runs on from there when thawed', async () => {
    const clock = new SandboxClock();
    clock.freeze(true);
    const frozenAt = clock.nowMs();
    await sleep(30);
    expect(clock.nowMs()).toBe(frozenAt);
    expect(clock.advance(15_000)).toBe(frozenAt + 15_000);
    clock.freeze(false);
    await sleep(30);
    expect(clock.nowMs()).toBeGreaterThanOrEqual(frozenAt + 15_030);
    expect(clock.nowMs()).toBeLessThan(frozenAt + 15_000 + 5_000);
  });

  it('is frozen and thawed through the control API, which names a bad value', async () => {
    const sandbox = await startTestSandbox();
    try {
      const frozen = await control<{ frozen: boolean; epochSeconds: number }>(sandbox, 'PUT', '/clock', { frozen: true });
      expect(frozen.frozen).toBe(true);
      await sleep(20);
      expect((await control<{ epochSeconds: number }>(sandbox, 'GET', '/clock')).epochSeconds).toBe(frozen.epochSeconds);
      const response = await fetch(`${sandbox.url}/_sandbox/clock`, { method: 'PUT', body: JSON.stringify({ frozen: 'yes' }) });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('frozen');
      expect((await control<{ frozen: boolean }>(sandbox, 'PUT', '/clock', { frozen: false })).frozen).toBe(false);
    } finally {
      await sandbox.close();
    }
  });
});
