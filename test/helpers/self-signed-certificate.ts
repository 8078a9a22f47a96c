/**
 * Builds self-signed X.509 certificates with nothing but `node:crypto` (Node cannot create
 * certificates itself, so this encodes the few DER structures a minimal certificate needs and signs
 * them with an ECDSA P-256 key). Tests choose the subject and the validity window freely without
 * an openssl binary.
 */

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface SelfSignedCertificateOptions {
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Adds basicConstraints cA=TRUE (a CA certificate). Default true. */
  isCertificateAuthority?: boolean;
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...contents: Buffer[]): Buffer => der(0x30, ...contents);
const set = (...contents: Buffer[]): Buffer => der(0x31, ...contents);

function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const encoded: number[] = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) encoded.unshift((value & 0x7f) | 0x80);
    bytes.push(...encoded);
  }
  return der(0x06, Buffer.from(bytes));
}

/**
 * A DER INTEGER for a non-negative big-endian magnitude, encoded minimally as DER requires (X.690
 * 8.3.2): redundant leading 0x00 octets dropped, one 0x00 added back only where the top bit would
 * otherwise make it negative (two's complement).
 */
export function positiveInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const magnitude = bytes.length === 0 ? Buffer.from([0]) : bytes.subarray(start);
  return der(0x02, magnitude[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude);
}

/**
 * A certificate serial number as RFC 5280 4.1.2.2 wants it: positive, at most 20 octets. 16 random
 * octets whose first one is forced into 0x01..0x7f, so the integer is never zero, never needs a
 * padding octet and is never written with a leading 0x00 (which parsers refuse as illegal padding).
 */
export function serialNumber(random: (size: number) => Buffer = randomBytes): Buffer {
  const bytes = Buffer.from(random(16));
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return positiveInteger(bytes);
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/gu, '').slice(0, 14); // YYYYMMDDHHMMSS
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(`${iso.slice(2)}Z`)) : der(0x18, Buffer.from(`${iso}Z`));
}

function name(commonName: string): Buffer {
  return sequence(set(sequence(objectIdentifier('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
}

function toPem(derBytes: Buffer): string {
  const lines = derBytes.toString('base64').match(/.{1,64}/gu) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A PEM self-signed certificate (and its key pair's private key in PEM, for private-key tests). */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): { pem: string; privateKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(objectIdentifier('1.2.840.10045.4.3.2'));
  const extensions =
    options.isCertificateAuthority === false
      ? []
      : [
          der(
            0xa3, // [3] EXPLICIT extensions
            sequence(
              sequence(
                objectIdentifier('2.5.29.19'), // basicConstraints
                der(0x01, Buffer.from([0xff])), // critical
                der(0x04, sequence(der(0x01, Buffer.from([0xff])))), // cA TRUE
              ),
            ),
          ),
        ];
  const tbsCertificate = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // [0] version v3
    serialNumber(),
    ecdsaWithSha256,
    name(options.commonName),
    sequence(time(options.notBefore), time(options.notAfter)),
    name(options.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    ...extensions,
  );
  const signature = sign('sha256', tbsCertificate, privateKey); // DER-encoded ECDSA signature
  const certificate = sequence(tbsCertificate, ecdsaWithSha256, der(0x03, Buffer.from([0]), signature));
  return { pem: toPem(certificate), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
