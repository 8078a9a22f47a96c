import { mkdtemp, rm, stat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_GROUP, GROUPS_CLAIM, LOCAL_JWT_AUDIENCE, LOCAL_JWT_ISSUER, mintToken, TokenRejectedError, verifyToken } from '../../infra/local/runtime/jwt.ts';
import { loadSigningKey, PRIVATE_KEY_FILE } from '../../infra/local/runtime/jwt-keys.ts';

let keyDir: string;
beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'local-jwt-'));
});
afterAll(async () => {
  await rm(keyDir, { recursive: true, force: true });
});

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(TokenRejectedError);
  return (error as Error).message;
};

describe('local JWT issuer', () => {
  it('mints an ES256 token with issuer, audience, subject, email and groups, and verifies it', async () => {
    const token = await mintToken({ sub: 'alice@example.com', email: 'alice@example.com', groups: [ADMIN_GROUP] }, { keyDir });
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT', kid: (await loadSigningKey(keyDir)).kid });

    const claims = await verifyToken(token, { keyDir });
    expect(claims).toMatchObject({ sub: 'alice@example.com', email: 'alice@example.com', iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, [GROUPS_CLAIM]: [ADMIN_GROUP] });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(12 * 3600);
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('writes scopes space-separated and leaves out empty groups', async () => {
    const claims = decodeJwt(await mintToken({ sub: 'svc', scopes: ['broker/read', 'broker/write'], groups: [] }, { keyDir }));
    expect(claims.scope).toBe('broker/read broker/write');
    expect(claims).not.toHaveProperty(GROUPS_CLAIM);
  });

  it('keeps the private key owner-only and reuses it across loads', async () => {
    expect((await stat(join(keyDir, PRIVATE_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
    const token = await mintToken({ sub: 'a' }, { keyDir });
    expect(await verifyToken(token, { keyDir })).toMatchObject({ sub: 'a' });
  });

  it('creates exactly one key when first uses race (separate key directories per process load)', async () => {
    const raceDir = await mkdtemp(join(tmpdir(), 'local-jwt-race-'));
    try {
      // Different paths to the same directory defeat the in-process cache, as two processes would.
      const [a, b] = await Promise.all([loadSigningKey(raceDir), loadSigningKey(`${raceDir}/`)]);
      expect(a.kid).toBe(b.kid);
      expect(await readdir(raceDir)).toEqual([PRIVATE_KEY_FILE]);
    } finally {
      await rm(raceDir, { recursive: true, force: true });
    }
  });

  it('rejects an expired token', async () => {
    const token = await mintToken({ sub: 'a', expiresInSeconds: 60 }, { keyDir, now: () => new Date(Date.now() - 3_600_000) });
    expect(await rejection(verifyToken(token, { keyDir }))).toBe('the token has expired');
  });

  it('rejects a token issued in the future', async () => {
    const token = await mintToken({ sub: 'a' }, { keyDir, now: () => new Date(Date.now() + 3_600_000) });
    expect(await rejection(verifyToken(token, { keyDir }))).toBe('the token was issued in the future');
  });

  it('rejects the wrong audience with the description API Gateway documents', async () => {
    const token = await mintToken({ sub: 'a' }, { keyDir, audience: 'someone-else' });
    expect(await rejection(verifyToken(token, { keyDir }))).toBe('the token does not have a valid audience');
    expect(await verifyToken(token, { keyDir, audience: 'someone-else' })).toMatchObject({ aud: 'someone-else' });
  });

  it('rejects the wrong issuer', async () => {
    const token = await mintToken({ sub: 'a' }, { keyDir, issuer: 'https://evil.example' });
    expect(await rejection(verifyToken(token, { keyDir }))).toBe('the token does not have a valid issuer');
  });

  it('rejects a signature from another key, even under our key id', async () => {
    const { kid } = await loadSigningKey(keyDir);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('mallory')
      .setIssuer(LOCAL_JWT_ISSUER)
      .setAudience(LOCAL_JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    expect(await rejection(verifyToken(forged, { keyDir }))).toBe('the token signature is invalid');
  });

  it('rejects a token signed by a key it does not know', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'local-jwt-other-'));
    try {
      const token = await mintToken({ sub: 'a' }, { keyDir: otherDir });
      expect(await rejection(verifyToken(token, { keyDir }))).toBe('the token was not signed by a known key');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await mintToken({ sub: 'alice' }, { keyDir })).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'alice', [GROUPS_CLAIM]: [ADMIN_GROUP], iss: LOCAL_JWT_ISSUER, aud: LOCAL_JWT_AUDIENCE, exp: 4102444800 })).toString('base64url');
    expect(await rejection(verifyToken(`${header}.${payload}.${signature}`, { keyDir }))).toBe('the token signature is invalid');
  });

  it('rejects garbage and an unsigned token', async () => {
    expect(await rejection(verifyToken('not-a-jwt', { keyDir }))).toBe('the token is malformed');
    const { kid } = await loadSigningKey(keyDir);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${Buffer.from('{"sub":"a"}').toString('base64url')}.`;
    expect(await rejection(verifyToken(unsigned, { keyDir }))).toMatch(/algorithm is not allowed|malformed/);
  });

  it('accepts client_id in place of a missing aud, as API Gateway does', async () => {
    const key = await loadSigningKey(keyDir);
    const token = await new SignJWT({ client_id: LOCAL_JWT_AUDIENCE })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setSubject('machine')
      .setIssuer(LOCAL_JWT_ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key.privateKey);
    expect(await verifyToken(token, { keyDir })).toMatchObject({ sub: 'machine' });
  });
});
