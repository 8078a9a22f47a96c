import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate, positiveInteger, serialNumber } from './self-signed-certificate.ts';

const OPTIONS = { commonName: 'Serial Test CA', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2030-01-01T00:00:00Z') };

/** RFC 5280 4.1.2.2: a positive integer of at most 20 octets, DER-encoded minimally (which X509Certificate enforces). */
function expectValidSerial(pem: string): void {
  const certificate = new X509Certificate(pem);
  const serial = BigInt(`0x${certificate.serialNumber}`);
  expect(serial).toBeGreaterThan(0n);
  expect(serial.toString(16).length).toBeLessThanOrEqual(40);
}

describe('the self-signed certificate helper', () => {
  // randomBytes(16) starts with 0x00 once in 256 draws: the serial was then a non-minimal INTEGER
  // that X509Certificate refuses, and the tests using the helper failed about once in 200 runs.
  it('always makes a certificate with a valid serial number (2,000 certificates)', () => {
    const serials = new Set<string>();
    for (let index = 0; index < 2000; index++) {
      const { pem } = createSelfSignedCertificate(OPTIONS);
      expectValidSerial(pem);
      serials.add(new X509Certificate(pem).serialNumber);
    }
    expect(serials.size).toBe(2000);
  });

  it.each([
    ['a leading zero octet', [0x00, 0x01, ...Array<number>(14).fill(0xab)]],
    ['sixteen zero octets', Array<number>(16).fill(0x00)],
    ['a top bit set', [0x80, ...Array<number>(15).fill(0x00)]],
    ['all ones', Array<number>(16).fill(0xff)],
  ])('makes a positive, minimally encoded 16-octet serial from %s', (_, octets) => {
    const encoded = serialNumber(() => Buffer.from(octets));
    expect(encoded[0]).toBe(0x02); // INTEGER
    expect(encoded[1]).toBe(16); // always 16 content octets: no padding needed, none redundant
    expect(encoded[2]).toBeGreaterThan(0x00);
    expect(encoded[2]).toBeLessThan(0x80);
  });

  it('encodes integers minimally', () => {
    expect(positiveInteger(Buffer.from([0x00, 0x00, 0x05]))).toEqual(Buffer.from([0x02, 0x01, 0x05]));
    expect(positiveInteger(Buffer.from([0x00, 0x80]))).toEqual(Buffer.from([0x02, 0x02, 0x00, 0x80]));
    expect(positiveInteger(Buffer.from([0x80]))).toEqual(Buffer.from([0x02, 0x02, 0x00, 0x80]));
    expect(positiveInteger(Buffer.from([0x00]))).toEqual(Buffer.from([0x02, 0x01, 0x00]));
  });
});
