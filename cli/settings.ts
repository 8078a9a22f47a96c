/**
 * Where the CLI keeps its sign-in, which API it talks to, and what the token says about the caller.
 *
 * The token lives where other CLIs keep theirs: `$XDG_CONFIG_HOME/connection-broker/credentials.json`
 * (`~/.config/…` when XDG_CONFIG_HOME is unset or not absolute), readable by its owner only (file
 * 0600, directory 0700). CONNECTION_BROKER_TOKEN overrides it.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** What `login` saves. */
export interface Credentials {
  token: string;
  /** The API the token was saved for (the URL login used). */
  api?: string;
  savedAt: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/connection-broker`, or `~/.config/connection-broker`. */
export function configDirectory(env: Env = process.env, home: string = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG base directory spec: a relative path is invalid and is ignored.
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'connection-broker');
}

export function credentialsFile(env: Env = process.env): string {
  return join(configDirectory(env), 'credentials.json');
}

/** The saved sign-in, or undefined when there is none (or it is unreadable). */
export function readCredentials(env: Env = process.env): Credentials | undefined {
  try {
    const saved = JSON.parse(readFileSync(credentialsFile(env), 'utf8')) as Partial<Credentials>;
    if (typeof saved.token !== 'string' || saved.token === '') return undefined;
    return { token: saved.token, ...(typeof saved.api === 'string' ? { api: saved.api } : {}), savedAt: String(saved.savedAt ?? '') };
  } catch {
    return undefined;
  }
}

/** Saves the sign-in, owner-only; returns the file's path. */
export function saveCredentials(credentials: Credentials, env: Env = process.env): string {
  const directory = configDirectory(env);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  chmodSync(directory, 0o700);
  const file = credentialsFile(env);
  // Created 0600; chmod as well, for a file that existed before with other permissions.
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** Removes the saved sign-in; whether there was one. */
export function removeCredentials(env: Env = process.env): boolean {
  const had = readCredentials(env) !== undefined;
  rmSync(credentialsFile(env), { force: true });
  return had;
}

/**
 * The token to send: CONNECTION_BROKER_TOKEN, else the saved one, but the saved one only to the API
 * it was saved for (`--api` pointed elsewhere must not carry it there).
 */
export function resolveToken(env: Env, saved: Credentials | undefined, apiUrl?: string): { token: string; source: string } | undefined {
  const fromEnv = env.CONNECTION_BROKER_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'CONNECTION_BROKER_TOKEN' };
  if (saved && (saved.api === undefined || apiUrl === undefined || sameApi(saved.api, apiUrl))) return { token: saved.token, source: 'saved by login' };
  return undefined;
}

function sameApi(a: string, b: string): boolean {
  const normal = (url: string) => url.trim().replace(/\/+$/u, '');
  return normal(a) === normal(b);
}

/** Where the API URL can come from, in the order they count. */
export interface ApiSources {
  /** `--api`. */
  flag?: string;
  env: Env;
  saved?: Credentials;
  /** The apiUrl of the running local system (`.local/running.json`, infra/local/running-system.ts). */
  runningApiUrl?: string;
}

/** `--api`, else CONNECTION_BROKER_API, else the URL login saved, else the running local system's, else http://127.0.0.1:3000. */
export function resolveApi(sources: ApiSources): { url: string; source: string } {
  const candidates: [string | undefined, string][] = [
    [sources.flag, '--api'],
    [sources.env.CONNECTION_BROKER_API, 'CONNECTION_BROKER_API'],
    [sources.saved?.api, 'saved by login'],
    [sources.runningApiUrl, 'the running local system'],
  ];
  for (const [url, source] of candidates) {
    if (url !== undefined && url.trim() !== '') return { url: url.trim().replace(/\/+$/u, ''), source };
  }
  return { url: DEFAULT_API_URL, source: 'the default' };
}

/** Whether `url` is a URL the CLI may send a token to: https, or plain http only on this machine's loopback. */
export function isApiUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return true;
    return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
}

/** Whether the text has a JWT's shape: three base64url parts. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/u.test(token);
}

/** The token's claims, decoded but not verified (the API verifies); undefined when it is not a JWT. */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  if (!looksLikeJwt(token)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as unknown;
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Who the token names, for people: subject, email, groups and expiry. */
export interface Identity {
  subject?: string;
  email?: string;
  groups: string[];
  expiresAt?: string;
  expired: boolean;
}

export function identityOf(token: string, now: Date = new Date()): Identity {
  const claims = tokenClaims(token) ?? {};
  const groups = claims.groups ?? claims['cognito:groups'];
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  return {
    ...(typeof claims.sub === 'string' ? { subject: claims.sub } : {}),
    ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    groups: Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [],
    ...(exp === undefined ? {} : { expiresAt: new Date(exp).toISOString() }),
    expired: exp !== undefined && exp <= now.getTime(),
  };
}
