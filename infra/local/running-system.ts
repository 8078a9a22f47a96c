/**
 * Where the system `npm start` runs: main.ts records its URLs in `.local/running.json` while it
 * runs, so that `npm run audit` (and any other script) reaches the ports it really listens on,
 * even when PORT/SANDBOX_PORT were set only in the terminal that started it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunningSystem {
  pid: number;
  apiUrl: string;
  sandboxUrl: string;
  startedAt: string;
}

export interface LocalEndpoints {
  apiUrl: string;
  sandboxUrl: string;
  /** How the URLs were chosen, for error messages. */
  source: string;
}

/** `<repo>/.local/running.json`; LOCAL_RUNNING_FILE overrides it. */
export function runningFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_RUNNING_FILE ?? fileURLToPath(new URL('../../.local/running.json', import.meta.url));
}

/** Writes the record; the returned function removes it again (if it is still this process's). */
export function recordRunningSystem(system: Omit<RunningSystem, 'pid' | 'startedAt'>, file = runningFile()): () => void {
  const record: RunningSystem = { pid: process.pid, startedAt: new Date().toISOString(), ...system };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return () => {
    if (readRunningSystem(file)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** The recorded system, if its process is still alive. */
export function readRunningSystem(file = runningFile()): RunningSystem | undefined {
  let record: Partial<RunningSystem>;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunningSystem>;
  } catch {
    return undefined;
  }
  if (typeof record.pid !== 'number' || typeof record.apiUrl !== 'string' || typeof record.sandboxUrl !== 'string') return undefined;
  if (!isAlive(record.pid)) return undefined;
  return record as RunningSystem;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The URLs a script should call: PORT and SANDBOX_PORT when set (as main.ts reads them), otherwise
 * those of the running `npm start`, otherwise main.ts's defaults (3000 and 4566).
 */
export function localEndpoints(env: NodeJS.ProcessEnv = process.env): LocalEndpoints {
  const running = readRunningSystem(runningFile(env));
  const apiUrl = env.PORT ? `http://127.0.0.1:${env.PORT}` : (running?.apiUrl ?? 'http://127.0.0.1:3000');
  const sandboxUrl = env.SANDBOX_PORT ? `http://127.0.0.1:${env.SANDBOX_PORT}` : (running?.sandboxUrl ?? 'http://127.0.0.1:4566');
  const source =
    env.PORT || env.SANDBOX_PORT
      ? 'PORT/SANDBOX_PORT from the environment'
      : running
        ? `the running \`npm start\` (pid ${running.pid}, ${runningFile(env)})`
        : 'the default ports: no running `npm start` is recorded';
  return { apiUrl, sandboxUrl, source };
}
