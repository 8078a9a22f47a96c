/**
 * Builds the web console: Vite's production build of console/ and the API reference for people at
 * /docs (Redoc, from the OpenAPI document the API serves, with Redoc's script inlined so the page
 * needs nothing from a CDN). Offline, like the rest of the package.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'vite';
import { openApiDocument } from '../functions/request/openapi.ts';
import { CONSOLE_CONFIG_FILE, LOCAL_CONSOLE_DIR, type ConsoleConfig } from './config.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

export interface BuildConsoleOptions {
  outDir: string;
  /** Written as /console-config.json; the local system serves its own instead. */
  config?: ConsoleConfig;
}

export async function buildConsole(options: BuildConsoleOptions): Promise<void> {
  await build({ configFile: join(ROOT, 'console/vite.config.ts'), build: { outDir: options.outDir } });
  const openApi = join(options.outDir, 'openapi.json');
  writeFileSync(openApi, JSON.stringify(openApiDocument(), null, 2));
  mkdirSync(join(options.outDir, 'docs'), { recursive: true });
  await run(join(ROOT, 'node_modules/.bin/redocly'), ['build-docs', openApi, '--inlineBundle', '--title', 'connection-broker API', '-o', join(options.outDir, 'docs/index.html')], {
    cwd: ROOT,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  if (options.config) writeFileSync(join(options.outDir, CONSOLE_CONFIG_FILE), JSON.stringify(options.config, null, 2));
}

/** What the built console depends on: its own files, the state machines it draws, and the API contract. */
function sourceFingerprint(): string {
  const hash = createHash('sha256');
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory).sort()) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.test.ts')) hash.update(relative(ROOT, path)).update(readFileSync(path));
    }
  };
  walk(join(ROOT, 'console'));
  walk(join(ROOT, 'statemachines'));
  // The request form validates with the API's schema: a contract change changes the document.
  hash.update(JSON.stringify(openApiDocument()));
  return hash.digest('hex');
}

/** The local system's build of the console (`.local/console`), rebuilt when its sources changed. */
export async function ensureConsoleBuilt(root = ROOT): Promise<{ directory: string; built: boolean }> {
  const directory = join(root, LOCAL_CONSOLE_DIR);
  const stamp = join(root, '.local/console.fingerprint');
  const fingerprint = sourceFingerprint();
  if (existsSync(join(directory, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return { directory, built: false };
  await buildConsole({ outDir: directory });
  writeFileSync(stamp, fingerprint);
  return { directory, built: true };
}
