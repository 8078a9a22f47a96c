import { describe, expect, it } from 'vitest';
import { UnsupportedGhesVersionError } from './input-errors.ts';
import { assertGhesVersionSupported, evaluateGhesMeta, parseGhesVersion } from './ghes-version.ts';

const UNSUPPORTED_REASON =
  'AWS CodeStar Connections does not support GitHub Enterprise Server version 2.22.0 due to a known issue; upgrade to 2.22.1 or later.';

describe('evaluateGhesMeta', () => {
  it.each(['3.14.2', '2.22.1', '2.21.0', '3.0.0', 'v3.9.1', '3.15.0-rc1', ' 3.10.0 '])('supports %j', (version) => {
    expect(evaluateGhesMeta({ verifiable_password_authentication: true, installed_version: version })).toEqual({
      supported: true,
      version: version.trim(),
    });
  });

  it.each(['2.22.0', 'v2.22.0', '2.22.0-rc.1', '2.22.0+build.7'])('refuses %j with the documented reason', (version) => {
    expect(evaluateGhesMeta({ installed_version: version })).toEqual({ supported: false, version, reason: UNSUPPORTED_REASON });
  });

  it('does not mistake neighbours of 2.22.0 for it', () => {
    for (const version of ['2.22.10', '12.22.0', '2.220.0', '22.2.0']) {
      expect(evaluateGhesMeta({ installed_version: version }).supported).toBe(true);
    }
  });

  it.each([
    [{}, undefined, /no installed_version; this may not be a GitHub Enterprise Server/],
    [{ installed_version: null }, undefined, /no installed_version/],
    [{ installed_version: 3.14 }, undefined, /not a string/],
    [{ installed_version: '2.22' }, '2.22', /"2.22" is not a major.minor.patch version/],
    [{ installed_version: 'enterprise' }, 'enterprise', /not a major.minor.patch version/],
    [null, undefined, /not a JSON object/],
    ['<html>Sign in</html>', undefined, /not a JSON object/],
    [[{ installed_version: '3.1.0' }], undefined, /not a JSON object/],
  ])('answers unknown for %j', (meta, version, reason) => {
    const verdict = evaluateGhesMeta(meta);
    expect(verdict).toMatchObject({ supported: 'unknown', version });
    expect(verdict.supported === 'unknown' && verdict.reason).toMatch(reason);
  });
});

describe('parseGhesVersion', () => {
  it('reads major, minor, patch and suffix', () => {
    expect(parseGhesVersion('3.14.2')).toEqual({ major: 3, minor: 14, patch: 2, suffix: '' });
    expect(parseGhesVersion('v2.22.0-rc1')).toEqual({ major: 2, minor: 22, patch: 0, suffix: '-rc1' });
    expect(parseGhesVersion('3.14')).toBeUndefined();
    expect(parseGhesVersion('3.14.2.1')).toBeUndefined();
  });
});

describe('assertGhesVersionSupported', () => {
  it('throws UnsupportedGhesVersionError for 2.22.0 and passes the rest through', () => {
    expect(() => assertGhesVersionSupported({ installed_version: '2.22.0' })).toThrow(UnsupportedGhesVersionError);
    expect(() => assertGhesVersionSupported({ installed_version: '2.22.0' })).toThrow(UNSUPPORTED_REASON);
    expect(assertGhesVersionSupported({ installed_version: '3.1.0' })).toEqual({ supported: true, version: '3.1.0' });
    expect(assertGhesVersionSupported({}).supported).toBe('unknown');
  });
});
