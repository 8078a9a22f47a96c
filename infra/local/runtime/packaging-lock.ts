import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRunning } from './directory-lock.ts';

/**
 * One `osls package` at a time per checkout: osls writes and then deletes the project's own
 * `.serverless/` whatever `--package` says, so two runs at once (the local runtime packaging for the
 * local stage while a deploy test packages dev) break each other. Synchronous, because the deploy
 * tests package with spawnSync.
 */
export function acquirePackagingLock(root: string, timeoutMs = 10 * 60_000): () => void {
  const lock = join(root, '.local', 'packaging.lock');
  mkdirSync(join(root, '.local'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readPid(lock));
    if (Number.isInteger(holder) && holder > 0 && !isRunning(holder)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another packaging run (process ${holder}) holds ${lock}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

function readPid(lock: string): string {
  try {
    return readFileSync(join(lock, 'pid'), 'utf8').trim();
  } catch {
    return '';
  }
}
