/**
 * The local issuer's ES256 key pair: generated on first use, kept as a PKCS#8 PEM under
 * .local/jwt/ readable by the owner only, so tokens minted by `npm run token` stay valid
 * across restarts of `npm start`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 thumbprint of the public key; tokens carry it as `kid`. */
  kid: string;
}

export const PRIVATE_KEY_FILE = 'private-key.pem';

const loaded = new Map<string, Promise<SigningKey>>();

/** One load per directory per process; concurrent first uses share it. */
export function loadSigningKey(keyDir: string): Promise<SigningKey> {
  let key = loaded.get(keyDir);
  if (key === undefined) {
    key = loadOrCreate(keyDir);
    loaded.set(keyDir, key);
    key.catch(() => loaded.delete(keyDir));
  }
  return key;
}

async function loadOrCreate(keyDir: string): Promise<SigningKey> {
  const file = join(keyDir, PRIVATE_KEY_FILE);
  const pem = (await readIfExists(file)) ?? (await createKeyFile(keyDir, file));
  // An older or hand-made file may be readable by others; a signing key must not be.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: await calculateJwkThumbprint(await exportJWK(publicKey)) };
}

// Written to a private temporary file, then hard-linked into place: link() fails when
// another process won the race, and then we use its key instead of overwriting it.
async function createKeyFile(keyDir: string, file: string): Promise<string> {
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const temporary = join(keyDir, `.${PRIVATE_KEY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  await writeFile(temporary, pem, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
    return pem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFile(file, 'utf8');
  } finally {
    await unlink(temporary);
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
