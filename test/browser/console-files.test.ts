import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFiles, isConsolePath } from '../../infra/local/runtime/console-files.ts';
import { splitTarget } from '../../infra/local/runtime/http-event.ts';
import { verifyToken } from '../../infra/local/runtime/jwt.ts';

let server: Server;
let url: string;

beforeAll(async () => {
  const directory = mkdtempSync(join(tmpdir(), 'console-files-'));
  writeFileSync(join(directory, 'index.html'), '<!doctype html><title>console</title>');
  mkdirSync(join(directory, 'assets'));
  writeFileSync(join(directory, 'assets/app-1234.js'), 'console.log(1)');
  mkdirSync(join(directory, 'docs'));
  writeFileSync(join(directory, 'docs/index.html'), '<!doctype html><title>docs</title>');
  writeFileSync(join(directory, '..', 'outside.txt'), 'secret');
  const site = consoleFiles(directory);
  // The path as the local system hands it over: percent-decoded once (splitTarget).
  server = createServer((req, res) => site(req, res, splitTarget(req.url ?? '/').rawPath));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the local console site', () => {
  it('leaves /v1/ and /slack/ to the API, and takes the rest', () => {
    expect(isConsolePath('GET', '/v1/health')).toBe(false);
    expect(isConsolePath('POST', '/slack/interactions')).toBe(false);
    expect(isConsolePath('GET', '/requests/abc')).toBe(true);
    expect(isConsolePath('POST', '/requests')).toBe(false);
  });

  it('answers a console route with index.html under the Content-Security-Policy CloudFront sends, and hashed assets as immutable', async () => {
    const page = await fetch(`${url}/requests/3f2a`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>console</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
    const asset = await fetch(`${url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    const docs = await fetch(`${url}/docs`);
    expect(await docs.text()).toContain('<title>docs</title>');
  });

  it('serves nothing outside its folder, and 404s a missing file', async () => {
    expect((await fetch(`${url}/assets/..%2F..%2Foutside.txt`)).status).toBe(404);
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    // A stray escape is a missing file, not a crash.
    expect((await fetch(`${url}/%ff.js`)).status).toBe(404);
    expect((await fetch(`${url}/assets/%E0%A4%A.js`)).status).toBe(404);
  });

  it('mints a local token for the dev sign-in, an admin one on request, and refuses a body without sub with a 400 naming it', async () => {
    const signIn = (body: unknown) => fetch(`${url}/_local/dev-sign-in`, { method: 'POST', body: JSON.stringify(body) });
    const answer = await signIn({ sub: 'root@example.com', admin: true });
    const { token } = (await answer.json()) as { token: string };
    const claims = await verifyToken(token);
    expect(claims).toMatchObject({ sub: 'root@example.com', email: 'root@example.com', groups: ['connection-broker-admins'] });
    const refused = await signIn({ admin: true });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: { path: string }[] }).errors).toEqual([expect.objectContaining({ path: 'sub' })]);
    expect((await signIn({ sub: 'a@b.c', admin: 'yes' })).status).toBe(400);
  });
});
