/**
 * `npm run publish-console -- --stage <stage> [--region <region>] [--out-dir <dir>] [--dry-run]`:
 * builds the web console for a deployed stage and uploads it to the stage's console bucket
 * (infra/resources/console.yml), then invalidates CloudFront. Everything it needs comes from the
 * stack's outputs (`aws cloudformation describe-stacks`), so deploy the stack first. It uses the
 * AWS CLI and its usual credentials (AWS_PROFILE, ...). The decisions live in console-publish.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCommandLine, usageError } from './cli.ts';
import type { AwsResult } from './console-publish.ts';
import { PublishError, publishConsole, stackNameFor } from './console-publish.ts';

const USAGE = [
  'usage: npm run publish-console -- --stage <stage> [--region <region>] [--out-dir <dir>] [--dry-run]',
  '  builds the web console with the settings of the deployed stack (its Console* outputs) and uploads it',
  '  to the stack\'s console bucket, then invalidates its CloudFront distribution; uses the AWS CLI and its',
  '  credentials (AWS_PROFILE, ...)',
  '  --stage    the stage deployed (stack connection-broker-<stage>)',
  '  --region   its Region (default us-east-1, as serverless.yml)',
  '  --out-dir  build here and keep it (default: a temporary directory, removed afterwards)',
  '  --dry-run  build, and show what the upload would change (aws s3 sync --dryrun); upload nothing',
].join('\n');

const values = parseCommandLine(USAGE, () =>
  parseArgs({
    options: {
      stage: { type: 'string' },
      region: { type: 'string', default: 'us-east-1' },
      'out-dir': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }),
);
if (!values.stage) usageError(USAGE, 'missing --stage');
const stage = values.stage;

/** `aws <args>`: captured, or with its output shown as it runs (the s3 syncs list what they upload). */
function aws(args: string[], options: { capture: boolean }): Promise<AwsResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('aws', args, { stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!options.capture) process.stderr.write(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new PublishError('the AWS CLI (aws) is not on PATH: install it, https://aws.amazon.com/cli/') : error),
    );
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

const keepBuild = values['out-dir'] !== undefined;
// The build empties its directory first (console/vite.config.ts, emptyOutDir): only an empty one or an earlier build.
if (keepBuild && existsSync(values['out-dir']!) && readdirSync(values['out-dir']!).length > 0 && !existsSync(join(values['out-dir']!, 'index.html'))) {
  usageError(USAGE, `--out-dir ${values['out-dir']} holds files but no earlier build (index.html): the build would delete them; name an empty or new directory`);
}
const outDir = keepBuild ? resolve(values['out-dir']!) : mkdtempSync(join(tmpdir(), 'console-build-'));
try {
  // Loaded once the command line is read: Vite and Redoc are not needed for --help.
  const { buildConsole: build } = await import('../console/build.ts');
  const deployment = await publishConsole(
    { stage, region: values.region, outDir, dryRun: values['dry-run'] },
    {
      aws,
      build,
      isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
      log: (line) => process.stderr.write(`${line}\n`),
    },
  );
  console.log(`${values['dry-run'] ? 'would publish' : 'published'} the console of ${deployment.stackName}: ${deployment.consoleUrl}`);
  console.log(`the identity provider must allow the redirect URI ${deployment.redirectUri} for client ${deployment.config.auth.mode === 'oidc' ? deployment.config.auth.clientId : ''}`);
} catch (error) {
  if (!(error instanceof PublishError)) throw error;
  process.stderr.write(`publish-console (${stackNameFor(stage)}): ${error.message}\n`);
  process.exitCode = 1;
} finally {
  if (!keepBuild) rmSync(outDir, { recursive: true, force: true });
}
