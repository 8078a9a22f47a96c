import { describe, expect, it } from 'vitest';
import type { AwsResult, ConsoleConfig, PublishDependencies } from '../../scripts/console-publish.ts';
import {
  cacheControlFor,
  commandLine,
  consoleDeployment,
  IMMUTABLE,
  invalidationStep,
  publishConsole,
  PublishError,
  REVALIDATE,
  stackOutputs,
  pruneStep,
  uploadSteps,
} from '../../scripts/console-publish.ts';

// scripts/publish-console.ts's decisions, with the AWS CLI and the console build faked.

const OUTPUTS = {
  ConsoleUrl: 'https://d111111abcdef8.cloudfront.net',
  ConsoleBucketName: 'connection-broker-prod-consolebucket-1a2b3c',
  ConsoleDistributionId: 'E2QWRUHAPOMQZL',
  ConsoleOidcIssuer: 'https://login.example.com/oauth2/default',
  ConsoleOidcAudience: 'connection-broker',
  ConsoleOidcClientId: '0oa1console',
  ConsoleOidcScopes: 'openid profile email',
  HttpApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
};

function describeStacks(outputs: Record<string, string>) {
  return { Stacks: [{ StackName: 'connection-broker-prod', Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
}

describe('the console configuration, from the stack outputs', () => {
  it('signs in with the API authorizer’s issuer and audience and the console’s client, and calls the API on its own origin', () => {
    const deployment = consoleDeployment('connection-broker-prod', stackOutputs(describeStacks(OUTPUTS)));
    expect(deployment).toEqual({
      stackName: 'connection-broker-prod',
      bucket: OUTPUTS.ConsoleBucketName,
      distributionId: OUTPUTS.ConsoleDistributionId,
      consoleUrl: OUTPUTS.ConsoleUrl,
      redirectUri: 'https://d111111abcdef8.cloudfront.net/signin/callback',
      config: {
        // '': the console's own origin, where the distribution serves /v1/* too.
        apiBaseUrl: '',
        auth: {
          mode: 'oidc',
          issuer: 'https://login.example.com/oauth2/default',
          clientId: '0oa1console',
          audience: 'connection-broker',
          // The console asks for openid itself (console/src/session.ts).
          scopes: ['profile', 'email'],
        },
      } satisfies ConsoleConfig,
    });
  });

  it('reads scopes separated by spaces or commas, leaving openid to the console', () => {
    const config = consoleDeployment('s', { ...OUTPUTS, ConsoleOidcScopes: 'profile,groups  openid api://broker/read' }).config;
    expect(config.auth).toMatchObject({ scopes: ['profile', 'groups', 'api://broker/read'] });
    expect(consoleDeployment('s', { ...OUTPUTS, ConsoleOidcScopes: 'openid' }).config.auth).toMatchObject({ scopes: [] });
  });

  it('drops a trailing slash from the console URL', () => {
    expect(consoleDeployment('s', { ...OUTPUTS, ConsoleUrl: 'https://console.example.com/' })).toMatchObject({
      consoleUrl: 'https://console.example.com',
      redirectUri: 'https://console.example.com/signin/callback',
    });
  });

  it('refuses a stack deployed before the console, naming the outputs it lacks', () => {
    const { ConsoleBucketName: _bucket, ConsoleDistributionId: _distribution, ...older } = OUTPUTS;
    expect(() => consoleDeployment('connection-broker-prod', older)).toThrow(
      /stack connection-broker-prod has no ConsoleBucketName, ConsoleDistributionId outputs: deploy it first/,
    );
  });

  it('refuses the placeholder issuer and client id, saying which setting to deploy with', () => {
    expect(() => consoleDeployment('s', { ...OUTPUTS, ConsoleOidcIssuer: 'https://auth.invalid/connection-broker' })).toThrow(/placeholder issuer .*JWT_ISSUER_URL/);
    expect(() => consoleDeployment('s', { ...OUTPUTS, ConsoleOidcClientId: 'placeholder-console-client-id' })).toThrow(/placeholder console client id.*CONSOLE_OIDC_CLIENT_ID/);
    expect(() => consoleDeployment('s', { ...OUTPUTS, ConsoleUrl: 'http://d1.cloudfront.net' })).toThrow(PublishError);
  });

  it('reads describe-stacks output, and refuses anything but one stack', () => {
    expect(stackOutputs(describeStacks({ A: '1', B: '' }))).toEqual({ A: '1', B: '' });
    expect(stackOutputs({ Stacks: [{}] })).toEqual({});
    expect(() => stackOutputs({ Stacks: [] })).toThrow(PublishError);
    expect(() => stackOutputs(null)).toThrow(PublishError);
  });
});

describe('cache headers', () => {
  it('caches hashed assets for a year, immutable, and has the browser revalidate everything else', () => {
    expect(IMMUTABLE).toBe('public, max-age=31536000, immutable');
    expect(REVALIDATE).toBe('no-cache');
    for (const asset of ['assets/index-3f2a1b9c.js', 'assets/index-3f2a1b9c.css', '/assets/logo-77aa.svg', 'assets\\font-1.woff2']) {
      expect(cacheControlFor(asset), asset).toBe(IMMUTABLE);
    }
    for (const file of ['index.html', 'console-config.json', 'docs/index.html', 'favicon.svg', 'assets-list.json', 'docs/assets/x.js', './assets/../index.html']) {
      expect(cacheControlFor(file), file).toBe(REVALIDATE);
    }
  });
});

describe('the upload', () => {
  it('uploads the new assets, then the rest with stale files deleted; old assets are pruned only in a step of their own; each sync sets its Cache-Control', () => {
    const options = { dir: '/tmp/build', bucket: 'b', region: 'eu-west-1', hasAssets: true };
    expect(uploadSteps(options).map((step) => step.args)).toEqual([
      ['s3', 'sync', '/tmp/build/assets', 's3://b/assets', '--cache-control', IMMUTABLE, '--region', 'eu-west-1', '--no-progress'],
      ['s3', 'sync', '/tmp/build', 's3://b', '--exclude', 'assets/*', '--cache-control', REVALIDATE, '--delete', '--region', 'eu-west-1', '--no-progress'],
    ]);
    expect(pruneStep(options)?.args).toEqual(['s3', 'sync', '/tmp/build/assets', 's3://b/assets', '--cache-control', IMMUTABLE, '--delete', '--region', 'eu-west-1', '--no-progress']);
    expect(pruneStep({ ...options, hasAssets: false })).toBeUndefined();
  });

  it('syncs only the top level when the build has no assets/, and dry-runs every sync when asked', () => {
    const steps = uploadSteps({ dir: '/tmp/build', bucket: 'b', region: 'us-east-1', hasAssets: false, dryRun: true });
    expect(steps).toHaveLength(1);
    expect(steps[0]!.args).toEqual(expect.arrayContaining(['--delete', '--dryrun']));
    expect(steps[0]!.args).not.toContain('assets/x');
  });

  it('shows each command as it could be pasted into a shell', () => {
    expect(commandLine(['s3', 'sync', '/tmp/b', 's3://b', '--exclude', 'assets/*', '--cache-control', IMMUTABLE, '--x', "it's"])).toBe(
      "aws s3 sync /tmp/b s3://b --exclude 'assets/*' --cache-control 'public, max-age=31536000, immutable' --x 'it'\\''s'",
    );
  });

  it('invalidates every path of the distribution', () => {
    expect(invalidationStep('E2Q').args).toEqual(['cloudfront', 'create-invalidation', '--distribution-id', 'E2Q', '--paths', '/*', '--output', 'json']);
  });
});

interface Fake extends PublishDependencies {
  calls: string[];
  built: Array<{ outDir: string; config: ConsoleConfig }>;
  lines: string[];
}

function fake(answers: (args: string[]) => AwsResult | undefined = () => undefined): Fake {
  const calls: string[] = [];
  const built: Fake['built'] = [];
  const lines: string[] = [];
  return {
    calls,
    built,
    lines,
    async aws(args) {
      calls.push(args.slice(0, 2).join(' ') + (args.includes('--delete') ? ' --delete' : '') + (args.includes('--dryrun') ? ' --dryrun' : ''));
      const answer = answers(args);
      if (answer) return answer;
      if (args[1] === 'describe-stacks') return { code: 0, stdout: JSON.stringify(describeStacks(OUTPUTS)), stderr: '' };
      return { code: 0, stdout: '{}', stderr: '' };
    },
    async build(options) {
      calls.push('build');
      built.push(options);
    },
    isDirectory: (path) => path === '/tmp/out/assets',
    log: (line) => void lines.push(line),
  };
}

describe('publishing', () => {
  it('reads the stack, builds with its configuration, uploads, invalidates, and only then prunes the old assets', async () => {
    const deps = fake();
    const deployment = await publishConsole({ stage: 'prod', region: 'eu-west-1', outDir: '/tmp/out' }, deps);
    expect(deps.calls).toEqual([
      'cloudformation describe-stacks',
      'build',
      's3 sync',
      's3 sync --delete',
      'cloudfront create-invalidation',
      's3 sync --delete',
    ]);
    expect(deps.built).toEqual([{ outDir: '/tmp/out', config: deployment.config }]);
    expect(deployment.redirectUri).toBe('https://d111111abcdef8.cloudfront.net/signin/callback');
  });

  it('asks for the stack connection-broker-<stage> in the Region given', async () => {
    const seen: string[][] = [];
    await publishConsole({ stage: 'staging', region: 'ap-southeast-2', outDir: '/tmp/out' }, fake((args) => void seen.push(args)));
    expect(seen[0]).toEqual(['cloudformation', 'describe-stacks', '--stack-name', 'connection-broker-staging', '--region', 'ap-southeast-2', '--output', 'json']);
  });

  it('on a dry run, dry-runs the syncs and invalidates nothing', async () => {
    const deps = fake();
    await publishConsole({ stage: 'prod', region: 'eu-west-1', outDir: '/tmp/out', dryRun: true }, deps);
    expect(deps.calls).toEqual(['cloudformation describe-stacks', 'build', 's3 sync --dryrun', 's3 sync --delete --dryrun', 's3 sync --delete --dryrun']);
    expect(deps.lines).toContain("(dry run) would invalidate the CloudFront cache: aws cloudfront create-invalidation --distribution-id E2QWRUHAPOMQZL --paths '/*' --output json");
  });

  it('stops, building nothing, when the stack cannot be read', async () => {
    const deps = fake((args) => (args[1] === 'describe-stacks' ? { code: 254, stdout: '', stderr: 'An error occurred (ValidationError): Stack with id connection-broker-prod does not exist\n' } : undefined));
    await expect(publishConsole({ stage: 'prod', region: 'eu-west-1', outDir: '/tmp/out' }, deps)).rejects.toThrow(
      /describe-stacks --stack-name connection-broker-prod --region eu-west-1 failed: An error occurred \(ValidationError\): Stack with id connection-broker-prod does not exist$/,
    );
    expect(deps.calls).toEqual(['cloudformation describe-stacks']);
  });

  it('stops at a failed upload: no later upload, no invalidation', async () => {
    const deps = fake((args) => (args[0] === 's3' && args.includes('--exclude') ? { code: 1, stdout: '', stderr: 'upload failed: AccessDenied' } : undefined));
    await expect(publishConsole({ stage: 'prod', region: 'eu-west-1', outDir: '/tmp/out' }, deps)).rejects.toThrow(/upload index\.html.* failed \(aws exited 1\): upload failed: AccessDenied/);
    expect(deps.calls).toEqual(['cloudformation describe-stacks', 'build', 's3 sync', 's3 sync --delete']);
  });
});
