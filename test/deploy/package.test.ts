import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFunctionRoles } from './function-roles.ts';
import { packageOffline, tryPackageOffline, type PackageAttempt } from './offline-package.ts';
import type { CfnTemplate, PolicyStatement } from './template.ts';
import { asList, getAttTarget, lambdaFunctions, policyStatements, readTemplate, resourcesOfType } from './template.ts';
import { readZip } from '../../infra/local/runtime/zip.ts';
import { loadStateMachine } from '../../statemachines/load.ts';

// The only test file that packages: vitest runs files in parallel forks, and two
// osls runs would overwrite each other's .serverless/.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const outputDir = join(repoRoot, '.serverless');
const updateTemplate = join(outputDir, 'cloudformation-template-update-stack.json');
const createTemplate = join(outputDir, 'cloudformation-template-create-stack.json');


let template: CfnTemplate;
let scratch: string;

// What a stage other than dev needs (infra/serverless/require-real-settings.mjs), from the environment.
const REAL_SETTINGS = {
  JWT_ISSUER_URL: 'https://login.example.com/oauth2/default',
  ALLOWED_PROVIDER_ENDPOINTS: 'ghe.example.com',
  SLACK_TEAM_ID: 'T0123TEAM',
  SLACK_APP_ID: 'A0123APP',
  CONSOLE_OIDC_CLIENT_ID: '0oa1console',
};
let prodRun: PackageAttempt;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bundle-import-'));
  // Every osls package run empties .serverless/, whatever --package says: the prod stage goes
  // first (into scratch), then the dev package the rest of this file reads.
  prodRun = tryPackageOffline(repoRoot, { args: ['--stage', 'prod', '--package', join(scratch, 'prod')], env: REAL_SETTINGS });
  // A stale .serverless/ from an earlier run must not stand in for this one.
  rmSync(outputDir, { recursive: true, force: true });
  const run = packageOffline(repoRoot);
  console.info(`packaged in ${run.seconds.toFixed(1)} s (prod: ${prodRun.seconds.toFixed(1)} s), isolation: ${run.isolation}`);
  template = readTemplate(updateTemplate);
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Imports the bundle in a fresh Node process; returns its exit status and stderr. */
function importInNode(bundlePath: string, exportName: string) {
  return spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const [url, name] = process.argv.slice(1);
       const module = await import(url);
       if (typeof module[name] !== 'function') throw new Error('export ' + name + ' is not a function');`,
      pathToFileURL(bundlePath).href,
      exportName,
    ],
    // Like Lambda: a region but no credentials, and no node_modules next to the bundle.
    { cwd: dirname(bundlePath), env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' }, encoding: 'utf8', timeout: 30_000 },
  );
}

describe('offline package', () => {
  it('writes both CloudFormation templates', () => {
    expect(existsSync(updateTemplate)).toBe(true);
    expect(existsSync(createTemplate)).toBe(true);
  });

  it('defines nodejs22.x arm64 functions whose handlers exist in the source', () => {
    const functions = lambdaFunctions(template);
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      const [modulePath, exportName] = [fn.Handler.slice(0, fn.Handler.lastIndexOf('.')), fn.Handler.slice(fn.Handler.lastIndexOf('.') + 1)];
      const source = join(repoRoot, `${modulePath}.ts`);
      expect(existsSync(source), `${id}: ${modulePath}.ts does not exist`).toBe(true);
      expect(readFileSync(source, 'utf8'), `${id}: ${modulePath}.ts does not export ${exportName}`).toMatch(
        new RegExp(`export (async )?(function|const) ${exportName}\\b`),
      );
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
    }
  });

  it('zips each function as a single ESM bundle that imports under Node', () => {
    for (const [id, fn] of lambdaFunctions(template)) {
      const zipPath = join(outputDir, basename(fn.Code.S3Key));
      const files = readZip(readFileSync(zipPath)).filter((entry) => !entry.name.endsWith('/'));
      const separator = fn.Handler.lastIndexOf('.');
      const bundleName = `${fn.Handler.slice(0, separator)}.mjs`;
      // Raw .ts or node_modules in the zip would mean the bundler did not run.
      expect(files.map((file) => file.name), `${id} zip contents`).toEqual([bundleName]);

      const bundlePath = join(scratch, id, bundleName);
      mkdirSync(dirname(bundlePath), { recursive: true });
      writeFileSync(bundlePath, files[0]?.data ?? '');
      const probe = importInNode(bundlePath, fn.Handler.slice(separator + 1));
      // stderr is not asserted empty: on Node 20 the bundled SDK warns about its
      // future Node requirement. Minified lines are cut so the real error stays readable.
      const stderr = probe.stderr.split('\n').map((line) => line.slice(0, 300)).join('\n');
      expect(probe.status, `importing ${id}'s bundle failed:\n${stderr}`).toBe(0);
      console.info(`${basename(zipPath)}: ${statSync(zipPath).size} B zipped, ${files[0]?.data.length} B bundle`);
    }
  });

  it('deploys each state machine from an ASL object with function ARNs substituted', () => {
    const machines = resourcesOfType(template, 'AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThan(0);
    const functionIds = new Set(lambdaFunctions(template).map(([id]) => id));

    for (const [id, { Properties: props = {} }] of machines) {
      expect(typeof props.Definition, `${id}.Definition`).toBe('object');
      expect(props.DefinitionString, `${id} must not inline a DefinitionString`).toBeUndefined();

      const substituted = Object.values((props.DefinitionSubstitutions ?? {}) as Record<string, unknown>)
        .map((value) => getAttTarget(value))
        .filter((target): target is string => target !== undefined && functionIds.has(target));
      expect(substituted.length, `${id} substitutes no Lambda function ARN`).toBeGreaterThan(0);

      // The role must let the workflow call exactly the functions it names.
      const roleId = getAttTarget(props.RoleArn) ?? '';
      const invokable = policyStatements(template.Resources[roleId])
        .filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).includes('lambda:InvokeFunction'))
        .flatMap((statement) => asList(statement.Resource as unknown))
        .map((resource) => getAttTarget(resource));
      expect(invokable.sort(), `${roleId} lambda:InvokeFunction resources`).toEqual([...substituted].sort());
    }
  });

  it('deploys each state machine exactly as its file reads (no field lost in packaging, e.g. a null ResultPath)', () => {
    const files = { ProvisioningStateMachine: 'provisioning', AuditStateMachine: 'audit' } as const;
    for (const [id, name] of Object.entries(files)) {
      const machine = resourcesOfType(template, 'AWS::StepFunctions::StateMachine').find(([resourceId]) => resourceId === id)?.[1];
      expect(machine?.Properties?.Definition, id).toEqual(loadStateMachine(name));
    }
  });

  it("waits out the longest step of a stopped execution before a cancel's rollback", () => {
    const machine = resourcesOfType(template, 'AWS::StepFunctions::StateMachine').find(([id]) => id === 'ProvisioningStateMachine')?.[1];
    const definition = machine?.Properties?.Definition as { States: Record<string, { Type: string; Seconds?: number; Next?: string }> };
    // Lambda runs on after StopExecution, for at most the function's timeout.
    const timeouts = Object.values((machine?.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>)
      .map((value) => getAttTarget(value))
      .filter((id): id is string => template.Resources[id ?? '']?.Type === 'AWS::Lambda::Function')
      .map((id) => Number(template.Resources[id]!.Properties!.Timeout));
    expect(timeouts.length).toBeGreaterThan(5);
    expect(timeouts.every(Number.isFinite), `function timeouts ${timeouts.join(', ')}`).toBe(true);
    const wait = definition.States.WaitForStoppedSteps;
    expect(wait).toMatchObject({ Type: 'Wait', Next: 'RollBack' });
    expect(wait!.Seconds).toBeGreaterThanOrEqual(Math.max(...timeouts));
  });

  it('grants no wildcard IAM actions', () => {
    // Deny statements may use wildcards: osls's deployment bucket policy denies s3:*
    // over plain HTTP, which is what we want.
    const grants = policyStatements(template.Resources).filter((statement) => statement.Effect !== 'Deny');
    expect(grants.length).toBeGreaterThan(0);
    const wildcards = grants.flatMap((statement) => [
      ...asList(statement.Action)
        .filter((action) => action === '*' || /^[^:]+:\*$/.test(action))
        .map((action) => `${statement.path}: ${action}`),
      // Allow + NotAction grants everything not listed: a wildcard in disguise.
      ...(statement.NotAction ? [`${statement.path}: Allow with NotAction`] : []),
    ]);
    expect(wildcards).toEqual([]);
  });

  it('protects the table from deletion', () => {
    const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id)).toEqual(['BrokerTable']);
    for (const [id, table] of tables) expect(table.Properties?.DeletionProtectionEnabled, id).toBe(true);
  });

  it('keeps error names through minification (errorType, Step Functions error names)', () => {
    const bundles = new Map(
      lambdaFunctions(template).map(([id, fn]) => {
        const [bundle] = readZip(readFileSync(join(outputDir, basename(fn.Code.S3Key)))).filter((entry) => !entry.name.endsWith('/'));
        return [id, bundle?.data.toString('utf8') ?? ''] as const;
      }),
    );
    // Each core error sets its name as a literal: wherever a bundle holds an error's code, it holds its name.
    const coreErrors = [...readFileSync(join(repoRoot, 'functions/request/input-errors.ts'), 'utf8').matchAll(/export class (\w+) extends CoreError \{\s*readonly code = '(\w+)'/g)];
    expect(coreErrors.length).toBeGreaterThan(5);
    for (const [id, text] of bundles) {
      expect(text, `${id}: a name read from a class the minifier may rename`).not.toContain('new.target.name');
      for (const [, name, code] of coreErrors) {
        if (text.includes(`"${code}"`)) expect(text, `${id}'s bundle has ${code} but not the name ${name}`).toContain(`"${name}"`);
      }
    }
    expect(bundles.get('ApiLambdaFunction')).toContain('"InvalidProviderEndpointError"');
    // keepNames: a class keeps its name even where no code spells it (HostLockBusyError's error name is HostLockBusy).
    expect(bundles.get('AcquireHostLambdaFunction')).toContain('"HostLockBusyError"');
  });
});

describe('the roles the broker may put policies on', () => {
  it('are the service-role path by default, and a wide value is refused on every stage without the opt-in', () => {
    const attach = lambdaFunctions(template).find(([id]) => id === 'AttachPipelineLambdaFunction');
    expect(attach).toBeDefined();
    const putRolePolicy = policyStatements(template).filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).includes('iam:PutRolePolicy'));
    expect(putRolePolicy.length).toBeGreaterThan(0);
    for (const statement of putRolePolicy) expect(JSON.stringify(statement.Resource)).toContain(':role/service-role/*');

    const wide = tryPackageOffline(repoRoot, { args: ['--param', 'grantableRoles=role/*', '--package', join(scratch, 'wide-refused')] });
    expect(wide.status, wide.output).not.toBe(0);
    expect(wide.output).toContain('Refusing to package with a wide grantableRoles');
    expect(wide.output).toContain("allowWideGrantableRoles=true");
    expect(existsSync(join(scratch, 'wide-refused'))).toBe(false);
  }, 120_000);
});

describe('packaging a stage other than dev', () => {
  it('refuses the placeholder settings, naming each and how to set it', () => {
    const run = tryPackageOffline(repoRoot, { args: ['--stage', 'prod', '--package', join(scratch, 'prod-refused')] });
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toContain('Refusing to package stage "prod" with placeholder settings');
    expect(run.output).toMatch(/jwtIssuerUrl is the placeholder https:\/\/auth\.invalid\/connection-broker: set JWT_ISSUER_URL/);
    expect(run.output).toMatch(/allowedProviderEndpoints is empty .*: set ALLOWED_PROVIDER_ENDPOINTS/);
    expect(run.output).toMatch(/slackTeamId is empty .*: set SLACK_TEAM_ID/);
    expect(run.output).toMatch(/slackAppId is empty .*: set SLACK_APP_ID/);
    expect(run.output).toMatch(/consoleOidcClientId is the placeholder placeholder-console-client-id .*: set CONSOLE_OIDC_CLIENT_ID/);
    // Refused before anything was built or cleaned (the dev package is still there).
    expect(existsSync(join(scratch, 'prod-refused'))).toBe(false);
    expect(existsSync(updateTemplate)).toBe(true);
  }, 60_000);

  it('packages once they are set in the environment', () => {
    const dir = join(scratch, 'prod');
    expect(prodRun.status, prodRun.output).toBe(0);
    const prod = readTemplate(join(dir, 'cloudformation-template-update-stack.json'));
    const api = lambdaFunctions(prod).find(([id]) => id === 'ApiLambdaFunction')?.[1] as unknown as { Environment: { Variables: Record<string, unknown> } };
    expect(api.Environment.Variables).toMatchObject({ ALLOWED_PROVIDER_ENDPOINTS: 'ghe.example.com', SLACK_TEAM_ID: 'T0123TEAM', SLACK_APP_ID: 'A0123APP' });
    const [[, authorizer] = []] = resourcesOfType(prod, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer?.Properties?.JwtConfiguration).toMatchObject({ Issuer: REAL_SETTINGS.JWT_ISSUER_URL });
  });

  it("gives the console's Content-Security-Policy the issuer's origin, and its outputs the real OIDC settings", () => {
    const prod = readTemplate(join(scratch, 'prod', 'cloudformation-template-update-stack.json'));
    const policy = prod.Resources.ConsoleResponseHeadersPolicy;
    expect(policy?.Type).toBe('AWS::CloudFront::ResponseHeadersPolicy');
    const config = policy?.Properties?.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } } };
    const csp = literalValue(config.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).replace(/\s+/g, ' ');
    expect(csp).toBe(
      "default-src 'self'; connect-src 'self' https://login.example.com ; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
        "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
    );
    const outputs = (prod as unknown as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(Object.fromEntries(['ConsoleOidcIssuer', 'ConsoleOidcAudience', 'ConsoleOidcClientId', 'ConsoleOidcScopes'].map((key) => [key, outputs[key]?.Value]))).toEqual({
      ConsoleOidcIssuer: REAL_SETTINGS.JWT_ISSUER_URL,
      ConsoleOidcAudience: 'connection-broker',
      ConsoleOidcClientId: '0oa1console',
      ConsoleOidcScopes: 'openid profile email',
    });
  });
});

/** A value built from literals with Fn::Join, Fn::Select and Fn::Split, as CloudFormation evaluates it. */
function literalValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const [[intrinsic, argument] = []] = Object.entries(value as Record<string, unknown>);
  const args = argument as unknown[];
  if (intrinsic === 'Fn::Join') return (args[1] as unknown[]).map(literalValue).join(String(args[0]));
  if (intrinsic === 'Fn::Select') return literalList(args[1])[Number(args[0])] ?? '';
  throw new Error(`not a literal value: ${JSON.stringify(value)}`);
}

function literalList(value: unknown): string[] {
  const split = (value as { 'Fn::Split'?: [string, unknown] })['Fn::Split'];
  if (!split) throw new Error(`not a literal list: ${JSON.stringify(value)}`);
  return literalValue(split[1]).split(split[0]);
}

describe('the web console hosting (infra/resources/console.yml)', () => {
  const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
  const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
  const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

  interface Behaviour {
    PathPattern?: string;
    TargetOriginId: string;
    ViewerProtocolPolicy: string;
    AllowedMethods: string[];
    CachePolicyId: string;
    OriginRequestPolicyId?: string;
    ResponseHeadersPolicyId?: unknown;
    FunctionAssociations?: Array<{ EventType: string; FunctionARN: unknown }>;
  }
  interface DistributionConfig {
    DefaultRootObject: string;
    HttpVersion: string;
    IPV6Enabled: boolean;
    PriceClass: string;
    Origins: Array<{ Id: string; DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: unknown; CustomOriginConfig?: { OriginProtocolPolicy: string } }>;
    DefaultCacheBehavior: Behaviour;
    CacheBehaviors: Behaviour[];
    CustomErrorResponses?: unknown;
  }

  /** The one resource of this type console.yml declares (its ids start with Console; osls has its own deployment bucket). */
  function only(type: string): [string, NonNullable<CfnTemplate['Resources'][string]['Properties']>] {
    const found = resourcesOfType(template, type).filter(([id]) => id.startsWith('Console'));
    expect(found.map(([id]) => id), type).toHaveLength(1);
    return [found[0]![0], found[0]![1].Properties ?? {}];
  }
  function resource(id: string, type: string): NonNullable<CfnTemplate['Resources'][string]['Properties']> {
    expect(template.Resources[id]?.Type, id).toBe(type);
    return template.Resources[id]!.Properties ?? {};
  }
  const distribution = () => only('AWS::CloudFront::Distribution');
  const config = () => distribution()[1].DistributionConfig as DistributionConfig;
  const origin = (id: string) => config().Origins.find((candidate) => candidate.Id === id);

  it('keeps the console in a private, encrypted bucket owned by the account, with no website endpoint', () => {
    const [, bucket] = only('AWS::S3::Bucket');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(bucket.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(bucket.AccessControl).toBeUndefined();
  });

  it('lets only the distribution read the bucket (its Origin Access Control, SigV4)', () => {
    const [bucketId] = only('AWS::S3::Bucket');
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(origin('console-bucket')).toMatchObject({
      DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });

    const [, bucketPolicy] = only('AWS::S3::BucketPolicy');
    expect(bucketPolicy.Bucket).toEqual({ Ref: bucketId });
    const statements = policyStatements(bucketPolicy.PolicyDocument);
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [allow] = allows as Array<PolicyStatement & { Principal?: unknown }>;
    expect(allow!.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(asList(allow!.Action)).toEqual(['s3:GetObject']);
    const sourceArn = allow!.Condition?.StringEquals?.['AWS:SourceArn'];
    expect(JSON.stringify(sourceArn)).toContain(JSON.stringify({ Ref: distribution()[0] }));
    expect(JSON.stringify(sourceArn)).toContain(':distribution/');
    // Everything else is a Deny (plain HTTP).
    expect(statements.filter((statement) => statement.Effect !== 'Allow' && statement.Effect !== 'Deny')).toEqual([]);
  });

  it('serves the console from the bucket over HTTPS, cache-optimized, with security headers and the path-routes function', () => {
    const { DefaultCacheBehavior: fallback, ...rest } = config();
    expect(rest).toMatchObject({ DefaultRootObject: 'index.html', HttpVersion: 'http2and3', IPV6Enabled: true, PriceClass: 'PriceClass_100' });
    expect(fallback).toMatchObject({ TargetOriginId: 'console-bucket', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: CACHING_OPTIMIZED });
    expect(fallback.ResponseHeadersPolicyId).toEqual({ Ref: 'ConsoleResponseHeadersPolicy' });
    for (const id of ['ConsoleResponseHeadersPolicy', 'ConsoleDocsResponseHeadersPolicy']) {
      const policy = resource(id, 'AWS::CloudFront::ResponseHeadersPolicy');
      expect((policy.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: unknown }).SecurityHeadersConfig, id).toMatchObject({
        StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000 },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY' },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
        ContentSecurityPolicy: { Override: true },
      });
    }
    const [functionId, fn] = only('AWS::CloudFront::Function');
    expect(fn).toMatchObject({ AutoPublish: true, FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    expect(fallback.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
    // The API's 404s must stay 404s: no error page rewriting on the distribution.
    expect(rest.CustomErrorResponses).toBeUndefined();
  });

  it("serves the API reference (/docs) from the bucket too, with the function, and inline scripts allowed on that page only", () => {
    for (const pattern of ['/docs', '/docs/*']) {
      const docs = config().CacheBehaviors.find((behaviour) => behaviour.PathPattern === pattern);
      expect(docs, pattern).toMatchObject({ TargetOriginId: 'console-bucket', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: CACHING_OPTIMIZED });
      expect(docs?.ResponseHeadersPolicyId).toEqual({ Ref: 'ConsoleDocsResponseHeadersPolicy' });
      expect(docs?.FunctionAssociations).toEqual(config().DefaultCacheBehavior.FunctionAssociations);
    }
    const csp = (id: string) =>
      JSON.stringify((resource(id, 'AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig as { SecurityHeadersConfig: { ContentSecurityPolicy: unknown } }).SecurityHeadersConfig.ContentSecurityPolicy);
    expect(csp('ConsoleDocsResponseHeadersPolicy')).toContain("script-src 'self' 'unsafe-inline'");
    expect(csp('ConsoleResponseHeadersPolicy')).toContain("script-src 'self';");
    expect(csp('ConsoleResponseHeadersPolicy')).not.toContain("script-src 'self' 'unsafe-inline'");
  });

  it('sends /v1/* and /slack/* to the HTTP API: every method, never cached, every viewer header but Host, no path rewriting', () => {
    const [[apiId] = []] = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
    expect(apiId).toBe('HttpApi');
    expect(origin('http-api')).toMatchObject({ CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } });
    expect(JSON.stringify(origin('http-api')?.DomainName)).toContain(JSON.stringify({ Ref: 'HttpApi' }));

    const behaviours = config().CacheBehaviors.filter((behaviour) => behaviour.TargetOriginId === 'http-api');
    expect(behaviours.map((behaviour) => behaviour.PathPattern)).toEqual(['/v1/*', '/slack/*']);
    for (const behaviour of behaviours) {
      expect(behaviour, behaviour.PathPattern).toMatchObject({
        TargetOriginId: 'http-api',
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      });
      expect([...behaviour.AllowedMethods].sort(), behaviour.PathPattern).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
      expect(behaviour.FunctionAssociations, behaviour.PathPattern).toBeUndefined();
    }
  });

  it('outputs the console URL, bucket and distribution for publish-console', () => {
    const outputs = (template as unknown as { Outputs: Record<string, { Value: unknown }> }).Outputs;
    expect(outputs.ConsoleUrl?.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution()[0], 'DomainName'] }]] });
    expect(outputs.ConsoleBucketName?.Value).toEqual({ Ref: only('AWS::S3::Bucket')[0] });
    expect(outputs.ConsoleDistributionId?.Value).toEqual({ Ref: distribution()[0] });
    // dev packages with the placeholder client id, which publish-console refuses.
    expect(outputs.ConsoleOidcClientId?.Value).toBe('placeholder-console-client-id');
  });
});

// Each function's own role (serverless-iam-roles-per-function), from the template packaged above.
describeFunctionRoles(() => template);

// cfn-lint W3005 flags the DependsOn that osls itself adds next to a Ref/GetAtt; we
// cannot change the generated resources, and the redundancy is harmless.
const IGNORED_CFN_LINT_RULES = ['W3005'];

describe('cfn-lint', () => {
  it('reports no errors or warnings on the packaged templates', (context) => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      const message =
        'cfn-lint is not on PATH, so the packaged CloudFormation template was NOT linted. ' +
        'Install it with `pip install cfn-lint` (1.x), or set ALLOW_MISSING_CFN_LINT=1 to skip this check.';
      if (process.env.ALLOW_MISSING_CFN_LINT === '1') {
        console.warn(`WARNING: ${message}`);
        context.skip(message);
      }
      throw new Error(message);
    }

    const lint = spawnSync(
      'cfn-lint',
      ['--non-zero-exit-code', 'warning', '--ignore-checks', ...IGNORED_CFN_LINT_RULES, '--', updateTemplate, createTemplate],
      { encoding: 'utf8', timeout: 90_000 },
    );
    // Informational findings never fail; errors, warnings and parse failures do.
    const output = `${lint.stdout}${lint.stderr}${lint.error ?? ''}`;
    expect(lint.status, `${version.stdout.trim()} found problems:\n${output}`).toBe(0);
  }, 100_000);
});
