import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import { control, startTestSandbox } from '../helpers/sandbox.ts';

describe('the sandbox clock', () => {
  it('keeps its time across a restart: an advanced clock is not set back, a frozen one stays frozen', () => {
    const directory = mkdtempSync(join(tmpdir(), 'clock-'));
    try {
      const file = join(directory, 'clock.json');
      const before = new SandboxClock();
      before.persistTo(file);
      const advancedTo = before.advance(3 * 86_400_000);
      const restarted = new SandboxClock();
      restarted.persistTo(file);
      expect(restarted.nowMs()).toBeGreaterThanOrEqual(advancedTo);
      expect(restarted.nowMs()).toBeLessThan(advancedTo + 5_000);

      restarted.freeze(true);
      const frozenAt = restarted.nowMs();
      const again = new SandboxClock();
      again.persistTo(file);
      expect(again.frozen).toBe(true);
      expect(again.nowMs()).toBe(frozenAt);

      // A torn file is ignored: the machine's time, not a crash.
      writeFileSync(file, '{"offsetMs": 12');
      const torn = new SandboxClock();
      torn.persistTo(file);
      expect(Math.abs(torn.nowMs() - Date.now())).toBeLessThan(5_000);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

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
