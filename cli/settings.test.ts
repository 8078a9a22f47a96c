import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configDirectory,
  DEFAULT_API_URL,
  identityOf,
  isApiUrl,
  readCredentials,
  removeCredentials,
  resolveApi,
  resolveToken,
  saveCredentials,
  tokenClaims,
} from './settings.ts';

const jwt = (claims: Record<string, unknown>) => `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});
function tempConfig(): { XDG_CONFIG_HOME: string } {
  const directory = mkdtempSync(join(tmpdir(), 'cb-cli-'));
  directories.push(directory);
  return { XDG_CONFIG_HOME: directory };
}

describe('where the sign-in is kept', () => {
  it('is $XDG_CONFIG_HOME/connection-broker, else ~/.config/connection-broker (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(configDirectory({ XDG_CONFIG_HOME: '/xdg' }, '/home/a')).toBe('/xdg/connection-broker');
    expect(configDirectory({}, '/home/a')).toBe('/home/a/.config/connection-broker');
    expect(configDirectory({ XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/connection-broker');
  });

  it('saves owner-only (file 0600, directory 0700), reads it back, and removes it', () => {
    const env = tempConfig();
    const file = saveCredentials({ token: 'a.b.c', api: 'http://127.0.0.1:3000', savedAt: '2026-01-01T00:00:00.000Z' }, env);
    expect(file).toBe(join(env.XDG_CONFIG_HOME, 'connection-broker', 'credentials.json'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.XDG_CONFIG_HOME, 'connection-broker')).mode & 0o777).toBe(0o700);
    expect(readCredentials(env)).toEqual({ token: 'a.b.c', api: 'http://127.0.0.1:3000', savedAt: '2026-01-01T00:00:00.000Z' });
    expect(removeCredentials(env)).toBe(true);
    expect(readCredentials(env)).toBeUndefined();
    expect(removeCredentials(env)).toBe(false);
  });

  it('tightens a file that was readable by others', () => {
    const env = tempConfig();
    mkdirSync(join(env.XDG_CONFIG_HOME, 'connection-broker'), { mode: 0o755 });
    writeFileSync(join(env.XDG_CONFIG_HOME, 'connection-broker', 'credentials.json'), '{}', { mode: 0o644 });
    const file = saveCredentials({ token: 'a.b.c', savedAt: '' }, env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(env.XDG_CONFIG_HOME, 'connection-broker')).mode & 0o777).toBe(0o700);
  });

  it('reads nothing from a missing, broken or tokenless file', () => {
    const env = tempConfig();
    expect(readCredentials(env)).toBeUndefined();
    mkdirSync(join(env.XDG_CONFIG_HOME, 'connection-broker'));
    writeFileSync(join(env.XDG_CONFIG_HOME, 'connection-broker', 'credentials.json'), '{not json');
    expect(readCredentials(env)).toBeUndefined();
    writeFileSync(join(env.XDG_CONFIG_HOME, 'connection-broker', 'credentials.json'), '{"api":"x"}');
    expect(readCredentials(env)).toBeUndefined();
  });
});

describe('which token and which API', () => {
  const saved = { token: 'saved.token.x', api: 'https://saved.example.com/', savedAt: '' };

  it('CONNECTION_BROKER_TOKEN overrides the saved token', () => {
    expect(resolveToken({ CONNECTION_BROKER_TOKEN: 'env.token.x' }, saved)).toEqual({ token: 'env.token.x', source: 'CONNECTION_BROKER_TOKEN' });
    expect(resolveToken({ CONNECTION_BROKER_TOKEN: ' ' }, saved)).toEqual({ token: 'saved.token.x', source: 'saved by login' });
    expect(resolveToken({}, undefined)).toBeUndefined();
  });

  it('sends the saved token only to the API it was saved for', () => {
    expect(resolveToken({}, saved, 'https://saved.example.com')).toEqual({ token: 'saved.token.x', source: 'saved by login' });
    expect(resolveToken({}, saved, 'https://elsewhere.example.com')).toBeUndefined();
    expect(resolveToken({ CONNECTION_BROKER_TOKEN: 'env.token.x' }, saved, 'https://elsewhere.example.com')).toEqual({ token: 'env.token.x', source: 'CONNECTION_BROKER_TOKEN' });
  });

  it('--api, then CONNECTION_BROKER_API, then the saved URL, then the running local system, then the default', () => {
    const running = 'http://127.0.0.1:43210';
    expect(resolveApi({ flag: 'https://flag.example.com/', env: { CONNECTION_BROKER_API: 'https://env.example.com' }, saved, runningApiUrl: running })).toEqual({
      url: 'https://flag.example.com',
      source: '--api',
    });
    expect(resolveApi({ env: { CONNECTION_BROKER_API: 'https://env.example.com' }, saved, runningApiUrl: running }).source).toBe('CONNECTION_BROKER_API');
    expect(resolveApi({ env: {}, saved, runningApiUrl: running })).toEqual({ url: 'https://saved.example.com', source: 'saved by login' });
    expect(resolveApi({ env: {}, runningApiUrl: running })).toEqual({ url: running, source: 'the running local system' });
    expect(resolveApi({ env: { CONNECTION_BROKER_API: '' } })).toEqual({ url: DEFAULT_API_URL, source: 'the default' });
  });

  it('calls https URLs, and plain http only on loopback (a token must not cross a network in clear)', () => {
    expect(['http://127.0.0.1:3000', 'http://localhost:3000', 'https://api.example.com/prod'].map(isApiUrl)).toEqual([true, true, true]);
    expect(['http://api.example.com', 'ftp://x', 'localhost:3000', ''].map(isApiUrl)).toEqual([false, false, false, false]);
  });
});

describe('what the token says', () => {
  it('decodes subject, email, groups and expiry without verifying', () => {
    const token = jwt({ sub: 'alice@example.com', email: 'alice@example.com', groups: ['connection-broker-admins', 7], exp: 1_800_000_000 });
    expect(identityOf(token, new Date('2026-01-01T00:00:00Z'))).toEqual({
      subject: 'alice@example.com',
      email: 'alice@example.com',
      groups: ['connection-broker-admins'],
      expiresAt: '2027-01-15T08:00:00.000Z',
      expired: false,
    });
    expect(identityOf(token, new Date('2028-01-01T00:00:00Z')).expired).toBe(true);
    expect(identityOf(jwt({ sub: 'b', 'cognito:groups': ['g'] })).groups).toEqual(['g']);
  });

  it('is nothing for what is not a JWT', () => {
    expect(tokenClaims('not-a-token')).toBeUndefined();
    expect(tokenClaims('a.b.c')).toBeUndefined();
    expect(identityOf('x')).toEqual({ groups: [], expired: false });
  });
});
