/**
 * Validation of the `TlsCertificate` of a VPC host: the PEM certificate of the (usually private)
 * CA that issued the GHES server certificate, so CodeStar can trust it.
 *
 * CodeStar accepts any 1..16384 characters and only finds out at "Set up host" time, days later,
 * whether the value was usable. We check up front that it is exactly one PEM certificate that
 * parses and is valid at `now`, and we refuse private keys outright: pasting the key instead of
 * the certificate is a common mistake, and the key must never be stored in AWS or our records.
 *
 * Parsing uses `node:crypto`'s `X509Certificate` (OpenSSL inside Node): no binary, no I/O.
 */

import { X509Certificate } from 'node:crypto';
import { InvalidTlsCertificateError, type TlsCertificateProblem } from './input-errors.ts';

/** `VpcConfiguration.TlsCertificate` is limited to 16384 characters. */
export const MAX_TLS_CERTIFICATE_LENGTH = 16384;

/** What we learned from a valid certificate. */
export interface ParsedTlsCertificate {
  /** The certificate block alone, with normalised line endings: the value to send to CodeStar. */
  pem: string;
  /** Distinguished name, one line, e.g. `C=US, O=Example Corp, CN=Example Root CA`. */
  subject: string;
  /** Issuer distinguished name in the same form. */
  issuer: string;
  /** Start of validity, ISO 8601. */
  validFrom: string;
  /** End of validity, ISO 8601: worth recording, since an expired CA breaks the host later. */
  validTo: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as the console and openssl show it). */
  fingerprint256: string;
  /** Whether the certificate has the CA basic constraint (a server certificate pinned directly has not). */
  isCertificateAuthority: boolean;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/gu;
const PRIVATE_KEY_MARKER = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/u;
const ANY_PEM_MARKER = /-----BEGIN [A-Z0-9 ]+-----/u;

function fail(problem: TlsCertificateProblem, message: string, cause?: unknown): never {
  throw new InvalidTlsCertificateError(problem, message, cause === undefined ? undefined : { cause });
}

/** OpenSSL prints a DN one attribute per line; a single line reads better in messages and records. */
function oneLineDistinguishedName(dn: string): string {
  return dn.split('\n').filter((part) => part !== '').join(', ');
}

/**
 * Checks and describes a TLS certificate given as PEM.
 *
 * @param pem - the value of `vpcConfiguration.tlsCertificate`.
 * @param now - the instant the certificate must be valid at (passed in to keep this pure).
 * @throws InvalidTlsCertificateError whose `problem` says what is wrong; the message never
 *   repeats the input (it might be a private key).
 */
export function parseTlsCertificate(pem: string, now: Date): ParsedTlsCertificate {
  return inspectTlsCertificate(pem, now);
}

/**
 * {@link parseTlsCertificate} without the validity-period check, for callers that have no clock
 * (request-shape validation); check the dates with `parseTlsCertificate` before using the value.
 *
 * @throws InvalidTlsCertificateError for every problem except `not-yet-valid` and `expired`.
 */
export function parseTlsCertificateIgnoringDates(pem: string): ParsedTlsCertificate {
  return inspectTlsCertificate(pem, undefined);
}

function inspectTlsCertificate(pem: string, now: Date | undefined): ParsedTlsCertificate {
  // An Invalid Date would make every comparison false and silently accept expired certificates.
  if (now !== undefined && Number.isNaN(now.getTime())) throw new RangeError('parseTlsCertificate: `now` is an invalid Date.');
  if (typeof pem !== 'string' || pem.trim() === '') return fail('empty', 'The TLS certificate is empty.');
  if (pem.length > MAX_TLS_CERTIFICATE_LENGTH) {
    return fail(
      'too-long',
      `The TLS certificate is ${pem.length} characters long; AWS accepts at most ${MAX_TLS_CERTIFICATE_LENGTH}. Send one PEM certificate, not a bundle.`,
    );
  }
  if (PRIVATE_KEY_MARKER.test(pem)) {
    return fail(
      'contains-private-key',
      'The TLS certificate field contains a private key. Never send private keys; send only the public PEM certificate of the CA that issued the GitHub Enterprise Server certificate.',
    );
  }

  const normalised = pem.replace(/\r\n/gu, '\n').trim();
  const blocks = normalised.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) {
    const other = ANY_PEM_MARKER.exec(normalised)?.[0];
    return fail(
      'not-pem',
      other === undefined
        ? 'The TLS certificate is not in PEM format: expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----.'
        : `The TLS certificate is a PEM block of the wrong type (${other}); expected -----BEGIN CERTIFICATE-----.`,
    );
  }
  if (blocks.length > 1) {
    return fail(
      'multiple-certificates',
      `The TLS certificate contains ${blocks.length} certificates; send exactly one (the CA certificate that issued the GitHub Enterprise Server certificate).`,
    );
  }
  const block = blocks[0] ?? '';
  if (normalised !== block) {
    return fail(
      'unexpected-content',
      'The TLS certificate has text before or after the PEM block; send only -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----.',
    );
  }

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(block);
  } catch (error) {
    return fail('unparseable', 'The TLS certificate could not be parsed as an X.509 certificate.', error);
  }
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validTo.getTime())) {
    return fail('unparseable', 'The TLS certificate has validity dates that could not be read.');
  }
  if (now !== undefined && now.getTime() < validFrom.getTime()) {
    return fail('not-yet-valid', `The TLS certificate is not valid until ${validFrom.toISOString()}.`);
  }
  if (now !== undefined && now.getTime() > validTo.getTime()) {
    return fail('expired', `The TLS certificate expired on ${validTo.toISOString()}.`);
  }

  return {
    pem: `${block}\n`,
    subject: oneLineDistinguishedName(certificate.subject),
    issuer: oneLineDistinguishedName(certificate.issuer),
    validFrom: validFrom.toISOString(),
    validTo: validTo.toISOString(),
    fingerprint256: certificate.fingerprint256,
    isCertificateAuthority: certificate.ca,
  };
}
