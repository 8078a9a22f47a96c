import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFunctionRoles } from './function-roles.ts';
import { packageOffline, tryPackageOffline, type PackageAttempt } from './offline-package.ts';
import type { CfnTemplate } from './template.ts';
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
