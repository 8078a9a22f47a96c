/**
 * The web console in a real headless Chromium (Debian's, see chromium.ts) against the whole local
 * system: a requester asks for a connection through the form (a field error first, then fixed),
 * watches the request move on the workflow graph without reloading while the simulated people do
 * their steps in the sandbox, and an admin approves it from the Admin page; a request with Git sync
 * shows its panel, and an admin resolves its sync blocker there with a reason. axe-core checks every
 * page; each page's screenshot is written to test-output/console/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor } from '../e2e/local-system.ts';
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

  it('asks for Git sync through the form and shows it on the request page, where an admin resolves a sync blocker with a reason', async () => {
    // The deployment role as a platform team has it (test/e2e/git-sync.test.ts): trusted by CloudFormation only.
    await sandboxControl(system, 'POST', '/roles', {
      roleName: 'console-sync',
      path: '/service-role/',
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    const requester = await signedInPage('carol@example.com', 'Requester');
    await requester.getByRole('link', { name: 'New request' }).first().click();
    await requester.getByLabel('Server URL').fill('https://ghe-sync.example.com');
    await requester.getByLabel('Keep a CloudFormation stack in step with the repository (Git sync)').check();
    await requester.getByLabel('Stack name').fill('9-console-infra');
    await requester.getByLabel('Deployment repository').fill('acme/infra');
    await requester.getByLabel('Git sync branch').fill('main');
    await requester.getByLabel('Deployment file').fill('deploy/console-infra.yaml');
    await requester.getByLabel('Deployment role ARN').fill('arn:aws:iam::111111111111:role/service-role/console-sync');
    await requester.getByLabel('Update the stack on').selectOption('FILE_CHANGE');

    // A stack name CloudFormation would refuse is shown at its field, which takes the focus; nothing is sent.
    await requester.getByRole('button', { name: 'Request the connection' }).click();
    const stackError = requester.locator('[data-field="gitSync.stackName"]');
    await expect.poll(() => stackError.textContent()).toMatch(/CloudFormation stack name/);
    expect(await requester.getByLabel('Stack name').getAttribute('aria-invalid')).toBe('true');
    expect(await requester.evaluate('document.activeElement.id')).toBe('field-gitSync.stackName');
    await checkPage(requester, '8-new-request-git-sync-error');
    expect((await api<{ requests: unknown[] }>(system, 'GET', '/v1/connection-requests', { token: await tokenFor('carol@example.com') })).body.requests).toEqual([]);

    await requester.getByLabel('Stack name').fill('console-infra');
    await requester.getByRole('button', { name: 'Request the connection' }).click();
    await requester.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
    const requestId = requester.url().split('/').at(-1)!;
    const panel = requester.getByTestId('git-sync');
    await expect.poll(() => requester.getByTestId('git-sync-stack').textContent(), { timeout: SEEN_WITHIN_MS }).toBe('console-infra');
    expect(await panel.textContent()).toMatch(/acme\/infra@main, deploy\/console-infra\.yaml/);
    expect(await requester.getByTestId('git-sync-status').textContent()).toBe('None yet');
    await checkPage(requester, '9-request-git-sync');

    // The people do their steps (as in the first test, through the sandbox and the API) until Git
    // sync starts its first sync; then the stack goes wrong and Git sync raises a blocker.
    type Viewed = { status: string; hostArn?: string; connectionArn?: string; gitSync?: { status?: string; blockers: { id: string }[] } };
    const token = await tokenFor('carol@example.com');
    const read = async () => (await api<Viewed>(system, 'GET', `/v1/connection-requests/${requestId}`, { token })).body;
    const waiting = await eventually(read, (view) => view.status === 'WAITING_FOR_HOST_SETUP' || view.status === 'WAITING_FOR_APPROVAL', 'host set-up or approval', SEEN_WITHIN_MS);
    if (waiting.status === 'WAITING_FOR_HOST_SETUP') {
      await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
      await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    }
    const approval = await eventually(read, (view) => view.status === 'WAITING_FOR_APPROVAL', 'approval', SEEN_WITHIN_MS);
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: approval.connectionArn });
    const approved = await api(system, 'POST', `/v1/connection-requests/${requestId}/approve`, { token: await tokenFor('root@example.com', true) });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await eventually(read, (view) => view.gitSync?.status === 'INITIATED', 'the sync configuration', 30_000);
    const blocker = await sandboxControl<{ Id: string }>(system, 'POST', '/sync/blockers', { resourceName: 'console-infra', reason: 'Stack console-infra is in UPDATE_ROLLBACK_FAILED' });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 60 });
    await eventually(read, (view) => view.gitSync?.blockers.some(({ id }) => id === blocker.Id) === true, 'the blocker on the request', 30_000);

    // The requester sees the blocker, and no Resolve: only admins may.
    await requester.reload();
    const requesterBlocker = requester.locator(`li[data-blocker="${blocker.Id}"]`);
    await requesterBlocker.waitFor({ timeout: SEEN_WITHIN_MS });
    expect(await requesterBlocker.textContent()).toMatch(/UPDATE_ROLLBACK_FAILED/);
    expect(await requester.getByRole('button', { name: 'Resolve', exact: true }).count()).toBe(0);

    // An admin finds the stack in the Admin page's Git sync table, and goes to its request.
    const admin = await signedInPage('root@example.com', 'Admin (approver)');
    await admin.getByRole('link', { name: 'Admin' }).click();
    const syncRow = admin.locator('tr[data-stack="console-infra"]');
    await syncRow.waitFor({ timeout: SEEN_WITHIN_MS });
    await expect.poll(() => syncRow.locator('td').nth(3).textContent(), { timeout: SEEN_WITHIN_MS }).toMatch(/^1/);
    expect(await syncRow.locator('td').nth(1).textContent()).toBe('acme/infra@main');
    expect(await syncRow.getByRole('link', { name: 'console-infra' }).getAttribute('href')).toMatch(/^https:\/\/.*console\.aws\.amazon\.com\//);
    await checkPage(admin, '10-admin-git-sync');
    await syncRow.getByRole('link', { name: 'Open the request' }).click();
    await admin.waitForURL(new RegExp(`/requests/${requestId}$`));

    // Resolve asks for a reason first (required, shown at its field), then resolves the blocker.
    const blockerItem = admin.locator(`li[data-blocker="${blocker.Id}"]`);
    await blockerItem.waitFor({ timeout: SEEN_WITHIN_MS });
    await blockerItem.getByRole('button', { name: 'Resolve', exact: true }).click();
    await blockerItem.getByRole('button', { name: 'Resolve blocker' }).click();
    await expect.poll(() => blockerItem.locator('[data-field="reason"]').textContent()).toMatch(/Required/);
    expect(await admin.evaluate('document.activeElement.id')).toBe(`blocker-${blocker.Id}-reason`);
    await checkPage(admin, '11-request-resolve-blocker');
    await blockerItem.getByLabel('Reason: what was fixed').fill('continued the stack rollback');
    await blockerItem.getByRole('button', { name: 'Resolve blocker' }).click();
    await expect.poll(() => admin.getByTestId('git-sync-notice').textContent(), { timeout: SEEN_WITHIN_MS }).toMatch(/^Resolved blocker/);
    expect(await blockerItem.count()).toBe(0);
    expect(await admin.getByTestId('git-sync-blockers').textContent()).toMatch(/not blocked/);
    expect(await admin.locator('.timeline').textContent()).toMatch(/Resolved sync blocker .* continued the stack rollback/);
    await checkPage(admin, '12-request-blocker-resolved');
    expect((await read()).gitSync?.blockers).toEqual([]);
    expect(pageErrors).toEqual([]);
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
