import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertEndpointAllowed,
  findInvalidAllowListEntries,
  isEndpointAllowed,
  normaliseProviderEndpoint,
} from './endpoint.ts';
import { InvalidProviderEndpointError, ProviderEndpointNotAllowedError } from './input-errors.ts';
import { messyUrl } from '../../test/helpers/arbitraries.ts';

function rejectionOf(input: string): InvalidProviderEndpointError {
  try {
    normaliseProviderEndpoint(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidProviderEndpointError);
    return error as InvalidProviderEndpointError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('normaliseProviderEndpoint', () => {
  it.each([
    ['https://ghe.example.com', 'https://ghe.example.com'],
    ['https://ghe.example.com/', 'https://ghe.example.com'],
    ['  https://GHE.Example.COM/  ', 'https://ghe.example.com'],
    ['HTTPS://ghe.example.com', 'https://ghe.example.com'],
    ['https://ghe.example.com:443/', 'https://ghe.example.com'],
    ['https://ghe.example.com.', 'https://ghe.example.com'],
    ['https://ghe.example.com/?tab=repos#top', 'https://ghe.example.com'],
    ['https://ghe.example.com:8443/', 'https://ghe.example.com:8443'],
    ['https://proxy.example.com/github/', 'https://proxy.example.com/github'],
    ['https://proxy.example.com/GitHub///', 'https://proxy.example.com/GitHub'],
    ['https://proxy.example.com/a/../github', 'https://proxy.example.com/github'],
    ['https://10.0.12.5', 'https://10.0.12.5'],
    ['https://[FD00::5]:8443/', 'https://[fd00::5]:8443'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
  ])('normalises %j to %s', (input, expected) => {
    expect(normaliseProviderEndpoint(input).url).toBe(expected);
  });

  it('returns the parts as well as the URL', () => {
    expect(normaliseProviderEndpoint('https://GHE.example.com:8443/github/')).toEqual({
      url: 'https://ghe.example.com:8443/github',
      host: 'ghe.example.com',
      port: 8443,
      pathPrefix: '/github',
      isIpAddress: false,
    });
    expect(normaliseProviderEndpoint('https://10.0.0.5')).toMatchObject({ host: '10.0.0.5', port: undefined, isIpAddress: true });
    expect(normaliseProviderEndpoint('https://[fd00::5]')).toMatchObject({ host: '[fd00::5]', isIpAddress: true });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['ghe.example.com', /must start with https:\/\//],
    ['ghe.example.com:8443', /must start with https:\/\//],
    ['http://ghe.example.com', /only https:\/\/ is supported, not http:\/\//],
    ['ftp://ghe.example.com', /only https:\/\/ is supported/],
    ['https:ghe.example.com', /must start with https:\/\//],
    ['https:/ghe.example.com', /must start with https:\/\//],
    ['https://', /no host name/],
    ['https://user:secret@ghe.example.com', /user name or password/],
    ['https://user@ghe.example.com', /user name or password/],
    ['https://@ghe.example.com', /user name or password/],
    ['https://ghe.exa mple.com', /whitespace/],
    ['https://ghe.exa\nmple.com', /whitespace/],
    ['https:\\\\ghe.example.com', /backslashes/],
    ['https://ghe', /not a fully qualified domain name/],
    ['https://localhost', /loopback name/],
    ['https://localhost:8443/', /loopback name/],
    ['https://ghe.localhost', /loopback name/],
    ['https://127.0.0.1', /loopback address/],
    ['https://0x7f.1', /loopback address/],
    ['https://0.0.0.0', /"this network"/],
    ['https://169.254.169.254', /link-local address \(this includes the instance metadata service\)/],
    ['https://224.0.0.1', /multicast/],
    ['https://255.255.255.255', /reserved or broadcast/],
    ['https://[::1]', /loopback address/],
    ['https://[::]', /unspecified address/],
    ['https://[fe80::1]', /link-local/],
    ['https://[ff02::1]', /multicast/],
    ['https://[fd00:ec2::254]', /instance metadata service/],
    ['https://[::ffff:127.0.0.1]', /loopback address/],
    ['https://ghe_1.example.com', /not a valid host name/],
    ['https://-ghe.example.com', /not a valid host name/],
    ['https://ghe.example.com:99999', /not a valid URL/],
    ['https://ghe.example.com:0', /port 0/],
    ['https://ghe.example.com:0/', /port 0/],
    ['https://xn--gh-xxx.example.com', /"xn--gh-xxx" is not valid punycode/],
    ['https://xn--ls8h.example.com', /"xn--ls8h" is not valid punycode/],
    ['https://ghe.example.com/api/v3', /use the server's root URL \(https:\/\/ghe\.example\.com\)/],
    ['https://ghe.example.com/api/v3/', /use the server's root URL/],
    ['https://ghe.example.com/API', /use the server's root URL/],
    ['https://ghe.example.com:8443/api/v3/meta', /use the server's root URL \(https:\/\/ghe\.example\.com:8443\)/],
    ['https://proxy.example.com/github/api/v3', /use the server's root URL/],
    ['https://proxy.example.com/gitlab/api/v4', /use the server's root URL \(https:\/\/proxy\.example\.com\)/],
    [`https://ghe.example.com/${'a'.repeat(600)}`, /longer than 512 characters/],
    [`https://ghe.example.com/${'a'.repeat(5000)}`, /longer than 4096 characters/],
  ])('rejects %j', (input, message) => {
    const error = rejectionOf(input);
    expect(error.message).toMatch(/^Invalid GitHub Enterprise Server URL: /);
    expect(error.message).toMatch(message);
    expect(error.code).toBe('INVALID_PROVIDER_ENDPOINT');
  });

  it('keeps deliberate proxy paths and valid punycode', () => {
    expect(normaliseProviderEndpoint('https://proxy.example.com/github').pathPrefix).toBe('/github');
    expect(normaliseProviderEndpoint('https://proxy.example.com/apis/ghe').pathPrefix).toBe('/apis/ghe');
    expect(normaliseProviderEndpoint('https://proxy.example.com/ghe/api').pathPrefix).toBe('/ghe/api');
    expect(normaliseProviderEndpoint('https://xn--bcher-kva.example').host).toBe('xn--bcher-kva.example');
    expect(normaliseProviderEndpoint('https://ghe.example.com:1').port).toBe(1);
  });

  it('keeps the parser error as the cause when the URL does not parse', () => {
    expect(rejectionOf('https://ghe.example.com:99999').cause).toBeInstanceOf(TypeError);
  });

  it('allows private IPv4 and IPv6 addresses (a GHES inside a VPC)', () => {
    for (const address of ['10.1.2.3', '172.16.0.10', '192.168.1.1', '100.64.0.1', '[fd12:3456::1]']) {
      expect(normaliseProviderEndpoint(`https://${address}`).isIpAddress).toBe(true);
    }
  });

  it('refuses every multicast (224–239) and reserved (240–255) IPv4 address, and allows the unicast ones beside them', () => {
    for (const address of ['224.0.0.1', '230.1.2.3', '239.255.255.250', '240.0.0.1', '250.1.2.3', '255.255.255.254', '[::ffff:239.1.2.3]', '[::ffff:240.0.0.1]']) {
      expect(() => normaliseProviderEndpoint(`https://${address}`), address).toThrow(InvalidProviderEndpointError);
    }
    for (const address of ['223.255.255.254', '1.2.3.4', '126.0.0.1', '128.0.0.1']) {
      expect(normaliseProviderEndpoint(`https://${address}`).isIpAddress, address).toBe(true);
    }
  });

  it('refuses only 169.254.x.x as link-local, not its neighbours', () => {
    expect(() => normaliseProviderEndpoint('https://169.254.0.1')).toThrow(InvalidProviderEndpointError);
    for (const address of ['169.253.0.1', '169.255.0.1', '170.254.0.1', '10.169.254.1']) {
      expect(normaliseProviderEndpoint(`https://${address}`).host, address).toBe(address);
    }
  });

  it('judges only ::ffff:a.b.c.d as an IPv4 address inside IPv6', () => {
    expect(() => normaliseProviderEndpoint('https://[::ffff:a9fe:a9fe]')).toThrow(InvalidProviderEndpointError);
    for (const address of ['[::1:7f00:1]', '[2001:db8::ffff:7f00:1]']) {
      expect(normaliseProviderEndpoint(`https://${address}`).host, address).toBe(address);
    }
  });

  it('reads a host name that starts with an IPv4 address as a name', () => {
    expect(normaliseProviderEndpoint('https://1.2.3.4.example.com')).toMatchObject({ host: '1.2.3.4.example.com', isIpAddress: false });
  });

  it('refuses a host name longer than DNS allows (253 characters), and allows one that fits', () => {
    const name = (lastLabel: number) => ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(lastLabel)].join('.');
    expect(name(61)).toHaveLength(253);
    expect(normaliseProviderEndpoint(`https://${name(61)}`).host).toBe(name(61));
    expect(() => normaliseProviderEndpoint(`https://${name(62)}`)).toThrow(InvalidProviderEndpointError);
  });

  it('accepts valid internationalised labels and refuses punycode that does not decode to letters, or not back', () => {
    expect(normaliseProviderEndpoint('https://xn--55qx5d.example.com').host).toBe('xn--55qx5d.example.com');
    for (const label of ['xn--gh-vxx', 'xn---2uu']) {
      expect(() => normaliseProviderEndpoint(`https://${label}.example.com`), label).toThrow(InvalidProviderEndpointError);
    }
  });

  it('accepts a normalised URL of exactly 512 characters and refuses one longer', () => {
    const url = (length: number) => `https://ghe.example.com/${'a'.repeat(length - 'https://ghe.example.com/'.length)}`;
    expect(normaliseProviderEndpoint(url(512)).url).toHaveLength(512);
    expect(() => normaliseProviderEndpoint(url(513))).toThrow(InvalidProviderEndpointError);
  });

  it('refuses what is not a string with its own error, not a TypeError', () => {
    expect(() => normaliseProviderEndpoint(42 as unknown as string)).toThrow(InvalidProviderEndpointError);
  });

  describe('properties', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    const hostName = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'net', 'example')).map(
      ([labels, tld]) => [...labels, tld].join('.'),
    );
    const pathPrefix = fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), { maxLength: 3 }).map((parts) =>
      parts.map((part) => `/${part}`).join(''),
    );
    const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
    const endpoint = fc.record({ host: hostName, port, path: pathPrefix });
    const spell = ({ host, port, path }: { host: string; port: number | undefined; path: string }): string =>
      `https://${host}${port === undefined ? '' : `:${port}`}${path}`;

    it('is idempotent', () => {
      fc.assert(
        fc.property(endpoint, (parts) => {
          const once = normaliseProviderEndpoint(spell(parts));
          expect(normaliseProviderEndpoint(once.url)).toEqual(once);
        }),
      );
    });

    it('maps equivalent spellings to one URL (case, trailing slash, :443, query, fragment, spaces)', () => {
      fc.assert(
        fc.property(
          endpoint,
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          fc.boolean(),
          (parts, upperHost, trailingSlash, explicit443, noise) => {
            const canonical = normaliseProviderEndpoint(spell(parts)).url;
            const host = upperHost ? parts.host.toUpperCase() : parts.host;
            const port = parts.port ?? (explicit443 ? 443 : undefined);
            const variant = `${noise ? '  ' : ''}${spell({ host, port, path: parts.path })}${trailingSlash ? '/' : ''}${noise ? '?x=1#y ' : ''}`;
            expect(normaliseProviderEndpoint(variant).url).toBe(canonical);
          },
        ),
      );
    });

    it('never produces a URL with a trailing slash, a default port, userinfo, query or fragment', () => {
      fc.assert(
        fc.property(messyUrl, (url) => {
          let result;
          try {
            result = normaliseProviderEndpoint(url);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidProviderEndpointError);
            return;
          }
          const reparsed = new URL(result.url);
          expect(reparsed.protocol).toBe('https:');
          expect(reparsed.username + reparsed.password + reparsed.search + reparsed.hash).toBe('');
          expect(result.url.endsWith('/')).toBe(false);
          expect(result.url).not.toMatch(/:443(?:\/|$)/);
          expect(result.url.length).toBeLessThanOrEqual(512);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('isEndpointAllowed', () => {
  const allowList = ['ghe.example.com', '*.corp.example.net', '10.0.0.5', 'fd00::5'];

  it.each([
    ['https://ghe.example.com', true],
    ['https://GHE.EXAMPLE.COM/', true],
    ['https://ghe.example.com:8443/github', true],
    ['https://other.example.com', false],
    ['https://ghe.example.com.evil.test', false],
    ['https://evilghe.example.com', false],
    ['https://git.corp.example.net', true],
    ['https://corp.example.net', false],
    ['https://a.git.corp.example.net', false],
    ['https://10.0.0.5', true],
    ['https://10.0.0.6', false],
    ['https://[FD00:0::5]', true],
    ['http://ghe.example.com', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isEndpointAllowed(url, allowList)).toBe(expected);
  });

  it('allows nothing with an empty list', () => {
    expect(isEndpointAllowed('https://ghe.example.com', [])).toBe(false);
  });

  it('ignores case, spaces and a trailing dot in entries', () => {
    expect(isEndpointAllowed('https://ghe.example.com', ['  GHE.Example.com. '])).toBe(true);
    expect(isEndpointAllowed('https://a.example.com', ['*.EXAMPLE.com'])).toBe(true);
  });

  it('never lets invalid entries match', () => {
    for (const entry of ['*', '*.com', 'https://ghe.example.com', 'ghe.example.com:8443', '', '**.example.com', 'ghe.*.com']) {
      expect(isEndpointAllowed('https://ghe.example.com', [entry])).toBe(false);
    }
  });

  it('does not let wildcards match IP addresses', () => {
    expect(isEndpointAllowed('https://10.0.0.5', ['*.0.0.5'])).toBe(false);
  });

  it('property: a wildcard allows exactly the hosts one label below it', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,6}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 0, maxLength: 3 }), (extraLabels) => {
        const host = [...extraLabels, 'corp', 'example', 'net'].join('.');
        expect(isEndpointAllowed(`https://${host}`, ['*.corp.example.net'])).toBe(extraLabels.length === 1);
      }),
    );
  });
});

describe('findInvalidAllowListEntries', () => {
  it('lists the entries that can never match', () => {
    expect(
      findInvalidAllowListEntries(['ghe.example.com', '*.example.com', '10.0.0.5', '[fd00::5]', '*', '*.com', 'https://x.example.com', 'ghe', 'a.example.com:8443']),
    ).toEqual(['*', '*.com', 'https://x.example.com', 'ghe', 'a.example.com:8443']);
  });

  it('refuses entries with a path, user, query, fragment, port or a label DNS does not allow, and keeps two-label names', () => {
    const invalid = ['ghe.example.com/github', 'me@ghe.example.com', 'ghe.example.com?x', 'ghe.example.com#x', 'g*e.example.com', '[fd00::5]:8443', 'ghe_1.example.com', '*.ex_ample.com', '  ', '.'];
    expect(findInvalidAllowListEntries([...invalid, 'example.com', '*.example.com'])).toEqual(invalid);
    expect(isEndpointAllowed('https://example.com', ['example.com'])).toBe(true);
  });
});

describe('assertEndpointAllowed', () => {
  it('returns the normalised endpoint when allowed', () => {
    expect(assertEndpointAllowed('https://GHE.example.com/', ['ghe.example.com']).url).toBe('https://ghe.example.com');
  });

  it('throws ProviderEndpointNotAllowedError naming the host when not allowed', () => {
    expect(() => assertEndpointAllowed('https://ghe.other.com', ['ghe.example.com'])).toThrow(ProviderEndpointNotAllowedError);
    expect(() => assertEndpointAllowed('https://ghe.other.com', ['ghe.example.com'])).toThrow(/ghe\.other\.com is not on this service's allow-list/);
  });

  it('throws InvalidProviderEndpointError for an invalid URL', () => {
    expect(() => assertEndpointAllowed('http://ghe.example.com', ['ghe.example.com'])).toThrow(InvalidProviderEndpointError);
  });
});
