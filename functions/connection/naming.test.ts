import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidConnectionNameError, InvalidNamingInputError, InvalidProviderEndpointError } from '../request/input-errors.ts';
import {
  MAX_CONNECTION_NAME_LENGTH,
  MAX_HOST_NAME_LENGTH,
  assertValidConnectionName,
  checkConnectionName,
  deriveConnectionName,
  deriveHostName,
} from './naming.ts';

const SAFE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

describe('deriveConnectionName', () => {
  it('reads as host label, owner and repository, then a 6-character hash', () => {
    const name = deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'platform/payments-api', requestId: 'req-1' });
    expect(name).toMatch(/^ghe-platform-payments-api-[0-9a-f]{6}$/);
  });

  it('uses the whole host when there is no repository', () => {
    expect(deriveConnectionName({ host: 'ghe.example.com', requestId: 'req-1' })).toMatch(/^ghe-example-com-[0-9a-f]{6}$/);
  });

  it('truncates long parts to stay within 32 characters', () => {
    const name = deriveConnectionName({
      host: 'github-enterprise-primary.internal.example.com',
      fullRepositoryId: 'some-very-long-organisation-name/an-even-longer-repository-name',
      requestId: 'req-1',
    });
    expect(name.length).toBeLessThanOrEqual(MAX_CONNECTION_NAME_LENGTH);
    expect(name).toMatch(/^github-ent-an-even-longer-[0-9a-f]{6}$/);
  });

  it('drops the owner before cutting into the repository name', () => {
    const name = deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'platform-engineering/payments-api', requestId: 'r' });
    expect(name).toMatch(/^ghe-payments-api-[0-9a-f]{6}$/);
  });

  it('is deterministic for the same host, repository and request (retries converge)', () => {
    const input = { host: 'ghe.example.com', fullRepositoryId: 'org/repo', requestId: 'req-1' };
    expect(deriveConnectionName(input)).toBe(deriveConnectionName({ ...input }));
    expect(deriveConnectionName(input)).toBe(deriveConnectionName({ host: 'GHE.example.com.', fullRepositoryId: 'Org/Repo', requestId: 'req-1' }));
  });

  it('differs between requests, so two requests for one repository never clash on the unique name', () => {
    const a = deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'org/repo', requestId: 'req-1' });
    const b = deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'org/repo', requestId: 'req-2' });
    expect(a).not.toBe(b);
    expect(a.slice(0, -7)).toBe(b.slice(0, -7));
  });

  it('handles IP hosts', () => {
    expect(deriveConnectionName({ host: '10.0.0.5', fullRepositoryId: 'org/repo', requestId: 'r' })).toMatch(/^10-0-0-5-org-repo-[0-9a-f]{6}$/);
    expect(deriveConnectionName({ host: '[fd00::5]', requestId: 'r' })).toMatch(/^fd00-5-[0-9a-f]{6}$/);
  });

  it('keeps the names it gave before: a request retried after an upgrade finds its own connection and host', () => {
    // Pinned values: the hash must stay over the same canonical inputs, from one release to the next.
    expect(deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'platform/payments-api', requestId: 'r-1' })).toBe('ghe-platform-payments-api-82befd');
    expect(deriveConnectionName({ host: ' GHE.Example.com. ', fullRepositoryId: ' Platform/Payments-API ', requestId: ' r-1 ' })).toBe('ghe-platform-payments-api-82befd');
    expect(deriveHostName({ providerEndpoint: 'https://ghe.example.com', vpcId: 'vpc-01234567' })).toBe('ghe-example-com-vpc-01234567-c18c1822');
    expect(deriveHostName({ providerEndpoint: 'https://GHE.example.com/', vpcId: ' vpc-01234567 ' })).toBe('ghe-example-com-vpc-01234567-c18c1822');
  });

  it('hashes the parts apart, so moving characters between the repository and the request id changes the name', () => {
    const repository = `o/${'a'.repeat(40)}`;
    const a = deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: repository, requestId: 'b1' });
    const b = deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: `${repository}b`, requestId: '1' });
    expect(a.slice(0, -7)).toBe(b.slice(0, -7));
    expect(a).not.toBe(b);
  });

  it('reads a repository id without an owner as the repository', () => {
    expect(deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'payments', requestId: 'r' })).toMatch(/^ghe-payments-[0-9a-f]{6}$/);
  });

  it('reads a GitLab project in subgroups as its groups, then the project (which stays when it must be cut)', () => {
    expect(deriveConnectionName({ host: 'gitlab.example.com', fullRepositoryId: 'web/api/pay', requestId: 'r' })).toMatch(/^gitlab-web-api-pay-[0-9a-f]{6}$/);
    expect(deriveConnectionName({ host: 'gitlab.example.com', fullRepositoryId: 'platform/backend/services/payments-api', requestId: 'r' })).toMatch(
      /^gitlab-payments-api-[0-9a-f]{6}$/,
    );
  });

  it('reads a DNS name by its first label even when it has digits, and only a whole IP address as one', () => {
    expect(deriveConnectionName({ host: 'ghe.corp1', fullRepositoryId: 'o/r', requestId: 'r' })).toMatch(/^ghe-o-r-[0-9a-f]{6}$/);
    expect(deriveConnectionName({ host: '1ghe.example.com', fullRepositoryId: 'o/r', requestId: 'r' })).toMatch(/^1ghe-o-r-[0-9a-f]{6}$/);
  });

  it('falls back to "ghes" when nothing readable is left', () => {
    expect(deriveConnectionName({ host: '---', requestId: 'r' })).toMatch(/^ghes-[0-9a-f]{6}$/);
  });

  it('refuses an empty host or request id', () => {
    expect(() => deriveConnectionName({ host: ' ', requestId: 'r' })).toThrow(InvalidNamingInputError);
    expect(() => deriveConnectionName({ host: 'ghe.example.com', requestId: '' })).toThrow(InvalidNamingInputError);
  });

  it('property: always 1..32 safe characters, valid for CodeStar, and deterministic', () => {
    fc.assert(
      fc.property(
        fc.domain(),
        fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 60 }), fc.string({ minLength: 1, maxLength: 100 })), { nil: undefined }),
        fc.string({ minLength: 1, maxLength: 64 }).filter((id) => id.trim() !== ''),
        (host, repository, requestId) => {
          const input = { host, fullRepositoryId: repository && `${repository[0]}/${repository[1]}`, requestId };
          const name = deriveConnectionName(input);
          expect(name.length).toBeGreaterThan(7);
          expect(name.length).toBeLessThanOrEqual(MAX_CONNECTION_NAME_LENGTH);
          expect(name).toMatch(SAFE_NAME);
          expect(checkConnectionName(name)).toEqual({ valid: true });
          expect(deriveConnectionName(input)).toBe(name);
        },
      ),
    );
  });
});

describe('deriveHostName', () => {
  it('is the host, the port when not 443, and an 8-character hash', () => {
    expect(deriveHostName({ providerEndpoint: 'https://ghe.example.com' })).toMatch(/^ghe-example-com-[0-9a-f]{8}$/);
    expect(deriveHostName({ providerEndpoint: 'https://ghe.example.com:8443' })).toMatch(/^ghe-example-com-8443-[0-9a-f]{8}$/);
  });

  it('includes the VPC id for VPC hosts, and the VPC changes the name', () => {
    const withVpc = deriveHostName({ providerEndpoint: 'https://ghe.example.com', vpcId: 'vpc-0123456789abcdef0' });
    expect(withVpc).toMatch(/^ghe-example-com-vpc-0123456789abcdef0-[0-9a-f]{8}$/);
    expect(withVpc).not.toBe(deriveHostName({ providerEndpoint: 'https://ghe.example.com', vpcId: 'vpc-0123456789abcdef1' }));
    expect(withVpc.slice(-8)).not.toBe(deriveHostName({ providerEndpoint: 'https://ghe.example.com' }).slice(-8));
  });

  it('is the same for every spelling of one endpoint', () => {
    const spellings = ['https://ghe.example.com', 'https://GHE.example.com/', 'https://ghe.example.com:443', ' https://ghe.example.com/?a=1 '];
    const names = new Set(spellings.map((providerEndpoint) => deriveHostName({ providerEndpoint })));
    expect(names.size).toBe(1);
  });

  it('differs for different path prefixes even though the readable part is the same', () => {
    const a = deriveHostName({ providerEndpoint: 'https://proxy.example.com/a' });
    const b = deriveHostName({ providerEndpoint: 'https://proxy.example.com/b' });
    expect(a).not.toBe(b);
  });

  it('fits 64 characters for long hosts with a long VPC id', () => {
    const host = `${'a'.repeat(60)}.${'b'.repeat(60)}.example.com`;
    const name = deriveHostName({ providerEndpoint: `https://${host}:65000`, vpcId: 'vpc-0123456789abcdef0' });
    expect(name.length).toBeLessThanOrEqual(MAX_HOST_NAME_LENGTH);
    expect(name).toMatch(SAFE_NAME);
    expect(name).toMatch(/-vpc-0123456789abcdef0-[0-9a-f]{8}$/);
  });

  it('takes only a whole VPC id (8 or 17 characters after vpc-)', () => {
    for (const vpcId of ['xvpc-01234567', 'vpc-0123456789', 'vpc-01234567-x']) {
      expect(() => deriveHostName({ providerEndpoint: 'https://ghe.example.com', vpcId }), vpcId).toThrow(InvalidNamingInputError);
    }
    expect(deriveHostName({ providerEndpoint: 'https://ghe.example.com', vpcId: 'vpc-0123456789abcdef0' })).toMatch(/^ghe-example-com-vpc-0123456789abcdef0-[0-9a-f]{8}$/);
  });

  it('gives a GitLab host a name of its own, so it is never taken for the GHES host of the same URL; GHES names stay as they were', () => {
    const ghes = deriveHostName({ providerEndpoint: 'https://git.example.com', vpcId: 'vpc-01234567' });
    expect(deriveHostName({ providerEndpoint: 'https://git.example.com', vpcId: 'vpc-01234567', providerType: 'GitHubEnterpriseServer' })).toBe(ghes);
    const gitLab = deriveHostName({ providerEndpoint: 'https://git.example.com', vpcId: 'vpc-01234567', providerType: 'GitLabSelfManaged' });
    expect(gitLab).toMatch(/^git-example-com-vpc-01234567-[0-9a-f]{8}$/);
    expect(gitLab).not.toBe(ghes);
    expect(deriveHostName({ providerEndpoint: 'https://GIT.example.com/', vpcId: 'vpc-01234567', providerType: 'GitLabSelfManaged' })).toBe(gitLab);
  });

  it('rejects an invalid endpoint or VPC id', () => {
    expect(() => deriveHostName({ providerEndpoint: 'http://ghe.example.com' })).toThrow(InvalidProviderEndpointError);
    expect(() => deriveHostName({ providerEndpoint: 'https://ghe.example.com', vpcId: 'subnet-01234567' })).toThrow(InvalidNamingInputError);
  });

  it('property: always ≤ 64 safe characters', () => {
    fc.assert(
      fc.property(
        fc.domain(),
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        fc.option(fc.stringMatching(/^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/), { nil: undefined }),
        (host, port, vpcId) => {
          const name = deriveHostName({ providerEndpoint: `https://${host}${port === undefined ? '' : `:${port}`}`, vpcId });
          expect(name.length).toBeLessThanOrEqual(MAX_HOST_NAME_LENGTH);
          expect(name).toMatch(SAFE_NAME);
        },
      ),
    );
  });
});

describe('checkConnectionName / assertValidConnectionName', () => {
  it.each(['a', 'my connection', 'Team A – GHES ✓', 'x'.repeat(32)])('accepts %j', (name) => {
    expect(checkConnectionName(name)).toEqual({ valid: true });
    expect(assertValidConnectionName(name)).toBe(name);
  });

  it.each([
    ['', 'Connection name must not be empty'],
    ['x'.repeat(33), 'Connection name must be at most 32 characters (it has 33)'],
    [' leading', 'Connection name must not start or end with whitespace'],
    ['trailing ', 'Connection name must not start or end with whitespace'],
    ['   ', 'Connection name must not start or end with whitespace'],
    ['two\nlines', 'Connection name must not contain control characters (such as newlines or tabs)'],
    ['tab\there', 'Connection name must not contain control characters (such as newlines or tabs)'],
    [42, 'Connection name must be a string'],
  ])('refuses %j', (name, reason) => {
    expect(checkConnectionName(name)).toEqual({ valid: false, reason });
  });

  it('throws InvalidConnectionNameError with the reason', () => {
    expect(() => assertValidConnectionName('x'.repeat(40))).toThrow(InvalidConnectionNameError);
    expect(() => assertValidConnectionName('x'.repeat(40))).toThrow('Connection name must be at most 32 characters (it has 40).');
  });

  it('counts UTF-16 code units, never fewer than AWS might count', () => {
    // 16 emoji are 16 code points but 32 UTF-16 units: still allowed; 17 are not.
    expect(checkConnectionName('😀'.repeat(16)).valid).toBe(true);
    expect(checkConnectionName('😀'.repeat(17)).valid).toBe(false);
  });
});
