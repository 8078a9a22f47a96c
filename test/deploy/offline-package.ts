import { spawnSync } from 'node:child_process';
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

/**
 * Runs `npm run package` the way CI without AWS access would: no AWS_* variables, a
 * fresh HOME (so no ~/.aws files), and no network at all when the kernel lets us make
 * an empty network namespace. Throws with the command's output if it fails.
 */
export function packageOffline(repoRoot: string): PackageRun {
  const home = mkdtempSync(join(tmpdir(), 'package-home-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' };
  const noNetwork = canDropNetwork();
  const [command, args] = noNetwork
    ? ['unshare', ['-n', 'npm', 'run', 'package']]
    : ['npm', ['run', 'package']];

  const started = performance.now();
  const run = spawnSync(command as string, args as string[], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const seconds = (performance.now() - started) / 1000;
  rmSync(home, { recursive: true, force: true });

  if (run.status !== 0) {
    throw new Error(
      `npm run package failed (status ${run.status}, signal ${run.signal}, ${run.error ?? 'no spawn error'})\n` +
        `--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
    );
  }
  return { isolation: noNetwork ? 'no network namespace (unshare -n)' : 'credentials removed only', seconds };
}
