/**
 * The web console in a real headless Chromium (Debian's, see chromium.ts) against the whole local
 * system: a requester asks for a connection through the form (a field error first, then fixed),
 * watches the request move on the workflow graph without reloading while the simulated people do
 * their steps in the sandbox, and an admin approves it from the Admin page. axe-core checks every
 * page; each page's screenshot is written to test-output/console/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { api, sandboxControl, startSystem, tokenFor } from '../e2e/local-system.ts';
import { findChromium } from './chromium.ts';

const SCREENSHOTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** What a person waits for at most: the page polls every 2 s. */
const SEEN_WITHIN_MS = 15_000;

let system: LocalSystem;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  // Explicit approval: after the handshake an approver decides, which the admin does in the console.
  system = await startSystem({ APPROVAL_MODE: 'explicit' });
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium: test/global-setup.ts installs Debian\'s chromium, or set CHROMIUM_PATH');
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  mkdirSync(SCREENSHOTS, { recursive: true });
  await sandboxControl(system, 'PUT', '/clock', { frozen: true });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (system) await sandboxControl(system, 'PUT', '/clock', { frozen: false }).catch(() => undefined);
  await system?.close();
});

async function signedInPage(subject: string, role: 'Requester' | 'Admin (approver)', screenshot?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${subject}: ${error.message}`));
  await page.goto(system.apiUrl);
  await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
  if (screenshot) await checkPage(page, screenshot);
  await page.getByLabel('Email').fill(subject);
  await page.getByLabel(role).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'New request' }).first().waitFor();
  return page;
}

/** axe-core in the page: no serious or critical violation of WCAG 2 A/AA. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern
  // (an injected <script> would be refused, as it should be).
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    type Axe = { run: (options: unknown) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> };
    return (globalThis as unknown as { axe: Axe }).axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  expect(await accessibilityViolations(page), `accessibility of ${name}`).toEqual([]);
}

const stateLight = (page: Page, state: string) => page.locator(`g[data-state="${state}"]`).getAttribute('data-light');
const shownStatus = (page: Page) => page.locator('.status-line .badge').getAttribute('data-status');

describe('web console', () => {
  it('takes a request from the form to COMPLETED on one page that updates itself, with an admin approving it', async () => {
    const requester = await signedInPage('alice@example.com', 'Requester', '0-sign-in');
    await checkPage(requester, '1-requests-empty');

    // The form refuses a field the API would refuse, next to the field, before sending anything.
    await requester.getByRole('link', { name: 'New request' }).first().click();
    await requester.getByLabel('Server URL').fill('http://ghe-console.example.com');
    await requester.getByRole('button', { name: 'Request the connection' }).click();
    const endpointError = requester.locator('[data-field="providerEndpoint"]');
    await expect.poll(() => endpointError.textContent()).toMatch(/https/);
    await expect.poll(() => requester.getByLabel('Server URL').getAttribute('aria-invalid')).toBe('true');
    await checkPage(requester, '2-new-request-field-error');
    // The first field in error has the focus, so a keyboard user lands on what to fix.
    expect(await requester.evaluate('document.activeElement.id')).toBe('field-providerEndpoint');
    expect((await api<{ requests: unknown[] }>(system, 'GET', '/v1/connection-requests', { token: await tokenFor('alice@example.com') })).body.requests).toEqual([]);

    // Fixed, it is sent and the browser lands on the request's page.
    // What only the API can check (does the CA certificate parse?) comes back as its 400 and is
    // shown next to the same field.
    await requester.getByLabel('Server URL').fill('https://ghe-console.example.com');
    await requester.getByLabel('The server is reachable only inside a VPC').check();
    await requester.getByLabel('VPC id').fill('vpc-0123456789abcdef0');
    await requester.getByLabel('Subnet ids').fill('subnet-0123456789abcdef0');
    await requester.getByLabel('Security group ids').fill('sg-0123456789abcdef0');
    await requester.getByLabel('TLS certificate (optional)').fill('-----BEGIN CERTIFICATE-----\nTUlJQm9nSUNDQVNVR0E=\n-----END CERTIFICATE-----');
    await requester.getByRole('button', { name: 'Request the connection' }).click();
    await expect.poll(() => requester.locator('[data-field="vpcConfiguration.tlsCertificate"]').textContent(), { timeout: SEEN_WITHIN_MS }).toMatch(/could not be parsed/);
    expect(await endpointError.count()).toBe(0);
    expect(new URL(requester.url()).pathname).toBe('/requests/new');
    await requester.getByLabel('The server is reachable only inside a VPC').uncheck();

    // …by keyboard: Enter in the field submits the form.
    await requester.getByLabel('Server URL').press('Enter');
    await requester.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestId = requester.url().split('/').at(-1)!;
    await expect.poll(() => endpointError.count()).toBe(0);

    // The graph lights the host set-up wait; the next action names who must act and links the console.
    await expect.poll(() => stateLight(requester, 'AwaitHostSetup'), { timeout: SEEN_WITHIN_MS }).toBe('current');
    expect(await stateLight(requester, 'AcquireHost')).toBe('visited');
    expect(await stateLight(requester, 'CreateConnection')).toBe('idle');
    await expect.poll(() => shownStatus(requester), { timeout: SEEN_WITHIN_MS }).toBe('WAITING_FOR_HOST_SETUP');
    await expect.poll(() => requester.getByTestId('next-action').textContent()).toMatch(/GHES administrator.*Set up host/is);
    expect(await requester.getByRole('link', { name: 'Open it in the AWS console' }).getAttribute('href')).toMatch(/^https:\/\/.*console\.aws\.amazon\.com\//);
    await checkPage(requester, '3-request-waiting-for-host-setup');

    // The GHES admin sets the host up in the console (the sandbox's control API); within the
    // watcher's minute the page moves on, with no reload.
    const token = await tokenFor('alice@example.com');
    const waiting = (await api<{ hostArn: string }>(system, 'GET', `/v1/connection-requests/${requestId}`, { token })).body;
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    await expect.poll(() => stateLight(requester, 'AwaitHandshake'), { timeout: SEEN_WITHIN_MS }).toBe('current');
    await expect.poll(() => shownStatus(requester), { timeout: SEEN_WITHIN_MS }).toBe('WAITING_FOR_APPROVAL');

    // The approver finishes the handshake; "check now" in the page looks at once.
    const withConnection = (await api<{ connectionArn: string }>(system, 'GET', `/v1/connection-requests/${requestId}`, { token })).body;
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: withConnection.connectionArn });
    await requester.getByRole('button', { name: 'Done in the console: check now' }).click();
    await expect.poll(() => requester.getByRole('status').textContent(), { timeout: SEEN_WITHIN_MS }).toMatch(/approver must now approve/i);

    // An admin sees the approval waiting and approves it.
    const admin = await signedInPage('root@example.com', 'Admin (approver)');
    await admin.getByRole('link', { name: 'Admin' }).click();
    const row = admin.locator(`tr[data-request="${requestId}"]`);
    await row.waitFor({ timeout: SEEN_WITHIN_MS });
    await checkPage(admin, '4-admin-approvals');
    await row.getByRole('button', { name: /^Approve/ }).click();
    await expect.poll(() => admin.getByRole('status').textContent(), { timeout: SEEN_WITHIN_MS }).toMatch(/^Approved /);
    await expect.poll(() => row.count(), { timeout: SEEN_WITHIN_MS }).toBe(0);

    // The requester's page, never reloaded, reaches COMPLETED and draws the path to the end.
    await expect.poll(() => shownStatus(requester), { timeout: SEEN_WITHIN_MS }).toBe('COMPLETED');
    await expect.poll(() => stateLight(requester, 'Provisioned'), { timeout: SEEN_WITHIN_MS }).toBe('visited');
    expect(await stateLight(requester, 'RollBack')).toBe('idle');
    expect(await requester.getByTestId('next-action').textContent()).toMatch(/request has ended/);
    await checkPage(requester, '5-request-completed');

    // The list shows it, newest first, and the status filter narrows it.
    await requester.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Requests' }).click();
    await requester.locator(`a[href="/requests/${requestId}"]`).waitFor();
    await requester.getByLabel('Status').selectOption('FAILED');
    await expect.poll(() => requester.locator(`a[href="/requests/${requestId}"]`).count()).toBe(0);
    await checkPage(requester, '6-requests-filtered');

    // Every poll of the request page worked: it never showed a refresh failure.
    expect(pageErrors).toEqual([]);
    expect(await requester.getByText('Could not refresh').count()).toBe(0);
  }, 120_000);

  it('serves the API reference for people at /docs, from the OpenAPI document', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${system.apiUrl}/docs`);
    await page.getByRole('heading', { name: /connection-broker \(/ }).waitFor();
    await page.getByText('Self-service AWS CodeStar Connections').first().waitFor();
    // Every tag of the document is in its menu: the page is the whole OpenAPI document rendered.
    for (const tag of ['requests', 'audits', 'accounts']) await page.getByText(tag, { exact: true }).first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, '7-api-docs.png') });
  }, 60_000);
});
