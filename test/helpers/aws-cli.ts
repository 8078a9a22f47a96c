import { spawn, spawnSync } from 'node:child_process';

/**
 * Drives the real AWS CLI against a sandbox, the way a person at a terminal would. Any service:
 * `runAwsCli(sandbox, ['iam', 'get-role', '--role-name', 'x'])`,
 * `runAwsCli(sandbox, ['codestar-connections', 'list-hosts'])`, ...
 */

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON (commands with output and `--output json`). */
  json?: unknown;
}

export interface AwsCliOptions {
  /** Default `test`; twelve digits select that account in the sandbox. */
  accessKeyId?: string;
  region?: string;
  /** Extra environment, applied last. */
  env?: Record<string, string>;
  /** Real-time limit for the command (default 60 s); the process is killed past it. */
  timeoutMs?: number;
}

/** The sandbox only needs to say where it listens. */
export interface CliTarget {
  url: string;
}

const OPT_OUT_VARIABLE = 'ALLOW_MISSING_AWS_CLI';

/**
 * Runs `aws <args>` with `--endpoint-url`, `--region` and `--output json` added unless given.
 * Never spawned synchronously: the sandbox usually serves from this same process.
 */
export function runAwsCli(target: CliTarget, args: string[], options: AwsCliOptions = {}): Promise<AwsCliResult> {
  const region = options.region ?? 'us-east-1';
  const fullArgs = [...args];
  if (!args.includes('--endpoint-url')) fullArgs.push('--endpoint-url', target.url);
  if (!args.includes('--region')) fullArgs.push('--region', region);
  if (!args.includes('--output')) fullArgs.push('--output', 'json');
  const env = isolatedEnvironment(options.accessKeyId ?? 'test', region, options.env);

  return new Promise((resolve, reject) => {
    const child = spawn('aws', fullArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not run the AWS CLI (aws ${fullArgs.join(' ')}): ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, json: parseJson(stdout) });
    });
  });
}

export interface AwsCliStatus {
  available: boolean;
  /** `aws --version` output, when available. */
  version?: string;
  problem?: string;
}

export function awsCliStatus(): AwsCliStatus {
  const probe = spawnSync('aws', ['--version'], { encoding: 'utf8', env: isolatedEnvironment('test', 'us-east-1'), timeout: 30_000 });
  if (probe.error) return { available: false, problem: probe.error.message };
  if (probe.status !== 0) return { available: false, problem: `aws --version exited ${probe.status}: ${probe.stderr.trim()}` };
  // CLI v1 prints its version on stderr, v2 on stdout.
  return { available: true, version: `${probe.stdout}${probe.stderr}`.trim() };
}

/**
 * What a CLI test file does without the CLI: fail loudly, unless ALLOW_MISSING_AWS_CLI=1 says
 * skipping is acceptable here (then it warns). Use as:
 *   const cli = awsCliRequirement();
 *   describe.skipIf(cli.skip)('...', () => { beforeAll(cli.assertAvailable); ... });
 */
export function awsCliRequirement(): { skip: boolean; status: AwsCliStatus; assertAvailable: () => void } {
  const status = awsCliStatus();
  const optedOut = process.env[OPT_OUT_VARIABLE] === '1';
  if (!status.available && optedOut) {
    console.warn(`WARNING: the AWS CLI is not usable (${status.problem}); AWS CLI tests are SKIPPED because ${OPT_OUT_VARIABLE}=1.`);
  }
  return {
    skip: !status.available && optedOut,
    status,
    assertAvailable: () => {
      if (status.available) return;
      throw new Error(
        `The AWS CLI ('aws') is required on PATH for these tests but is not usable: ${status.problem}. ` +
          `Install it (e.g. 'pip install awscli'), or set ${OPT_OUT_VARIABLE}=1 to skip these tests deliberately.`,
      );
    },
  };
}

/** The caller's environment without any AWS setting that could point the CLI at a real account. */
function isolatedEnvironment(accessKeyId: string, region: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...inherited,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
