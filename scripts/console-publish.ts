/**
 * What `npm run publish-console` decides (scripts/publish-console.ts is its command line): the
 * console's configuration from the deployed stack's outputs, which Cache-Control each file gets,
 * and the AWS CLI calls that upload the build and refresh CloudFront. The AWS CLI and the console
 * build are passed in, so all of it runs in tests without AWS (test/deploy/console-publish.test.ts).
 */
import { posix } from 'node:path';
import type { ConsoleConfig } from '../console/config.ts';

/** What the console reads from console-config.json (console/config.ts), which buildConsole writes. */
export type { ConsoleConfig };

/** console/build.ts's buildConsole, as this script calls it. */
export type BuildConsole = (options: { outDir: string; config: ConsoleConfig }) => Promise<void>;

/** The service name in serverless.yml: osls names the stack <service>-<stage>. */
export const SERVICE = 'connection-broker';

/** The outputs infra/resources/console.yml gives the stack. */
export const CONSOLE_OUTPUTS = [
  'ConsoleUrl',
  'ConsoleBucketName',
  'ConsoleDistributionId',
  'ConsoleOidcIssuer',
  'ConsoleOidcAudience',
  'ConsoleOidcClientId',
  'ConsoleOidcScopes',
] as const;
type ConsoleOutput = (typeof CONSOLE_OUTPUTS)[number];

/** serverless.yml's placeholders (params jwtIssuerUrl, consoleOidcClientId): nobody could sign in with them. */
const PLACEHOLDER_ISSUER = /^https:\/\/auth\.invalid(\/|$)/;
const PLACEHOLDER_CLIENT_ID = 'placeholder-console-client-id';

/** Hashed by Vite (assets/index-3f2a1b.js): a new build writes new names, so they never change. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, console-config.json, the docs): the browser asks again each time. */
export const REVALIDATE = 'no-cache';

/** A refusal to publish, with what to do about it: printed without a stack trace. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}

export function stackNameFor(stage: string): string {
  return `${SERVICE}-${stage}`;
}

/** `aws cloudformation describe-stacks --output json` → { OutputKey: OutputValue }. */
export function stackOutputs(describeStacks: unknown): Record<string, string> {
  const stacks = (describeStacks as { Stacks?: Array<{ Outputs?: Array<{ OutputKey?: string; OutputValue?: string }> }> } | null)?.Stacks;
  if (!Array.isArray(stacks) || stacks.length !== 1) throw new PublishError(`describe-stacks answered ${stacks?.length ?? 'no'} stacks, expected one`);
  return Object.fromEntries((stacks[0]!.Outputs ?? []).flatMap(({ OutputKey, OutputValue }) => (OutputKey && OutputValue !== undefined ? [[OutputKey, OutputValue]] : [])));
}

export interface ConsoleDeployment {
  stackName: string;
  bucket: string;
  distributionId: string;
  /** https://<distribution domain>, no trailing slash. */
  consoleUrl: string;
  /** What the identity provider must allow for the console's client. */
  redirectUri: string;
  config: ConsoleConfig;
}

/** The console's place and configuration from the stack's outputs; refuses what could not work. */
export function consoleDeployment(stackName: string, outputs: Record<string, string>): ConsoleDeployment {
  const missing = CONSOLE_OUTPUTS.filter((key) => (outputs[key] ?? '').trim() === '');
  if (missing.length > 0) {
    throw new PublishError(
      `stack ${stackName} has no ${missing.join(', ')} output${missing.length > 1 ? 's' : ''}: deploy it first with a serverless.yml that includes infra/resources/console.yml`,
    );
  }
  const value = (key: ConsoleOutput) => outputs[key]!.trim();
  const issuer = value('ConsoleOidcIssuer');
  const clientId = value('ConsoleOidcClientId');
  if (PLACEHOLDER_ISSUER.test(issuer)) {
    throw new PublishError(`stack ${stackName} was deployed with the placeholder issuer ${issuer}: deploy it with JWT_ISSUER_URL set to your identity provider's issuer URL`);
  }
  if (clientId === PLACEHOLDER_CLIENT_ID) {
    throw new PublishError(`stack ${stackName} was deployed with the placeholder console client id: deploy it with CONSOLE_OIDC_CLIENT_ID set to the console's OIDC client id`);
  }
  const consoleUrl = value('ConsoleUrl').replace(/\/+$/, '');
  if (!/^https:\/\/[^/]+$/.test(consoleUrl)) throw new PublishError(`stack ${stackName}'s ConsoleUrl ${consoleUrl} is not https://<host>`);
  // The console always asks for openid itself (console/src/session.ts): the others are passed on.
  const scopes = value('ConsoleOidcScopes')
    .split(/[\s,]+/)
    .filter((scope) => scope !== '' && scope !== 'openid');
  return {
    stackName,
    bucket: value('ConsoleBucketName'),
    distributionId: value('ConsoleDistributionId'),
    consoleUrl,
    redirectUri: `${consoleUrl}/signin/callback`,
    config: {
      // '': the console's own origin, where the distribution serves the API too (/v1/*).
      apiBaseUrl: '',
      auth: {
        mode: 'oidc',
        issuer,
        clientId,
        audience: value('ConsoleOidcAudience'),
        scopes,
      },
    },
  };
}

/** The Cache-Control a file of the build is uploaded with (its path relative to the build, either separator). */
export function cacheControlFor(relativePath: string): string {
  const path = posix.normalize(relativePath.replaceAll('\\', '/')).replace(/^\/+/, '');
  return path.startsWith('assets/') ? IMMUTABLE : REVALIDATE;
}

export interface AwsStep {
  description: string;
  /** The arguments after `aws`. */
  args: string[];
}

type UploadOptions = { dir: string; bucket: string; region: string; hasAssets: boolean; dryRun?: boolean };

/**
 * The uploads, in an order that never serves an index.html naming assets that are not there yet:
 * the new hashed assets first (nothing deleted), then everything else (index.html,
 * console-config.json, ...) with files no longer in the build deleted. The assets the new build no
 * longer names go only after CloudFront's cache is invalidated ({@link pruneStep}): until then a
 * cached index.html still names them. Each sync sets the Cache-Control of what it uploads.
 */
export function uploadSteps(options: UploadOptions): AwsStep[] {
  const all = syncSteps(options);
  return options.hasAssets ? all.slice(0, 2) : all;
}

/** After the invalidation: deletes the assets the new build no longer names (none without assets/). */
export function pruneStep(options: UploadOptions): AwsStep | undefined {
  return options.hasAssets ? syncSteps(options)[2] : undefined;
}

function syncSteps(options: UploadOptions): AwsStep[] {
  const { dir, bucket, region } = options;
  const common = ['--region', region, '--no-progress', ...(options.dryRun ? ['--dryrun'] : [])];
  const assets = (remove: boolean): AwsStep => ({
    description: remove ? 'delete the assets the new build no longer uses' : 'upload the hashed assets (immutable)',
    args: ['s3', 'sync', posix.join(dir, 'assets'), `s3://${bucket}/assets`, '--cache-control', cacheControlFor('assets/x'), ...(remove ? ['--delete'] : []), ...common],
  });
  const rest: AwsStep = {
    description: 'upload index.html, console-config.json and the other files (no-cache)',
    args: ['s3', 'sync', dir, `s3://${bucket}`, '--exclude', 'assets/*', '--cache-control', cacheControlFor('index.html'), '--delete', ...common],
  };
  return options.hasAssets ? [assets(false), rest, assets(true)] : [rest];
}

/** Drops what CloudFront cached of the previous build (one path, /*: free up to 1,000 a month). */
export function invalidationStep(distributionId: string): AwsStep {
  return {
    description: 'invalidate the CloudFront cache',
    args: ['cloudfront', 'create-invalidation', '--distribution-id', distributionId, '--paths', '/*', '--output', 'json'],
  };
}

/** `aws …` as it could be pasted into a shell. */
export function commandLine(args: string[]): string {
  return ['aws', ...args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`))].join(' ');
}

export interface AwsResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface PublishDependencies {
  /** Runs `aws <args>`: captured (stdout returned) or shown to the user as it runs. */
  aws(args: string[], options: { capture: boolean }): Promise<AwsResult>;
  build: BuildConsole;
  /** Whether the build wrote this directory (assets/). */
  isDirectory(path: string): boolean;
  log(line: string): void;
}

export interface PublishOptions {
  stage: string;
  region: string;
  outDir: string;
  /** Build, and show what the uploads would change (aws s3 sync --dryrun); upload and invalidate nothing. */
  dryRun?: boolean;
}

/** Reads the stack's outputs, builds the console with its configuration, uploads it and refreshes CloudFront. */
export async function publishConsole(options: PublishOptions, deps: PublishDependencies): Promise<ConsoleDeployment> {
  const stackName = stackNameFor(options.stage);
  const described = await deps.aws(['cloudformation', 'describe-stacks', '--stack-name', stackName, '--region', options.region, '--output', 'json'], { capture: true });
  if (described.code !== 0) {
    throw new PublishError(`aws cloudformation describe-stacks --stack-name ${stackName} --region ${options.region} failed: ${described.stderr.trim() || `exit ${described.code}`}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(described.stdout);
  } catch {
    throw new PublishError(`aws cloudformation describe-stacks did not answer JSON: ${described.stdout.slice(0, 200)}`);
  }
  const deployment = consoleDeployment(stackName, stackOutputs(parsed));

  deps.log(`building the console for ${deployment.consoleUrl} into ${options.outDir} …`);
  await deps.build({ outDir: options.outDir, config: deployment.config });

  const upload: UploadOptions = {
    dir: options.outDir,
    bucket: deployment.bucket,
    region: options.region,
    hasAssets: deps.isDirectory(posix.join(options.outDir, 'assets')),
    dryRun: options.dryRun,
  };
  const sync = async (step: AwsStep) => {
    deps.log(`${options.dryRun ? '(dry run) ' : ''}${step.description}: ${commandLine(step.args)}`);
    const result = await deps.aws(step.args, { capture: false });
    if (result.code !== 0) throw new PublishError(`${step.description} failed (aws exited ${result.code})${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`);
  };
  for (const step of uploadSteps(upload)) await sync(step);
  const invalidation = invalidationStep(deployment.distributionId);
  if (options.dryRun) {
    deps.log(`(dry run) would ${invalidation.description}: ${commandLine(invalidation.args)}`);
  } else {
    deps.log(`${invalidation.description}: ${commandLine(invalidation.args)}`);
    const result = await deps.aws(invalidation.args, { capture: true });
    if (result.code !== 0) throw new PublishError(`${invalidation.description} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
  const prune = pruneStep(upload);
  if (prune) await sync(prune);
  return deployment;
}
