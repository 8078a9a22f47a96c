import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidTlsCertificateError, type TlsCertificateProblem } from './input-errors.ts';
import {
  MAX_TLS_CERTIFICATE_LENGTH,
  parseTlsCertificate,
  parseTlsCertificateIgnoringDates,
} from './tls-certificate.ts';
import { createSelfSignedCertificate } from '../../test/helpers/self-signed-certificate.ts';

// An RSA CA certificate made once with:
//   openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -days 3650 \
//     -subj "/C=US/O=Example Corp/CN=Example Corp Internal Root CA" -out test/fixtures/example-root-ca.pem
// It checks our parsing against a certificate that openssl, not our own encoder, produced.
const FIXTURE_PEM = readFileSync(new URL('../../test/fixtures/example-root-ca.pem', import.meta.url), 'utf8');

const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const NOT_AFTER = new Date('2030-01-01T00:00:00Z');
const DURING = new Date('2027-06-01T00:00:00Z');
const { pem: CA_PEM, privateKeyPem } = createSelfSignedCertificate({ commonName: 'Example Private CA', notBefore: NOT_BEFORE, notAfter: NOT_AFTER });

function problemOf(run: () => unknown): { problem: TlsCertificateProblem; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTlsCertificateError);
    const { problem, message } = error as InvalidTlsCertificateError;
    return { problem, message };
  }
  throw new Error('expected the certificate to be refused');
}

describe('parseTlsCertificate', () => {
  it('describes a valid certificate generated with node:crypto', () => {
    const parsed = parseTlsCertificate(CA_PEM, DURING);
    expect(parsed).toEqual({
      pem: CA_PEM,
      subject: 'CN=Example Private CA',
      issuer: 'CN=Example Private CA',
      validFrom: '2025-01-01T00:00:00.000Z',
      validTo: '2030-01-01T00:00:00.000Z',
      fingerprint256: expect.stringMatching(/^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      isCertificateAuthority: true,
    });
  });

  it('reads the openssl-made fixture', () => {
    const parsed = parseTlsCertificate(FIXTURE_PEM, new Date('2030-01-01T00:00:00Z'));
    expect(parsed.subject).toBe('C=US, O=Example Corp, CN=Example Corp Internal Root CA');
    expect(parsed.isCertificateAuthority).toBe(true);
    expect(parsed.validTo).toBe('2036-11-18T17:45:53.000Z');
  });

  it('tells a server certificate from a CA certificate', () => {
    const { pem } = createSelfSignedCertificate({ commonName: 'ghe.example.com', notBefore: NOT_BEFORE, notAfter: NOT_AFTER, isCertificateAuthority: false });
    expect(parseTlsCertificate(pem, DURING).isCertificateAuthority).toBe(false);
  });

  it('accepts surrounding whitespace and CRLF line endings, and returns the clean block to send', () => {
    const messy = `\r\n  ${CA_PEM.replace(/\n/g, '\r\n')}  \n\n`;
    expect(parseTlsCertificate(messy, DURING).pem).toBe(CA_PEM);
  });

  it('is valid on the boundaries of its validity window', () => {
    expect(() => parseTlsCertificate(CA_PEM, NOT_BEFORE)).not.toThrow();
    expect(() => parseTlsCertificate(CA_PEM, NOT_AFTER)).not.toThrow();
  });

  it('refuses an expired certificate, saying when it expired', () => {
    expect(problemOf(() => parseTlsCertificate(CA_PEM, new Date('2030-01-01T00:00:01Z')))).toEqual({
      problem: 'expired',
      message: 'The TLS certificate expired on 2030-01-01T00:00:00.000Z.',
    });
  });

  it('refuses a certificate that is not valid yet', () => {
    expect(problemOf(() => parseTlsCertificate(CA_PEM, new Date('2024-12-31T23:59:59Z')))).toEqual({
      problem: 'not-yet-valid',
      message: 'The TLS certificate is not valid until 2025-01-01T00:00:00.000Z.',
    });
  });

  it('handles validity dates from 2050 on (GeneralizedTime)', () => {
    const { pem } = createSelfSignedCertificate({ commonName: 'Long CA', notBefore: NOT_BEFORE, notAfter: new Date('2055-05-05T05:05:05Z') });
    expect(parseTlsCertificate(pem, DURING).validTo).toBe('2055-05-05T05:05:05.000Z');
  });

  it.each<[string, () => string, TlsCertificateProblem, RegExp]>([
    ['an empty value', () => '', 'empty', /empty/],
    ['only whitespace', () => ' \n ', 'empty', /empty/],
    ['more than 16384 characters', () => `${CA_PEM}${' '.repeat(MAX_TLS_CERTIFICATE_LENGTH)}`, 'too-long', /at most 16384/],
    ['a private key', () => privateKeyPem, 'contains-private-key', /contains a private key/],
    ['a certificate with its private key', () => `${CA_PEM}${privateKeyPem}`, 'contains-private-key', /Never send private keys/],
    ['an RSA private key', () => '-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----', 'contains-private-key', /private key/],
    ['base64 without PEM armour', () => CA_PEM.split('\n').slice(1, -2).join('\n'), 'not-pem', /not in PEM format/],
    ['a public key', () => '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----', 'not-pem', /wrong type \(-----BEGIN PUBLIC KEY-----\)/],
    ['two certificates', () => `${CA_PEM}${FIXTURE_PEM}`, 'multiple-certificates', /contains 2 certificates; send exactly one/],
    ['text before the block', () => `subject=CN = Example\n${CA_PEM}`, 'unexpected-content', /text before or after the PEM block/],
    ['garbage inside the block', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'unparseable', /could not be parsed/],
  ])('refuses %s', (_label, pem, problem, message) => {
    const refusal = problemOf(() => parseTlsCertificate(pem(), DURING));
    expect(refusal.problem).toBe(problem);
    expect(refusal.message).toMatch(message);
  });

  it('never repeats the input in its messages (it may be a private key)', () => {
    const body = privateKeyPem.split('\n')[1] ?? '';
    expect(problemOf(() => parseTlsCertificate(privateKeyPem, DURING)).message).not.toContain(body);
  });

  it('keeps the parser error as the cause of an unparseable certificate', () => {
    try {
      parseTlsCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', DURING);
    } catch (error) {
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
  });

  it('refuses an invalid "now" rather than accepting every date', () => {
    expect(() => parseTlsCertificate(CA_PEM, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('parseTlsCertificateIgnoringDates', () => {
  it('accepts expired certificates but still refuses malformed ones', () => {
    expect(parseTlsCertificateIgnoringDates(CA_PEM).subject).toBe('CN=Example Private CA');
    expect(problemOf(() => parseTlsCertificateIgnoringDates('nope')).problem).toBe('not-pem');
  });
});
