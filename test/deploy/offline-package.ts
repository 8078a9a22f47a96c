import { spawnSync } from 'node:child_process';
import { acquirePackagingLock } from '../../infra/local/runtime/packaging-lock.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PackageRun {
  /** How the absence of network and credentials was enforced. */
  isolation: 'no network namespace (unshare -n)' | 'credentials removed only';
  seconds: number;
}

function canDropNetwork(): boolean {
  return spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
}

export interface PackageOptions {
  /** Appended to `npm run package --`, e.g. `['--stage', 'prod', '--package', dir]`. */
  args?: string[];
  /** Variables the packaging may read (e.g. JWT_ISSUER_URL); nothing else is passed on. */
  env?: Record<string, string>;
}

export interface PackageAttempt extends PackageRun {
  status: number | null;
  /** stdout and stderr together. */
  output: string;
}

/**
 * Runs `npm run package` the way CI without AWS access would: no AWS_* variables, a
 * fresh HOME (so no ~/.aws files), and no network at all when the kernel lets us make
 * an empty network namespace. Throws with the command's output if it fails.
 */
export function packageOffline(repoRoot: string, options: PackageOptions = {}): PackageRun {
  const run = tryPackageOffline(repoRoot, options);
  if (run.status !== 0) throw new Error(`npm run package failed (status ${run.status})\n${run.output}`);
  return { isolation: run.isolation, seconds: run.seconds };
}

/** {@link packageOffline}, but a failed packaging is returned (status and output), not thrown. */
export function tryPackageOffline(repoRoot: string, options: PackageOptions = {}): PackageAttempt {
  const home = mkdtempSync(join(tmpdir(), 'package-home-'));
  // serverless-esbuild leaves its per-function zip folders in TMPDIR: keep them in HOME, removed below.
  const env = { ...options.env, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true', TMPDIR: home };
  const noNetwork = canDropNetwork();
  const npmArgs = ['run', 'package', ...(options.args?.length ? ['--', ...options.args] : [])];
  const [command, args] = noNetwork ? ['unshare', ['-n', 'npm', ...npmArgs]] : ['npm', npmArgs];

  // Waiting for another packaging run (the local runtime's) is not part of the measured time.
  const release = acquirePackagingLock(repoRoot);
  const started = performance.now();
  const run = spawnSync(command as string, args as string[], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const seconds = (performance.now() - started) / 1000;
  release();
  rmSync(home, { recursive: true, force: true });

  return {
    isolation: noNetwork ? 'no network namespace (unshare -n)' : 'credentials removed only',
    seconds,
    status: run.status,
    output:
      `(status ${run.status}, signal ${run.signal}, ${run.error ?? 'no spawn error'})\n` +
      `--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
  };
}
