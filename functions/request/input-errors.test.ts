import { describe, expect, it } from 'vitest';
import {
  CoreError,
  InvalidArnError,
  InvalidConnectionNameError,
  InvalidNamingInputError,
  InvalidProviderEndpointError,
  InvalidTlsCertificateError,
  ProviderEndpointNotAllowedError,
  UnsupportedGhesVersionError,
  UnsupportedRegionError,
  isCoreError,
} from './input-errors.ts';

describe('core errors', () => {
  const cases: [CoreError, string, string][] = [
    [new InvalidProviderEndpointError('x', 'm'), 'InvalidProviderEndpointError', 'INVALID_PROVIDER_ENDPOINT'],
    [new ProviderEndpointNotAllowedError('h', 'm'), 'ProviderEndpointNotAllowedError', 'PROVIDER_ENDPOINT_NOT_ALLOWED'],
    [new InvalidConnectionNameError('n', 'm'), 'InvalidConnectionNameError', 'INVALID_CONNECTION_NAME'],
    [new InvalidNamingInputError('m'), 'InvalidNamingInputError', 'INVALID_NAMING_INPUT'],
    [new UnsupportedRegionError('r', 'm'), 'UnsupportedRegionError', 'UNSUPPORTED_REGION'],
    [new UnsupportedGhesVersionError('v', 'm'), 'UnsupportedGhesVersionError', 'UNSUPPORTED_GHES_VERSION'],
    [new InvalidArnError('a', 'm'), 'InvalidArnError', 'INVALID_ARN'],
    [new InvalidTlsCertificateError('expired', 'm'), 'InvalidTlsCertificateError', 'INVALID_TLS_CERTIFICATE'],
  ];

  it.each(cases)('%o has its name, code and message, and is an Error and a CoreError', (error, name, code) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(CoreError);
    expect(isCoreError(error)).toBe(true);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe('m');
    expect(String(error)).toBe(`${name}: m`);
    expect(error.stack).toContain(name);
  });

  it('keeps the cause when given, and has none otherwise', () => {
    const cause = new TypeError('Invalid URL');
    expect(new InvalidProviderEndpointError('x', 'm', { cause }).cause).toBe(cause);
    expect('cause' in new InvalidProviderEndpointError('x', 'm')).toBe(false);
  });

  it('carries the offending value', () => {
    expect(new UnsupportedRegionError('ap-east-1', 'm').region).toBe('ap-east-1');
    expect(new InvalidTlsCertificateError('too-long', 'm').problem).toBe('too-long');
    expect(new UnsupportedGhesVersionError('2.22.0', 'm').version).toBe('2.22.0');
  });

  it('isCoreError is false for other errors and values', () => {
    expect(isCoreError(new Error('x'))).toBe(false);
    expect(isCoreError({ code: 'INVALID_ARN' })).toBe(false);
    expect(isCoreError(undefined)).toBe(false);
  });
});
