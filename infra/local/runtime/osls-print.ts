import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface PrintedServiceConfig {
  /** serverless.yml with every `${file()}`, `${param:}`, `${self:}`, `${env:}`, `${opt:}` resolved. */
  config: Record<string, unknown>;
  durationMs: number;
}

/**
 * Runs `osls print --format json`, which resolves serverless.yml exactly as `osls package`
 * does (offline, no credentials). Run through the current Node binary rather than the
 * `.bin` shim so it also works where shims are `.cmd` files.
 */
export async function printServiceConfig(options: { root: string; stage: string; region: string }): Promise<PrintedServiceConfig> {
  const cli = join(options.root, 'node_modules', 'osls', 'bin', 'serverless.js');
  const args = [cli, 'print', '--format', 'json', '--stage', options.stage, '--region', options.region];
  const started = performance.now();
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(process.execPath, args, {
      cwd: options.root,
      maxBuffer: 64 * 1024 * 1024,
      // osls prints its errors on stdout; keep both for the message below.
      env: { ...process.env, FORCE_COLOR: '0' },
    }));
  } catch (error) {
    const { stdout: out = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`osls print failed for stage "${options.stage}":\n${`${out}\n${stderr}`.trim()}`, { cause: error });
  }
  const durationMs = performance.now() - started;
  try {
    return { config: JSON.parse(stdout) as Record<string, unknown>, durationMs };
  } catch (error) {
    throw new Error(`osls print did not print JSON: ${stdout.slice(0, 500)}`, { cause: error });
  }
}
