import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  MAX_REQUEST_TAGS,
  parseConnectionRequest,
  type ConnectionRequest,
  type RequestProblem,
} from './contract.ts';
import { messyUrl } from '../../test/helpers/arbitraries.ts';
import { createSelfSignedCertificate } from '../../test/helpers/self-signed-certificate.ts';

const { pem: CA_PEM } = createSelfSignedCertificate({
  commonName: 'Example Private CA',
  notBefore: new Date('2025-01-01T00:00:00Z'),
  notAfter: new Date('2030-01-01T00:00:00Z'),
});

const FULL_REQUEST = {
  providerEndpoint: 'https://GHE.example.com/',
  connectionName: 'payments ghes',
  vpcConfiguration: {
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-01234567'],
    securityGroupIds: ['sg-0123456789abcdef0'],
    tlsCertificate: CA_PEM,
  },
  pipeline: {
    name: 'payments-api',
    sourceActionName: 'Source',
    fullRepositoryId: 'platform/payments-api',
    branchName: 'release/2025.1',
    outputArtifactFormat: 'CODEBUILD_CLONE_REF',
    detectChanges: false,
  },
  tags: { Owner: 'platform', CostCenter: '1234' } as Record<string, string>,
};

function problemsOf(body: unknown, options?: { now?: Date }): RequestProblem[] {
  const result = parseConnectionRequest(body, options);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.details;
}

function withChange(change: (body: typeof FULL_REQUEST & Record<string, unknown>) => void): unknown {
  const body = structuredClone(FULL_REQUEST) as typeof FULL_REQUEST & Record<string, unknown>;
  change(body);
  return body;
}

describe('parseConnectionRequest: accepted bodies', () => {
  it('accepts the smallest request and normalises the endpoint', () => {
    expect(parseConnectionRequest({ providerEndpoint: 'https://GHE.example.com:443/' })).toEqual({
      ok: true,
      value: { providerEndpoint: 'https://ghe.example.com', providerType: 'GitHubEnterpriseServer', connectionStrategy: 'auto' },
    });
  });

  it('accepts a full request as given, with the endpoint normalised', () => {
    const result = parseConnectionRequest(FULL_REQUEST, { now: new Date('2027-01-01T00:00:00Z') });
    expect(result).toEqual({
      ok: true,
      value: { ...FULL_REQUEST, providerEndpoint: 'https://ghe.example.com', providerType: 'GitHubEnterpriseServer', connectionStrategy: 'auto' },
    });
  });

  it('fills in the pipeline defaults (CODE_ZIP, change detection on)', () => {
    const result = parseConnectionRequest({
      providerEndpoint: 'https://ghe.example.com',
      pipeline: { name: 'p', fullRepositoryId: 'org/repo', branchName: 'main' },
    });
    expect(result.ok && result.value.pipeline).toEqual({
      name: 'p',
      fullRepositoryId: 'org/repo',
      branchName: 'main',
      outputArtifactFormat: 'CODE_ZIP',
      detectChanges: true,
    });
  });

  it('accepts tags as a list and returns them as an object', () => {
    const result = parseConnectionRequest({
      providerEndpoint: 'https://ghe.example.com',
      tags: [
        { key: 'Owner', value: 'platform' },
        { key: 'Empty', value: '' },
      ],
    });
    expect(result.ok && result.value.tags).toEqual({ Owner: 'platform', Empty: '' });
  });

  it('accepts exactly 50 tags', () => {
    const tags = Object.fromEntries(Array.from({ length: MAX_REQUEST_TAGS }, (_, index) => [`k${index}`, 'v']));
    expect(parseConnectionRequest({ providerEndpoint: 'https://ghe.example.com', tags }).ok).toBe(true);
  });

  it('accepts an expired TLS certificate when no clock is given (shape only), and refuses it with one', () => {
    const body = { providerEndpoint: 'https://ghe.example.com', vpcConfiguration: FULL_REQUEST.vpcConfiguration };
    expect(parseConnectionRequest(body).ok).toBe(true);
    expect(problemsOf(body, { now: new Date('2031-01-01T00:00:00Z') })).toEqual([
      { path: 'vpcConfiguration.tlsCertificate', message: 'The TLS certificate expired on 2030-01-01T00:00:00.000Z.' },
    ]);
  });

  it('exports the parsed type', () => {
    expectTypeOf<ConnectionRequest['providerEndpoint']>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<ConnectionRequest['pipeline']>['outputArtifactFormat']>().toEqualTypeOf<'CODE_ZIP' | 'CODEBUILD_CLONE_REF'>();
    expectTypeOf<NonNullable<ConnectionRequest['pipeline']>['detectChanges']>().toEqualTypeOf<boolean>();
    expectTypeOf<ConnectionRequest['tags']>().toEqualTypeOf<Record<string, string> | undefined>();
  });
});

describe('parseConnectionRequest: problems', () => {
  it.each([null, [], 'text', 42])('says the body must be an object for %j', (body) => {
    expect(problemsOf(body)).toEqual([{ path: '', message: 'Request body must be a JSON object' }]);
  });

  it('requires providerEndpoint', () => {
    expect(problemsOf({})).toEqual([{ path: 'providerEndpoint', message: 'Required for GitHub Enterprise Server: the https:// URL of your server' }]);
    expect(problemsOf({ providerType: 'GitLabSelfManaged' })).toEqual([{ path: 'providerEndpoint', message: 'Required for GitLab self-managed: the https:// URL of your server' }]);
  });

  it('explains why an endpoint is refused', () => {
    expect(problemsOf({ providerEndpoint: 'http://ghe.example.com' })).toEqual([
      { path: 'providerEndpoint', message: 'Invalid GitHub Enterprise Server URL: only https:// is supported, not http://.' },
    ]);
    expect(problemsOf({ providerEndpoint: 5 })).toEqual([{ path: 'providerEndpoint', message: 'Must be a string' }]);
  });

  it('names every unknown field with its path and the allowed fields', () => {
    const problems = problemsOf(
      withChange((body) => {
        body['subnetID'] = 'x';
        (body.vpcConfiguration as Record<string, unknown>)['subnetID'] = 'x';
        (body.pipeline as Record<string, unknown>)['repo'] = 'x';
      }),
    );
    expect(problems).toEqual([
      {
        path: 'vpcConfiguration.subnetID',
        message: 'Unknown field "subnetID" (allowed fields: vpcId, subnetIds, securityGroupIds, tlsCertificate)',
      },
      {
        path: 'pipeline.repo',
        message:
          'Unknown field "repo" (allowed fields: name, sourceActionName, fullRepositoryId, branchName, outputArtifactFormat, detectChanges, trigger)',
      },
      {
        path: 'subnetID',
        message:
          'Unknown field "subnetID" (allowed fields: providerEndpoint, providerType, accountId, region, connectionStrategy, connectionName, vpcConfiguration, pipeline, gitSync, tags)',
      },
    ]);
  });

  it.each<[string, (body: typeof FULL_REQUEST) => void, RequestProblem[]]>([
    ['a too long connection name', (b) => (b.connectionName = 'x'.repeat(33)), [
      { path: 'connectionName', message: 'Connection name must be at most 32 characters (it has 33)' },
    ]],
    ['a connection name with spaces around it', (b) => (b.connectionName = ' x '), [
      { path: 'connectionName', message: 'Connection name must not start or end with whitespace' },
    ]],
    ['an empty connection name', (b) => (b.connectionName = ''), [{ path: 'connectionName', message: 'Connection name must not be empty' }]],
    ['a bad VPC id', (b) => (b.vpcConfiguration.vpcId = 'vpc-123'), [
      { path: 'vpcConfiguration.vpcId', message: 'Must be a VPC id such as vpc-0123456789abcdef0' },
    ]],
    ['a bad subnet id at index 2', (b) => b.vpcConfiguration.subnetIds.push('subnet-xyz'), [
      { path: 'vpcConfiguration.subnetIds.2', message: 'Must be a subnet id such as subnet-0123456789abcdef0' },
    ]],
    ['a repeated subnet id', (b) => b.vpcConfiguration.subnetIds.push('subnet-01234567'), [
      { path: 'vpcConfiguration.subnetIds.2', message: 'Duplicate subnet id subnet-01234567' },
    ]],
    ['no subnets', (b) => (b.vpcConfiguration.subnetIds = []), [
      { path: 'vpcConfiguration.subnetIds', message: 'Must contain at least 1 subnet id' },
    ]],
    ['11 security groups', (b) => (b.vpcConfiguration.securityGroupIds = Array.from({ length: 11 }, (_, i) => `sg-000000${String(i).padStart(2, '0')}`)), [
      { path: 'vpcConfiguration.securityGroupIds', message: 'Must contain at most 10 security group ids' },
    ]],
    ['a bad security group id', (b) => (b.vpcConfiguration.securityGroupIds = ['sg-1']), [
      { path: 'vpcConfiguration.securityGroupIds.0', message: 'Must be a security group id such as sg-0123456789abcdef0' },
    ]],
    ['a private key as certificate', (b) => (b.vpcConfiguration.tlsCertificate = '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----'), [
      {
        path: 'vpcConfiguration.tlsCertificate',
        message: expect.stringMatching(/^The TLS certificate field contains a private key/) as unknown as string,
      },
    ]],
    ['a pipeline name with spaces', (b) => (b.pipeline.name = 'my pipeline'), [
      { path: 'pipeline.name', message: 'Pipeline name may contain only letters, digits and . @ - _' },
    ]],
    ['a 101-character pipeline name', (b) => (b.pipeline.name = 'p'.repeat(101)), [
      { path: 'pipeline.name', message: 'Pipeline name must be at most 100 characters' },
    ]],
    ['a bad source action name', (b) => (b.pipeline.sourceActionName = 'Source/1'), [
      { path: 'pipeline.sourceActionName', message: 'Source action name may contain only letters, digits and . @ - _' },
    ]],
    ['a repository without owner', (b) => (b.pipeline.fullRepositoryId = 'payments-api'), [
      { path: 'pipeline.fullRepositoryId', message: 'Must be owner/repository, for example platform/payments-api' },
    ]],
    ['a repository with .git', (b) => (b.pipeline.fullRepositoryId = 'platform/payments-api.git'), [
      { path: 'pipeline.fullRepositoryId', message: 'Give the repository name without the .git suffix' },
    ]],
    ['a repository URL', (b) => (b.pipeline.fullRepositoryId = 'https://ghe.example.com/platform/payments-api'), [
      { path: 'pipeline.fullRepositoryId', message: 'Must be owner/repository, for example platform/payments-api' },
    ]],
    ['a bad owner', (b) => (b.pipeline.fullRepositoryId = '-team/repo'), [
      { path: 'pipeline.fullRepositoryId', message: '"-team" is not a valid repository owner (letters, digits, hyphens, underscores and dots)' },
    ]],
    ['".." as repository', (b) => (b.pipeline.fullRepositoryId = 'team/..'), [
      { path: 'pipeline.fullRepositoryId', message: '".." is not a valid repository name (letters, digits, hyphens, underscores and dots)' },
    ]],
    ['an empty branch', (b) => (b.pipeline.branchName = ''), [{ path: 'pipeline.branchName', message: 'Branch name must not be empty' }]],
    ['a 256-character branch', (b) => (b.pipeline.branchName = 'b'.repeat(256)), [
      { path: 'pipeline.branchName', message: 'Branch name must be at most 255 characters' },
    ]],
    ['a branch with a space', (b) => (b.pipeline.branchName = 'my branch'), [
      { path: 'pipeline.branchName', message: 'Must not contain spaces, control characters or any of ~ ^ : ? * [ \\' },
    ]],
    ['a branch ending in .lock', (b) => (b.pipeline.branchName = 'main.lock'), [
      { path: 'pipeline.branchName', message: 'Must not end with "." or ".lock"' },
    ]],
    ['a branch with ..', (b) => (b.pipeline.branchName = 'a..b'), [{ path: 'pipeline.branchName', message: 'Must not contain "..", "@{" or be "@"' }]],
    ['a branch starting with -', (b) => (b.pipeline.branchName = '-main'), [{ path: 'pipeline.branchName', message: 'Must not start with a hyphen' }]],
    ['a branch with a hidden component', (b) => (b.pipeline.branchName = 'feature/.x'), [
      { path: 'pipeline.branchName', message: 'No part between slashes may start with "."' },
    ]],
    ['an unknown artifact format', (b) => (b.pipeline.outputArtifactFormat = 'ZIP'), [
      { path: 'pipeline.outputArtifactFormat', message: 'Must be CODE_ZIP or CODEBUILD_CLONE_REF' },
    ]],
    ['detectChanges as a string', (b) => ((b.pipeline as Record<string, unknown>)['detectChanges'] = 'false'), [
      { path: 'pipeline.detectChanges', message: 'Must be true or false' },
    ]],
    ['a reserved tag key', (b) => (b.tags = { 'AWS:cloudformation:stack-name': 'x' } as typeof b.tags), [
      { path: 'tags.AWS:cloudformation:stack-name', message: 'Tag keys starting with "aws:" are reserved by AWS' },
    ]],
    ['a too long tag value', (b) => (b.tags = { Owner: 'x'.repeat(257) } as typeof b.tags), [
      { path: 'tags.Owner', message: 'Tag value must be at most 256 characters' },
    ]],
    ['a too long tag key', (b) => (b.tags = { ['k'.repeat(129)]: 'v' } as typeof b.tags), [
      { path: `tags.${'k'.repeat(129)}`, message: 'Tag key must be at most 128 characters' },
    ]],
    ['a non-string tag value', (b) => (b.tags = { Owner: 5 } as unknown as typeof b.tags), [{ path: 'tags.Owner', message: 'Must be a string' }]],
    ['a "__proto__" tag', (b) => (b.tags = JSON.parse('{"__proto__": "x"}') as typeof b.tags), [
      { path: 'tags.__proto__', message: 'Tag key "__proto__" is not allowed' },
    ]],
    ['51 tags', (b) => (b.tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) as typeof b.tags), [
      { path: 'tags', message: 'Must contain at most 50 tags' },
    ]],
    ['tags as a string', (b) => (b.tags = 'Owner=platform' as unknown as typeof b.tags), [
      { path: 'tags', message: 'Must be an object of tag keys to values, or a list of { "key": ..., "value": ... }' },
    ]],
  ])('reports %s', (_label, change, expected) => {
    expect(problemsOf(withChange(change))).toEqual(expected);
  });

  it('reports list-form tag problems at their index', () => {
    const problems = problemsOf({
      providerEndpoint: 'https://ghe.example.com',
      tags: [{ key: 'aws:x', value: 'v' }, { key: 'Owner', value: 'a' }, { key: 'Owner', value: 'b', extra: 1 }, 'Owner=c', { key: '', value: 'v' }],
    });
    expect(problems).toEqual([
      { path: 'tags.0.key', message: 'Tag keys starting with "aws:" are reserved by AWS' },
      { path: 'tags.2.extra', message: 'Unknown field "extra" (allowed fields: key, value)' },
      { path: 'tags.3', message: 'Must be an object' },
      { path: 'tags.4.key', message: 'Tag key must not be empty' },
    ]);
  });

  it('reports all problems at once, with missing VPC fields named', () => {
    const problems = problemsOf({ providerEndpoint: 'ftp://x', vpcConfiguration: {}, pipeline: { name: 'p' } });
    expect(problems.map((problem) => problem.path)).toEqual([
      'providerEndpoint',
      'vpcConfiguration.vpcId',
      'vpcConfiguration.subnetIds',
      'vpcConfiguration.securityGroupIds',
      'pipeline.fullRepositoryId',
      'pipeline.branchName',
    ]);
    expect(problems.slice(1).every((problem) => problem.message === 'Required')).toBe(true);
  });

  it('property: never throws, and every problem has a dotted path and a message', () => {
    const anyBody = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record(
        {
          providerEndpoint: fc.oneof(messyUrl, fc.string()),
          connectionName: fc.string({ maxLength: 40 }),
          vpcConfiguration: fc.anything({ maxDepth: 2 }),
          pipeline: fc.anything({ maxDepth: 2 }),
          tags: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.array(fc.record({ key: fc.string(), value: fc.string() }))),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(anyBody, (body) => {
        const result = parseConnectionRequest(body);
        if (result.ok) {
          expect(result.value.providerEndpoint.startsWith('https://')).toBe(true);
          return;
        }
        expect(result.details.length).toBeGreaterThan(0);
        for (const { path, message } of result.details) {
          expect(typeof path).toBe('string');
          expect(message.length).toBeGreaterThan(0);
          expect(message).not.toMatch(/^Invalid input/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseConnectionRequest: providerType', () => {
  const gitLab = (fullRepositoryId: string, providerType: unknown = 'GitLabSelfManaged') =>
    parseConnectionRequest({ providerEndpoint: 'https://gitlab.example.com', providerType, pipeline: { name: 'p', fullRepositoryId, branchName: 'main' } });
  const repositoryProblems = (result: ReturnType<typeof parseConnectionRequest>) => (result.ok ? [] : result.details);

  it('defaults to GitHubEnterpriseServer, and takes GitLabSelfManaged', () => {
    const left = parseConnectionRequest({ providerEndpoint: 'https://ghe.example.com' });
    expect(left.ok && left.value.providerType).toBe('GitHubEnterpriseServer');
    const given = parseConnectionRequest({ providerEndpoint: 'https://gitlab.example.com', providerType: 'GitLabSelfManaged' });
    expect(given.ok && given.value.providerType).toBe('GitLabSelfManaged');
  });

  const EVERY_PROVIDER = 'Must be one of GitHubEnterpriseServer, GitLabSelfManaged, GitHub, GitLab, Bitbucket, AzureDevOps';

  it.each(['Gitlab', 'github', 'gitlabselfmanaged', 'CodeCommit', '', 5, null])('refuses %j, naming providerType and the ones it takes', (providerType) => {
    expect(problemsOf({ providerEndpoint: 'https://gitlab.example.com', providerType })).toEqual([{ path: 'providerType', message: EVERY_PROVIDER }]);
  });

  it.each([
    ['GitHub', 'https://github.com', 'acme/payments'],
    ['GitLab', 'https://gitlab.com', 'acme/backend/payments'],
    ['Bitbucket', 'https://bitbucket.org', 'acme/payments'],
    ['AzureDevOps', 'https://dev.azure.com', 'acme/platform/payments'],
  ])('takes the cloud provider %s with no endpoint of its own (it is %s)', (providerType, endpoint, fullRepositoryId) => {
    const parsed = parseConnectionRequest({ providerType, pipeline: { name: 'p', fullRepositoryId, branchName: 'main' } });
    expect(parsed.ok ? parsed.value : parsed.details).toMatchObject({ providerType, providerEndpoint: endpoint });
  });

  it('refuses a host’s fields on a cloud provider, naming each', () => {
    const vpcConfiguration = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
    expect(problemsOf({ providerType: 'GitHub', providerEndpoint: 'https://github.com', vpcConfiguration })).toEqual([
      { path: 'providerEndpoint', message: 'GitHub is a cloud provider: leave providerEndpoint out (the connection is to https://github.com)' },
      { path: 'vpcConfiguration', message: 'GitHub is a cloud provider: it has no host, so no VPC; leave vpcConfiguration out' },
    ]);
  });

  it('holds each cloud provider to its repository id shape', () => {
    const repository = (providerType: string, fullRepositoryId: string) => problemsOf({ providerType, pipeline: { name: 'p', fullRepositoryId, branchName: 'main' } });
    expect(repository('GitHub', 'acme/backend/payments')).toEqual([
      { path: 'pipeline.fullRepositoryId', message: 'Nested groups (group/subgroup/project) are for GitLab only: a GitHub repository is owner/repository' },
    ]);
    expect(repository('Bitbucket', 'acme/backend/payments')).toEqual([
      { path: 'pipeline.fullRepositoryId', message: 'Nested groups (group/subgroup/project) are for GitLab only: a Bitbucket Cloud repository is workspace/repository' },
    ]);
    expect(parseConnectionRequest({ providerType: 'GitLab', pipeline: { name: 'p', fullRepositoryId: 'acme/backend/payments', branchName: 'main' } }).ok).toBe(true);
  });

  it('accepts GitLab projects in nested groups, up to 20 levels of groups', () => {
    for (const id of ['group/project', 'group/subgroup/project', 'Platform/Back_end/payments.api', `${Array.from({ length: 20 }, (_, index) => `g${index}`).join('/')}/project`]) {
      const parsed = gitLab(id);
      expect(parsed.ok && parsed.value.pipeline?.fullRepositoryId, id).toBe(id);
    }
  });

  it('refuses nested groups for GHES, explicitly or by default, and says they are GitLab only', () => {
    const message = 'Nested groups (group/subgroup/project) are for GitLab only: a GitHub Enterprise Server repository is owner/repository';
    expect(repositoryProblems(gitLab('group/subgroup/project', 'GitHubEnterpriseServer'))).toEqual([{ path: 'pipeline.fullRepositoryId', message }]);
    expect(
      problemsOf({ providerEndpoint: 'https://ghe.example.com', pipeline: { name: 'p', fullRepositoryId: 'group/subgroup/project', branchName: 'main' } }),
    ).toEqual([{ path: 'pipeline.fullRepositoryId', message }]);
  });

  it.each([
    ['a project path with .git', 'group/sub/project.git', 'Give the project path without the .git suffix'],
    ['a group ending in .atom', 'group/feed.atom/project', expect.stringMatching(/^"feed\.atom" is not a valid GitLab group or project path/)],
    ['a part starting with a dot', 'group/.hidden', expect.stringMatching(/^"\.hidden" is not a valid GitLab group or project path/)],
    ['21 levels of groups', `${Array.from({ length: 21 }, (_, index) => `g${index}`).join('/')}/project`, 'GitLab nests groups at most 20 levels deep'],
    ['a 256-character part', `group/${'p'.repeat(256)}/x`, expect.stringMatching(/is not a valid GitLab group or project path/)],
    ['an empty part', 'group//project', 'Must be owner/repository, for example platform/payments-api'],
  ])('refuses %s for GitLab, at pipeline.fullRepositoryId', (_label, id, message) => {
    expect(repositoryProblems(gitLab(id))).toEqual([{ path: 'pipeline.fullRepositoryId', message }]);
  });

  it('checks the repository id only once: an unknown provider is reported at providerType alone', () => {
    expect(repositoryProblems(gitLab('group/subgroup/project', 'Gitlab'))).toEqual([{ path: 'providerType', message: EVERY_PROVIDER }]);
  });
});

describe('parseConnectionRequest: pipeline.trigger', () => {
  const withTrigger = (trigger: unknown, branchName = 'main') =>
    parseConnectionRequest({ providerEndpoint: 'https://ghe.example.com', pipeline: { name: 'p', fullRepositoryId: 'org/repo', branchName, trigger } });

  it('turns true into a push filter on the branch, and leaves false and absent out', () => {
    const on = withTrigger(true, 'release/2.x');
    expect(on.ok && on.value.pipeline?.trigger).toEqual({ push: [{ branches: { includes: ['release/2.x'] } }] });
    const off = withTrigger(false);
    expect(off.ok && off.value.pipeline && 'trigger' in off.value.pipeline).toBe(false);
  });

  it('accepts explicit filters as given', () => {
    const filters = {
      push: [{ branches: { includes: ['main'] }, filePaths: { includes: ['services/payments/**'] } }, { tags: { includes: ['v*'] } }],
      pullRequest: [{ branches: { includes: ['main'] }, events: ['OPEN', 'UPDATED'] }],
    };
    const parsed = withTrigger(filters);
    expect(parsed.ok && parsed.value.pipeline?.trigger).toEqual(filters);
  });

  it.each<[string, unknown, RequestProblem[]]>([
    ['a string', 'yes', [{ path: 'pipeline.trigger', message: 'Must be true, false, or an object of push and pullRequest filters' }]],
    ['no filters', {}, [{ path: 'pipeline.trigger', message: 'Give push filters, pull-request filters or both' }]],
    ['four push filters', { push: Array.from({ length: 4 }, () => ({ branches: { includes: ['main'] } })) }, [
      { path: 'pipeline.trigger.push', message: 'Must contain at most 3 push filters' },
    ]],
    ['tags with branches', { push: [{ tags: { includes: ['v*'] }, branches: { includes: ['main'] } }] }, [
      { path: 'pipeline.trigger.push.0', message: 'A push filter uses either tags, or branches (optionally with filePaths)' },
    ]],
    ['file paths alone', { push: [{ filePaths: { includes: ['src/**'] } }] }, [{ path: 'pipeline.trigger.push.0', message: 'A push filter needs tags or branches' }]],
    ['nine patterns', { push: [{ branches: { includes: Array.from({ length: 9 }, (_, i) => `b${i}`) } }] }, [
      { path: 'pipeline.trigger.push.0.branches.includes', message: 'Must contain at most 8 patterns' },
    ]],
    ['empty criteria', { push: [{ branches: {} }] }, [{ path: 'pipeline.trigger.push.0.branches', message: 'Give includes, excludes or both' }]],
    ['a pull-request filter without branches', { pullRequest: [{ events: ['OPEN'] }] }, [{ path: 'pipeline.trigger.pullRequest.0.branches', message: 'Required' }]],
    ['an unknown event', { pullRequest: [{ branches: { includes: ['main'] }, events: ['MERGED'] }] }, [
      { path: 'pipeline.trigger.pullRequest.0.events.0', message: 'Must be OPEN, UPDATED or CLOSED' },
    ]],
    ['a misspelt field', { pushes: [] }, [
      { path: 'pipeline.trigger.pushes', message: 'Unknown field "pushes" (allowed fields: push, pullRequest)' },
      { path: 'pipeline.trigger', message: 'Give push filters, pull-request filters or both' },
    ]],
  ])('refuses %s', (_, trigger, expected) => {
    const parsed = withTrigger(trigger);
    expect(parsed.ok ? [] : parsed.details).toEqual(expected);
  });

  it('refuses trigger: true for a branch a filter would read as a glob pattern', () => {
    const parsed = withTrigger(true, 'feature/{x}');
    expect(parsed.ok ? [] : parsed.details.map((problem) => problem.path)).toEqual(['pipeline.trigger']);
  });
});

describe('parseConnectionRequest: issue 11 refusals', () => {
  it('refuses "tags": [] with a field error at tags (neither an object of tags nor a list of them)', () => {
    const result = parseConnectionRequest({ providerEndpoint: 'https://ghe.example.com', tags: [] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.details.map((detail) => detail.path)).toEqual(['tags']);
  });

  it.each(['https://ghe.example.com:0', 'https://xn--gh-xxx.example.com', 'https://ghe.example.com/api/v3'])(
    'refuses the providerEndpoint %s with a field error at providerEndpoint',
    (providerEndpoint) => {
      const result = parseConnectionRequest({ providerEndpoint });
      expect(result.ok).toBe(false);
      expect(!result.ok && result.details.map((detail) => detail.path)).toEqual(['providerEndpoint']);
    },
  );
});
