/**
 * A pid file that keeps two local runtimes off one on-disk store. LevelDB refuses a
 * second opener, and dynalite surfaces that only on the first request, by throwing from
 * its request handler and taking the whole process down; checking up front gives a
 * clear message instead.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';

export interface DirectoryLock {
  release(): Promise<void>;
}

export async function acquireLock(lockFile: string, purpose: string): Promise<DirectoryLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      return { release: () => unlink(lockFile).catch(() => undefined) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new Error(`${purpose} is in use by process ${holder} (lock file ${lockFile}). Stop that process, or remove the lock file if it is not a local runtime.`);
    }
    // The holder is gone (a crash or kill -9): the lock is stale.
    await unlink(lockFile).catch(() => undefined);
  }
  throw new Error(`Could not take ${lockFile}`);
}

/** Whether a process with this id exists (a lock's holder may have crashed). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
