/**
 * The OpenAPI document against independent tools: a typed client generated from it with
 * openapi-typescript must compile against what the API declares, the e2e contract check must hold
 * answers to it, and bodies generated for the request schema must be judged by the server's own
 * validation exactly as the document (read with ajv) and its descriptions judge them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import fc from 'fast-check';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';
import { parseConnectionRequest } from './contract.ts';
import { REQUEST_STATUSES } from './model.ts';
import { PROBLEM_CODES, problemTypeUri } from '../shell/http-errors.ts';
import { ApiContract } from '../../test/e2e/api-contract.ts';
import { createSelfSignedCertificate } from '../../test/helpers/self-signed-certificate.ts';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;
/** The document as it is served: JSON. */
const served = (): Json => JSON.parse(JSON.stringify(openApiDocument())) as Json;

describe('the OpenAPI document', () => {
  it('generates the statuses, the problem codes and every operation from one definition each', () => {
    const document = served() as { components: { schemas: Record<string, Json> }; paths: Record<string, Record<string, Json>> };
    expect(document.components.schemas.Status!.enum).toEqual([...REQUEST_STATUSES]);
    expect((document.components.schemas.Problem!.properties as Record<string, Json>).code!.enum).toEqual([...PROBLEM_CODES]);
    const problemTypes = (document.components as unknown as { 'x-problem-types': Record<string, Json> })['x-problem-types'];
    for (const code of PROBLEM_CODES) {
      // `type` is a URI reference into the served document: it resolves to the code's entry.
      const pointer = problemTypeUri(code).split('#')[1]!.split('/').slice(1);
      expect(pointer.reduce<unknown>((node, segment) => (node as Json)[decodeURIComponent(segment)], document), code).toBe(problemTypes[code]);
    }
    // Nothing in the product answers 429.
    const statuses = Object.values(document.paths).flatMap((item) => Object.values(item).flatMap((operation) => Object.keys(operation.responses as Json)));
    expect(statuses).not.toContain('429');
  });

  it('compiles as a typed client generated with openapi-typescript: operations, statuses, headers, bodies', async () => {
    const document = served() as { paths: Record<string, Record<string, Json>>; components: Json };
    // defaultNonNullable off: a request field with a default (outputArtifactFormat) may be left out;
    // the views mark theirs required anyway (their schemas are generated as output).
    const generated = astToString(await openapiTS(document as never, { defaultNonNullable: false }));

    // Every status and every header each operation declares is a type of the generated client…
    const declared: string[] = [];
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        const id = String(operation.operationId);
        for (const [status, response] of Object.entries(operation.responses as Record<string, Json>)) {
          declared.push(`type _${id}_${status} = operations['${id}']['responses'][${status}];`);
          const resolved = typeof response.$ref === 'string' ? ((document.components.responses as Record<string, Json>)[response.$ref.split('/').pop()!] as Json) : response;
          for (const header of Object.keys((resolved.headers ?? {}) as Json)) {
            declared.push(`type _${id}_${status}_${header.replace(/\W/gu, '_')} = operations['${id}']['responses'][${status}]['headers']['${header}'];`);
          }
          for (const media of Object.keys((resolved.content ?? {}) as Json)) {
            declared.push(`type _${id}_${status}_${media.replace(/\W/gu, '_')} = operations['${id}']['responses'][${status}]['content']['${media}'];`);
          }
        }
      }
    }
    // …and a client's usage of it typechecks, while misuse does not.
    const usage = `
import type { components, operations, paths } from './api';
${declared.join('\n')}

type NewRequest = components['schemas']['NewConnectionRequest'];
export const body: NewRequest = {
  providerEndpoint: 'https://ghe.example.com',
  vpcConfiguration: { vpcId: 'vpc-01234567', subnetIds: ['subnet-01234567'], securityGroupIds: ['sg-01234567'] },
  pipeline: { name: 'payments', fullRepositoryId: 'acme/payments', branchName: 'main', trigger: { push: [{ branches: { includes: ['main'] } }] } },
  tags: [{ key: 'team', value: 'payments' }],
};
// @ts-expect-error unknown fields are refused
export const typo: NewRequest = { providerEndpoint: 'https://ghe.example.com', subnetID: 'x' };
// JSON Schema's if/then (providerEndpoint required for the self-managed providers) is not a type:
// the API answers a 400 naming it.
export const empty: NewRequest = {};
export const gitLab: NewRequest = {
  providerEndpoint: 'https://gitlab.example.com',
  providerType: 'GitLabSelfManaged',
  pipeline: { name: 'payments', fullRepositoryId: 'platform/backend/payments', branchName: 'main' },
};
export const cloud: NewRequest = { providerType: 'AzureDevOps', pipeline: { name: 'payments', fullRepositoryId: 'acme/platform/payments', branchName: 'main' } };
// @ts-expect-error not a provider
export const unknownProvider: NewRequest = { providerType: 'CodeCommit' };

type Create = paths['/v1/connection-requests']['post'];
export const key: Create['parameters']['header']['Idempotency-Key'] = 'retry-1';
type Accepted = Create['responses'][202];
export const location: Accepted['headers']['Location'] = '/v1/connection-requests/0d3c…';
export function follow(view: Accepted['content']['application/json']): string {
  const status: components['schemas']['Status'] = view.status;
  const tags: Record<string, string> = view.tags;
  const trigger = view.pipeline?.trigger?.push?.[0]?.branches?.includes;
  const provider: 'GitHubEnterpriseServer' | 'GitLabSelfManaged' | 'GitHub' | 'GitLab' | 'Bitbucket' | 'AzureDevOps' = view.providerType;
  return [status, provider, view.links.self, view.nextAction?.actor ?? '', view.vpcConfiguration?.vpcId ?? '', Object.keys(tags).join(), trigger?.join() ?? ''].join(' ');
}
// @ts-expect-error not a status
export const notAStatus: components['schemas']['Status'] = 'DONE';

type Problem = Create['responses'][409]['content']['application/problem+json'];
export const problem: Problem = {
  type: '${problemTypeUri('ConnectionNameTaken')}', title: 'The connection name is taken', status: 409, detail: '…',
  instance: '/v1/connection-requests', code: 'ConnectionNameTaken', errors: [{ path: 'connectionName', message: 'already in use' }],
};
// @ts-expect-error not a problem code
export const notACode: Problem['code'] = 'TooManyRequests';
export const gateway: components['schemas']['GatewayUnauthorized'] = { message: 'Unauthorized' };
// @ts-expect-error the gateway's 401 says exactly Unauthorized
export const otherGateway: components['schemas']['GatewayUnauthorized'] = { message: 'Forbidden' };
export const unauthorized: Create['responses'][401]['content']['application/json'] = gateway;
// @ts-expect-error nothing answers 429
export type Throttled = Create['responses'][429];
`;
    const directory = mkdtempSync(join(tmpdir(), 'openapi-client-'));
    try {
      writeFileSync(join(directory, 'api.ts'), generated);
      writeFileSync(join(directory, 'usage.ts'), usage);
      const program = ts.createProgram([join(directory, 'usage.ts')], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        noUnusedLocals: false,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        types: [],
        lib: ['lib.es2022.d.ts'],
      });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      expect(diagnostics).toEqual([]);
      expect(declared.length).toBeGreaterThan(100);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the e2e contract check (test/e2e/api-contract.ts)', () => {
  const contract = new ApiContract(served());
  const functionHeaders = { 'cache-control': 'no-store', 'apigw-requestid': 'Mc7UVioPPHcEKPA=' };
  const notFound = {
    type: problemTypeUri('NotFound'),
    title: 'Not found',
    status: 404,
    detail: 'Connection request x does not exist.',
    instance: '/v1/connection-requests/x',
    code: 'NotFound',
    errors: [],
  };
  const answer = (status: number, headers: Record<string, string>, body: unknown) => ({
    method: 'GET',
    path: '/v1/connection-requests/x?view=full',
    status,
    headers,
    body: body === undefined ? '' : JSON.stringify(body),
  });

  it('passes problem details and the gateway\'s own 401', () => {
    expect(contract.problems(answer(404, { ...functionHeaders, 'content-type': 'application/problem+json' }, notFound))).toEqual([]);
    expect(contract.problems(answer(401, { 'apigw-requestid': 'x', 'content-type': 'application/json' }, { message: 'Unauthorized' }))).toEqual([]);
  });

  it('refuses the old error shape, an undeclared status, a missing header, and a body where none is declared', () => {
    const old = { error: { code: 'NotFound', message: 'gone', details: [] } };
    expect(contract.problems(answer(404, { ...functionHeaders, 'content-type': 'application/json' }, old))).toEqual([
      'content type application/json is not declared for status 404 (declared: application/problem+json)',
    ]);
    expect(contract.problems(answer(404, { ...functionHeaders, 'content-type': 'application/problem+json' }, { ...notFound, code: 'Gone' })).join()).toContain('body/code');
    expect(contract.problems(answer(429, functionHeaders, undefined))).toEqual([expect.stringContaining('does not declare status 429')]);
    expect(contract.problems(answer(404, { 'content-type': 'application/problem+json' }, notFound))).toEqual([
      'header Cache-Control is required but missing',
      'header Apigw-Requestid is required but missing',
    ]);
    const created = { method: 'POST', path: '/v1/connection-requests', status: 202, headers: { ...functionHeaders, 'content-type': 'application/json' }, body: '{}' };
    expect(contract.problems(created)).toContain('header Location is required but missing');
    expect(contract.problems({ method: 'POST', path: '/slack/interactions', status: 200, headers: { 'apigw-requestid': 'x', 'content-type': 'text/plain' }, body: 'ok' })).toEqual([
      'status 200 declares no body, but one came (text/plain)',
    ]);
    expect(contract.problems({ ...created, path: '/v1/nowhere' })).toEqual(['POST /v1/nowhere is not an operation of the document']);
  });
});

// ---------------------------------------------------------------------------------------------
// Generated bodies: the document (ajv over NewConnectionRequest) plus what its descriptions say
// must judge every body exactly as the server's validation does.

const NOW = new Date('2027-06-01T00:00:00Z');
const VALID_CERTIFICATE = createSelfSignedCertificate({ commonName: 'Contract CA', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') }).pem;
const EXPIRED_CERTIFICATE = createSelfSignedCertificate({ commonName: 'Old CA', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') }).pem;
const FUTURE_CERTIFICATE = createSelfSignedCertificate({ commonName: 'Future CA', notBefore: new Date('2028-01-01T00:00:00Z'), notAfter: new Date('2031-01-01T00:00:00Z') }).pem;

/** A value and whether the field's description allows it (only for values its schema keywords allow: the rest are refused by the schema anyway). */
type Labelled = { value: string; described: boolean };
const labelled = (described: boolean, ...values: string[]): Labelled[] => values.map((value) => ({ value, described }));

/** providerEndpoint: what its description says beyond its pattern, one case per rule. */
const ENDPOINTS: Labelled[] = [
  ...labelled(true, 'https://ghe.example.com', 'HTTPS://GHE.Example.com:8443/github/', ' https://ghe.example.com ', 'https://10.0.0.5', 'https://[fd00::5]', 'https://ghe.example.com/?x=1#top', 'https://ghe.example.com.'),
  // not a fully qualified DNS name, loopback, link-local, multicast, reserved, the metadata service
  ...labelled(false, 'https://ghe', 'https://localhost', 'https://ghe.localhost', 'https://127.0.0.1', 'https://169.254.169.254', 'https://224.0.0.1', 'https://[::1]', 'https://[fd00:ec2::254]', 'https://0.0.0.0'),
  // invalid punycode, port 0, a port out of range, the API path, not a URL, longer than 512 once normalised
  ...labelled(false, 'https://xn--gh-xxx.example.com', 'https://ghe.example.com:0', 'https://ghe.example.com:70000', 'https://ghe.example.com/api/v3', 'https://ghe.example.com/github/api/v3', 'https://ghe_x.example.com', `https://ghe.example.com/${'p'.repeat(600)}`),
  // GitLab's API path under a relative URL root
  ...labelled(false, 'https://gitlab.example.com/gitlab/api/v4'),
  // refused by the pattern itself (the label does not matter)
  ...labelled(true, 'http://ghe.example.com', 'https://user@ghe.example.com', 'https://ghe.exa mple.com', 'ghe.example.com', 'https://', '', 'https://ghe.example.com\\x'),
];

const PROVIDER_ENDPOINT_PATTERN = new RegExp(
  ((served().components as { schemas: Record<string, { properties: Record<string, { pattern: string }> }> }).schemas.NewConnectionRequest!.properties.providerEndpoint!.pattern),
  'u',
);

/** tlsCertificate: it must parse, and be valid when the request is made. */
const CERTIFICATES: Labelled[] = [
  ...labelled(true, VALID_CERTIFICATE, VALID_CERTIFICATE.replace(/\n/gu, '\r\n'), `\n${VALID_CERTIFICATE}\n`),
  ...labelled(false, EXPIRED_CERTIFICATE, FUTURE_CERTIFICATE, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
  // refused by the pattern or the length
  ...labelled(true, '', 'not a certificate', `${VALID_CERTIFICATE}${VALID_CERTIFICATE}`, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----', `-----BEGIN CERTIFICATE-----\n${'A'.repeat(17_000)}\n-----END CERTIFICATE-----`),
];

const bmpChar = fc.integer({ min: 0, max: 0xffff }).filter((code) => code < 0xd800 || code > 0xdfff).map((code) => String.fromCharCode(code));
const charsOf = (alphabet: string, maxLength: number) => fc.string({ unit: fc.constantFrom(...alphabet), maxLength });
const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });
/** Once in `odds` values, else undefined. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>, odds: number) => fc.oneof({ arbitrary: fc.constant(undefined), weight: odds - 1 }, { arbitrary, weight: 1 });
/** Mostly a good value, now and then a doubtful one: enough bodies stay valid to compare both verdicts. */
const mostly = <T>(good: fc.Arbitrary<T>, doubtful: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 10 }, { arbitrary: doubtful, weight: 1 });
/** The value, sometimes with an unknown field. */
const withTypo = <T extends Json>(arbitrary: fc.Arbitrary<T>, field: string) =>
  fc.tuple(arbitrary, fc.integer({ min: 0, max: 11 })).map(([value, dice]) => (dice === 0 ? { ...value, [field]: 'x' } : value));

const endpoint = fc.oneof(
  { arbitrary: fc.constantFrom(...ENDPOINTS.filter(({ value, described }) => described && PROVIDER_ENDPOINT_PATTERN.test(value))), weight: 8 },
  { arbitrary: fc.constantFrom(...ENDPOINTS.filter(({ described }) => !described)), weight: 1 },
  { arbitrary: fc.constantFrom(...ENDPOINTS.filter(({ value }) => !PROVIDER_ENDPOINT_PATTERN.test(value))), weight: 1 },
);
const connectionName = mostly(
  fc.constantFrom('ghe-payments', 'payments ghes', 'x'.repeat(32), 'Zürich'),
  fc.oneof(fc.string({ unit: bmpChar, maxLength: 34 }), fc.constantFrom('', ' padded', 'padded ', 'x'.repeat(33), 'a\u2028', 'a\u0085b', 'tab\there')),
);

const vpcId = mostly(fc.constantFrom('vpc-0123456789abcdef0', 'vpc-01234567'), fc.oneof(fc.constantFrom('vpc-1', 'vpc-0123456789abcdef', 'subnet-01234567'), charsOf('vpc-0a', 14)));
const ids = (good: string[], bad: string[]) =>
  mostly(fc.uniqueArray(fc.constantFrom(...good), { minLength: 1, maxLength: good.length }), fc.array(fc.constantFrom(...good, ...bad), { maxLength: 11 }));
const subnetIds = ids(['subnet-01234567', 'subnet-0123456789abcdef0', 'subnet-89abcdef'], ['subnet-1', 'sg-01234567']);
const securityGroupIds = ids(['sg-01234567', 'sg-0123456789abcdef0', 'sg-89abcdef'], ['sg-x', 'vpc-01234567']);
const certificate = mostly(fc.constantFrom(...CERTIFICATES.slice(0, 3)), fc.constantFrom(...CERTIFICATES.slice(3)));
const vpc = withTypo(
  fc.record({ vpcId, subnetIds, securityGroupIds, certificate: optional(certificate) }, { requiredKeys: ['vpcId', 'subnetIds', 'securityGroupIds'] }),
  'subnetID',
);

const pipelineName = mostly(fc.constantFrom('payments', 'a.b@c-d_e', 'x'.repeat(100)), fc.oneof(fc.constantFrom('x'.repeat(101), '', 'pay ments', 'päy'), charsOf('ab.@-_ /!', 6)));
// Good for both providers, or for one of them only (which applies follows providerType).
const repositoryId = mostly(
  fc.oneof(
    { arbitrary: fc.constantFrom('platform/payments-api', 'a/b', 'A_b.c/d-e.f', `${'o'.repeat(100)}/r`, 'o/a.gitx'), weight: 5 },
    { arbitrary: fc.constantFrom('o/..x', 'o/.github', 'group/subgroup/project', '_group/project'), weight: 1 },
  ),
  fc.oneof(
    fc.constantFrom('platform/payments.git', '-team/x', 'team/..', 'team/.', 'a/b/c', 'a', '/b', 'a/', `${'o'.repeat(101)}/r`, `o/${'r'.repeat(101)}`, 'o/.git', 'a b/c'),
    fc.constantFrom('g/s/p.git', 'g/feed.atom/p', 'g//p', `${Array.from({ length: 21 }, (_, index) => `g${index}`).join('/')}/p`, `g/${'p'.repeat(256)}`),
    charsOf('aZ0-_./', 8),
  ),
);
// Seldom wrong: a wrong one refuses the whole body, which would leave too few valid ones to compare.
const providerType = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>('GitHubEnterpriseServer', 'GitLabSelfManaged'), weight: 25 },
  { arbitrary: fc.constantFrom<unknown>('GitLab', 'gitlab', '', 5), weight: 1 },
);
const branchName = mostly(
  fc.constantFrom('main', 'release/2025.1', 'feature/x-y_z', 'a@b', 'b'.repeat(255), 'Ünïcode'),
  fc.oneof(
    fc.constantFrom('feature/{x}', 'a!b', '-main', 'a..b', 'a@{b', '@', 'a/', '/a', 'a//b', 'a.', 'a.lock', 'a/.b', '.a', 'a b', 'a~b', 'a^b', 'a:b', 'a?b', 'a*b', 'a[b'),
    fc.constantFrom('a\\b', 'a\u0001b', 'a\u007fb', '', 'b'.repeat(256), 'a\u00a0b', 'a\u2028b'),
    charsOf('ab/.-@{}!~ \t*[\\:', 8),
    fc.string({ unit: bmpChar, maxLength: 6 }),
  ),
);
const patternList = mostly(
  fc.array(fc.constantFrom('main', 'src/**', 'release/*'), { minLength: 1, maxLength: 3 }),
  fc.oneof(fc.array(fc.constantFrom('main', '', 'x'.repeat(256)), { maxLength: 9 }), fc.constant('main' as unknown as string[])),
);
const criteria = withTypo(fc.record({ includes: patternList, excludes: patternList }, { requiredKeys: [] }), 'other');
const pushFilter = mostly(
  fc.oneof(fc.record({ branches: criteria, filePaths: criteria }, { requiredKeys: ['branches'] }), fc.record({ tags: criteria })),
  fc.oneof(fc.record({ branches: criteria, filePaths: criteria, tags: criteria }, { requiredKeys: [] }), fc.constant('push' as unknown as Json)),
);
const events = mostly(
  fc.uniqueArray(fc.constantFrom('OPEN', 'UPDATED', 'CLOSED'), { minLength: 1, maxLength: 3 }),
  fc.array(fc.constantFrom('OPEN', 'UPDATED', 'CLOSED', 'MERGED'), { maxLength: 4 }),
);
const pullRequestFilter = withTypo(fc.record({ branches: criteria, filePaths: criteria, events }, { requiredKeys: [] }), 'base');
const filters = <T>(filter: fc.Arbitrary<T>) => mostly(fc.array(filter, { minLength: 1, maxLength: 3 }), fc.array(filter, { maxLength: 4 }));
const trigger = mostly(
  fc.oneof(fc.constantFrom(true, false), fc.record({ push: filters(pushFilter), pullRequest: filters(pullRequestFilter) }, { requiredKeys: [] })),
  fc.oneof(fc.constantFrom('yes', {}, null), withTypo(fc.record({ push: filters(pushFilter) }), 'extra')),
);
const pipeline = withTypo(
  fc.record(
    {
      name: pipelineName,
      sourceActionName: pipelineName,
      fullRepositoryId: repositoryId,
      branchName,
      outputArtifactFormat: mostly(fc.constantFrom('CODE_ZIP', 'CODEBUILD_CLONE_REF'), fc.constant('ZIP')),
      detectChanges: mostly(fc.boolean(), fc.constant('yes' as unknown as boolean)),
      trigger,
    },
    { requiredKeys: ['name', 'fullRepositoryId', 'branchName'] },
  ),
  'repo',
);

const tagKey = mostly(
  fc.constantFrom('team', 'Team', 'cost-center', 'awsx', 'k'.repeat(128), 'Kostenstelle'),
  fc.oneof(fc.constantFrom('aws:x', 'AWS:cloudformation', 'aWs:', '__proto__', '', 'k'.repeat(129)), charsOf('ab:', 4)),
);
const tagValue = mostly(fc.constantFrom('payments', '', 'v'.repeat(256)), fc.constantFrom('v'.repeat(257), 5 as unknown as string));
const tags = mostly(
  fc.oneof(
    fc.array(fc.tuple(tagKey, tagValue), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
    fc.array(fc.record({ key: tagKey, value: tagValue }), { minLength: 1, maxLength: 4 }),
  ),
  fc.oneof(
    fc.array(fc.oneof(withTypo(fc.record({ key: tagKey, value: tagValue }), 'extra'), fc.constant('tag' as unknown as Json)), { maxLength: 4 }),
    fc.constantFrom<unknown>(
      Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v'])),
      Array.from({ length: 51 }, (_, index) => ({ key: `k${index}`, value: 'v' })),
      'team=payments',
    ),
  ),
);

const gitSync = withTypo(
  fc.record(
    {
      stackName: mostly(fc.constantFrom('payments-infra', 'A', `a${'b'.repeat(99)}`), fc.constantFrom('', '1stack', 'pay_ments', `a${'b'.repeat(100)}`, 'stäck')),
      repository: repositoryId,
      branch: branchName,
      configFile: mostly(fc.constantFrom('deploy.yaml', 'deployment/payments.yaml', 'x'.repeat(1024)), fc.constantFrom('', '/deploy.yaml', 'a\nb', 'x'.repeat(1025))),
      roleArn: mostly(
        fc.constantFrom('arn:aws:iam::111111111111:role/service-role/payments-sync', 'arn:aws-us-gov:iam::111111111111:role/a'),
        fc.constantFrom('arn:aws:iam::1111:role/x', 'arn:aws:iam::111111111111:user/x', 'payments-sync', ''),
      ),
      publishDeploymentStatus: mostly(fc.constantFrom('ENABLED', 'DISABLED'), fc.constant('on')),
      pullRequestComment: mostly(fc.constantFrom('ENABLED', 'DISABLED'), fc.constant(true as unknown as string)),
      triggerResourceUpdateOn: mostly(fc.constantFrom('ANY_CHANGE', 'FILE_CHANGE'), fc.constant('ALWAYS')),
    },
    { requiredKeys: ['stackName', 'repository', 'branch', 'configFile', 'roleArn'] },
  ),
  'stack',
);

/** A body, and what the descriptions say about its described-only parts. */
const generatedBody = fc
  .record(
    {
      endpoint: fc.option(endpoint, { nil: undefined, freq: 25 }),
      providerType: optional(providerType),
      connectionName: optional(connectionName),
      vpc: optional(vpc),
      pipeline: optional(pipeline),
      gitSync: rarely(gitSync, 4),
      tags: optional(tags),
      unknown: rarely(fc.constant('x'), 25),
      notAnObject: rarely(fc.constantFrom<unknown>(null, [], 'body', 42), 40),
    },
  )
  .map(({ endpoint: url, providerType: provider, connectionName: name, vpc: network, pipeline: target, gitSync: syncTarget, tags: tagged, unknown, notAnObject }) => {
    if (notAnObject !== undefined) return { body: notAnObject, described: true };
    const body: Json = {};
    if (url) body.providerEndpoint = url.value;
    if (provider !== undefined) body.providerType = provider;
    if (name !== undefined) body.connectionName = name;
    if (network) {
      const { certificate: pem, ...rest } = network;
      body.vpcConfiguration = { ...rest, ...(pem ? { tlsCertificate: pem.value } : {}) };
    }
    if (target) body.pipeline = target;
    if (syncTarget) body.gitSync = syncTarget;
    if (tagged !== undefined) body.tags = tagged;
    if (unknown) body.subnetID = unknown;
    const described = (url?.described ?? true) && (network?.certificate?.described ?? true) && distinctListKeys(tagged);
    // As the server sees it: parsed JSON (so "__proto__" is an ordinary key).
    return { body: JSON.parse(JSON.stringify(body)) as unknown, described };
  });

/** "Keys must be distinct" (the list form of tags). */
function distinctListKeys(tagged: unknown): boolean {
  if (!Array.isArray(tagged)) return true;
  const keys = tagged.map((tag: unknown) => (tag as { key?: unknown } | null)?.key);
  return new Set(keys).size === keys.length;
}

describe('bodies generated for the request schema', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(served(), 'https://connection-broker.invalid/openapi.json');
  const documented = ajv.getSchema('https://connection-broker.invalid/openapi.json#/components/schemas/NewConnectionRequest') as ValidateFunction;

  it('are judged by the server as the document and its descriptions judge them (300 bodies, valid and invalid)', () => {
    const tally = { bodies: 0, valid: 0, refusedBySchema: 0, refusedByDescription: 0 };
    fc.assert(
      fc.property(generatedBody, ({ body, described }) => {
        const bySchema = documented(body) === true;
        const expected = bySchema && described;
        const server = parseConnectionRequest(body, { now: NOW });
        tally.bodies++;
        if (expected) tally.valid++;
        else if (!bySchema) tally.refusedBySchema++;
        else tally.refusedByDescription++;
        const why = server.ok ? 'accepted' : JSON.stringify(server.details);
        expect(server.ok, `document: ${bySchema ? 'valid' : ajv.errorsText(documented.errors)}; described rules: ${described}; server: ${why}; body: ${JSON.stringify(body).slice(0, 600)}`).toBe(
          expected,
        );
      }),
      // A fixed seed: the same 300 bodies every run, so the tally below is the same every run (this one gives 56 valid, 8 of them with Git sync, 235 refused by the schema, 9 by the descriptions).
      { numRuns: 300, seed: 20261204 },
    );
    // Both verdicts, and each kind of refusal, are well represented.
    expect(tally.bodies).toBe(300);
    expect(tally.valid).toBeGreaterThan(45);
    expect(tally.refusedBySchema).toBeGreaterThan(45);
    expect(tally.refusedByDescription).toBeGreaterThan(3);
    console.log(`generated bodies: ${JSON.stringify(tally)}`);
  });
});
