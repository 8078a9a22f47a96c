/**
 * Cheap fast-check arbitraries for the core tests. (`fc.webUrl` is thorough but takes about 20 ms
 * per value, which alone would blow the test suite's time budget.)
 */

import fc from 'fast-check';

/**
 * URL-like strings, mostly valid GHES URLs, mixed with the mistakes people make: other schemes,
 * userinfo, loopback hosts, odd ports, dot segments, query strings and fragments.
 */
export const messyUrl: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('https://', 'https://', 'HTTPS://', 'http://', 'https:/', ''),
    fc.constantFrom('', '', '', 'user@', 'user:secret@', '@'),
    fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.ipV6().map((address) => `[${address}]`),
      fc.constantFrom('localhost', 'GHE.Example.COM', 'ghe.example.com.', 'ghe'),
    ),
    fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 70_000 }).map((port) => `:${port}`)),
    fc
      .array(fc.stringMatching(/^[A-Za-z0-9._~%@!$&'()*+,;=:-]{0,6}$/), { maxLength: 4 })
      .map((segments) => segments.map((segment) => `/${segment}`).join('')),
    fc.oneof(fc.constant(''), fc.string({ maxLength: 8 }).map((query) => `?${query}`)),
    fc.oneof(fc.constant(''), fc.string({ maxLength: 8 }).map((fragment) => `#${fragment}`)),
  )
  .map((parts) => parts.join(''));
