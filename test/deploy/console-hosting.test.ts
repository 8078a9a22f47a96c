import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../infra/local/runtime/console-files.ts';
import { parseCloudFormationYaml } from './cfn-yaml.ts';

// infra/resources/console.yml as written (package.test.ts checks it as packaged): the CloudFront
// Function that sends the console's path routes to index.html, run here on Node.

interface Fragment {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const fragment = parseCloudFormationYaml(readFileSync(new URL('../../infra/resources/console.yml', import.meta.url), 'utf8')) as Fragment;

interface ViewerRequest {
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}

function consolePathsFunction(): (event: { request: ViewerRequest }) => ViewerRequest {
  const fn = fragment.Resources.ConsolePathsFunction;
  expect(fn?.Type).toBe('AWS::CloudFront::Function');
  expect(fn?.Properties.FunctionConfig).toMatchObject({ Runtime: 'cloudfront-js-2.0' });
  const code = String(fn?.Properties.FunctionCode);
  // osls would read ${...} as its own variables, and CloudFront would reject a handler by another name.
  expect(code).not.toContain('${');
  return new Function(`${code}\nreturn handler;`)() as (event: { request: ViewerRequest }) => ViewerRequest;
}

function rewrite(uri: string): string {
  return consolePathsFunction()({ request: { uri, querystring: {}, headers: {} } }).uri;
}

describe('the console paths function (viewer request, default behaviour)', () => {
  it('answers the console’s path routes with /index.html', () => {
    for (const route of ['/', '/requests', '/requests/', '/requests/req-01J9ZK3', '/signin/callback', '/hosts/host-1/edit', '/docsx']) {
      expect(rewrite(route), route).toBe('/index.html');
    }
  });

  it('leaves files alone: assets, index.html, console-config.json, the docs page', () => {
    for (const file of ['/index.html', '/console-config.json', '/assets/index-3f2a1b9c.js', '/assets/index-3f2a1b9c.css', '/favicon.svg', '/docs/index.html', '/docs/openapi.json']) {
      expect(rewrite(file), file).toBe(file);
    }
  });

  it('serves /docs from /docs/index.html', () => {
    expect(rewrite('/docs')).toBe('/docs/index.html');
    expect(rewrite('/docs/')).toBe('/docs/index.html');
  });

  it('keeps the query string (the OIDC callback’s code and state) and headers', () => {
    const request = { uri: '/signin/callback', querystring: { code: { value: 'abc' }, state: { value: 'xyz' } }, headers: { host: { value: 'd1.cloudfront.net' } } };
    expect(consolePathsFunction()({ request: structuredClone(request) })).toEqual({ ...request, uri: '/index.html' });
  });

  it('runs on the bucket’s behaviours only: the API behaviours pass 404s and every path through', () => {
    const config = fragment.Resources.ConsoleDistribution?.Properties.DistributionConfig as {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Array<Record<string, unknown>>;
      CustomErrorResponses?: unknown;
    };
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': ['ConsolePathsFunction', 'FunctionARN'] } }]);
    // /docs and /docs/*, not /docs*: that would give /docsx (a console route) the docs' looser policy.
    expect(config.CacheBehaviors.map((behaviour) => behaviour.PathPattern)).toEqual(['/v1/*', '/slack/*', '/docs', '/docs/*']);
    for (const behaviour of config.CacheBehaviors) {
      const fromBucket = behaviour.TargetOriginId === 'console-bucket';
      expect(fromBucket, String(behaviour.PathPattern)).toBe(String(behaviour.PathPattern).startsWith('/docs'));
      if (fromBucket) expect(behaviour.FunctionAssociations).toEqual(config.DefaultCacheBehavior.FunctionAssociations);
      else expect(behaviour.FunctionAssociations, String(behaviour.PathPattern)).toBeUndefined();
    }
    expect(config.CustomErrorResponses).toBeUndefined();
  });
});

describe('the Content-Security-Policy', () => {
  const policy = (logicalId: string) =>
    (fragment.Resources[logicalId]?.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } } }).SecurityHeadersConfig
      .ContentSecurityPolicy.ContentSecurityPolicy;

  it('is the one the local system sends, for the docs and for the console (with the issuer, as CloudFront joins it)', () => {
    expect(policy('ConsoleDocsResponseHeadersPolicy')).toBe(contentSecurityPolicy('/docs', { apiBaseUrl: '', auth: { mode: 'dev' } }));
    // !Join ['', [prefix, !Select [2, !Split ['/', issuer]], ' <extra>', rest]], with the issuer https://login.example.com and no extra origins.
    const [, [prefix, , , rest]] = (policy('ConsoleResponseHeadersPolicy') as { 'Fn::Join': [string, [string, unknown, string, string]] })['Fn::Join'];
    const joined = `${prefix}login.example.com${rest}`;
    const local = contentSecurityPolicy('/requests', { apiBaseUrl: '', auth: { mode: 'oidc', issuer: 'https://login.example.com/oauth2', clientId: 'c', audience: 'a', scopes: [] } });
    expect(joined).toBe(local);
  });
});
