/**
 * The console's OIDC sign-in (authorization code with PKCE), as on AWS, against a loopback identity
 * provider (test/helpers/oidc-provider.ts): the browser goes to the provider, comes back to
 * /signin/callback, exchanges the code with its verifier, and calls the API with the access token.
 */
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSystem, type LocalSystem } from '../../infra/local/local-system.ts';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.ts';
import { findChromium } from './chromium.ts';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT_ID = 'connection-broker-console';

let system: LocalSystem;
let provider: TestOidcProvider;
let browser: Browser;

/** A free port, so the provider can be told the console's redirect URI before the console starts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  provider = await startOidcProvider({ clientId: CLIENT_ID, redirectUri: `http://127.0.0.1:${port}/signin/callback`, user: { sub: 'u-7f3a', email: 'olga@example.com' } });
  system = await startLocalSystem({
    root: ROOT,
    apiPort: port,
    sandboxPort: 0,
    persist: false,
    packaged: true,
    consoleConfig: { apiBaseUrl: '', auth: { mode: 'oidc', issuer: provider.issuer, clientId: CLIENT_ID, audience: 'connection-broker', scopes: ['profile', 'email'] } },
  });
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: test/global-setup.ts installs Debian\'s chromium, or set CHROMIUM_PATH');
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await system?.close();
  await provider?.close();
});

describe('OIDC sign-in', () => {
  it('signs in with authorization code + PKCE, leaves no code in the address bar, and calls the API with the token', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${system.apiUrl}/requests`);
    // No dev sign-in where an identity provider is configured.
    expect(await page.getByLabel('Email').count()).toBe(0);
    expect((await fetch(`${system.apiUrl}/_local/dev-sign-in`, { method: 'POST', body: '{"sub":"x"}' })).status).toBe(404);

    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();
    await page.getByText('olga@example.com').waitFor({ timeout: 15_000 });
    await page.getByRole('heading', { name: 'My requests' }).waitFor();
    await page.getByText('No requests').waitFor({ timeout: 15_000 });

    // Back where it started, with nothing of the exchange left in the URL.
    expect(new URL(page.url()).pathname).toBe('/requests');
    expect(new URL(page.url()).search).toBe('');
    expect(provider.authorizations).toHaveLength(1);
    const asked = provider.authorizations[0]!;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('scope')).toBe('openid profile email');
    expect(asked.get('audience')).toBe('connection-broker');
    expect(provider.exchanges).toEqual([{ grant_type: 'authorization_code', code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43,128}$/), accepted: true }]);
    // The token lives in the tab's session storage, not in a cookie or local storage.
    expect(await page.evaluate('[localStorage.length, document.cookie, sessionStorage.length > 0]')).toEqual([0, '', true]);
    expect(errors).toEqual([]);
  }, 60_000);
});
