import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { acquirePackagingLock } from './packaging-lock.ts';
import { readZip } from './zip.ts';

/**
 * The deployable package, made for the local stage: the same `osls package` that builds what deploys,
 * so the local system reads each function's role (and, in packaged mode, runs each function's
 * minified bundle) from what CloudFormation would get, never from a hand copy. Built once per
 * content of its inputs and kept under `.local/package/<hash>/`; a second caller (another test file)
 * reuses it.
 */
export interface LocalPackage {
  directory: string;
  template: CloudFormationTemplate;
  /** Where a function's bundle was unpacked, by its zip's name (`acquireHost`). */
  bundleDirectory(functionName: string): string;
}

export interface CloudFormationTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** What the package is made from: a change to any of it makes a new package. */
const INPUTS = ['serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json', 'functions', 'infra/resources', 'infra/serverless', 'statemachines'];

export async function ensureLocalPackage(root: string, options: { stage: string; region: string; log?: (line: string) => void }): Promise<LocalPackage> {
  const hash = inputsHash(root, options);
  const directory = join(root, '.local', 'package', hash);
  if (!existsSync(join(directory, 'cloudformation-template-update-stack.json'))) {
    options.log?.(`packaging the functions for the local stage (osls package), once per change of the sources…`);
    const staging = `${directory}.${process.pid}.${Date.now()}`;
    const release = acquirePackagingLock(root);
    try {
      // Someone else may have built it while we waited for the lock.
      if (existsSync(join(directory, 'cloudformation-template-update-stack.json'))) return ensureLocalPackage(root, options);
      await runPackage(root, staging, options);
    } finally {
      release();
    }
    mkdirSync(dirname(directory), { recursive: true });
    try {
      renameSync(staging, directory);
    } catch {
      // Another process finished the same package first; theirs is identical.
      rmSync(staging, { recursive: true, force: true });
    }
    pruneOldPackages(dirname(directory), hash);
  }
  const template = JSON.parse(readFileSync(join(directory, 'cloudformation-template-update-stack.json'), 'utf8')) as CloudFormationTemplate;
  return {
    directory,
    template,
    bundleDirectory(functionName) {
      const target = join(directory, 'bundles', functionName);
      if (!existsSync(join(target, '.complete'))) {
        for (const entry of readZip(readFileSync(join(directory, `${functionName}.zip`)))) {
          const path = join(target, entry.name);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, entry.data);
        }
        writeFileSync(join(target, '.complete'), '');
      }
      return target;
    },
  };
}

function inputsHash(root: string, options: { stage: string; region: string }): string {
  const hash = createHash('sha256').update(`${options.stage}\n${options.region}\n`);
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    // Unit tests live next to the code (functions/**/*.test.ts) but are not packaged.
    if (path.endsWith('.test.ts')) return;
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const input of INPUTS) visit(join(root, input));
  return hash.digest('hex').slice(0, 16);
}

/** osls with a clean environment (no AWS credentials, no operator settings), as `npm run package` runs in CI. */
async function runPackage(root: string, target: string, options: { stage: string; region: string }): Promise<void> {
  const workFolder = relative(root, `${target}.esbuild`);
  // serverless-esbuild zips each function in a folder under the OS temp dir and leaves it there
  // (17 folders a packaging run); its own TMPDIR is removed with the work folder below.
  const temporary = `${target}.tmp`;
  mkdirSync(temporary, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', CI: 'true', ESBUILD_WORK_FOLDER: workFolder, TMPDIR: temporary };
  const osls = join(root, 'node_modules', '.bin', 'osls');
  const output: string[] = [];
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(osls, ['package', '--stage', options.stage, '--region', options.region, '--package', target], { cwd: root, env });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('close', resolve);
  });
  rmSync(join(root, workFolder), { recursive: true, force: true });
  rmSync(temporary, { recursive: true, force: true });
  if (status !== 0) {
    rmSync(target, { recursive: true, force: true });
    throw new Error(`osls package --stage ${options.stage} failed (${status}):\n${output.join('')}`);
  }
}

function pruneOldPackages(parent: string, keep: string): void {
  for (const name of readdirSync(parent)) {
    if (name === keep || name.includes('.')) continue;
    const path = join(parent, name);
    // Keep recent ones: another checkout state (or a running test file) may still use them.
    if (Date.now() - statSync(path).mtimeMs > 24 * 3600 * 1000) rmSync(path, { recursive: true, force: true });
  }
}
