import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../infra/local/local-system.ts';
import { timelineLine } from '../../cli/progress.ts';
import { api, eventually, sandboxControl, startSystem, tokenFor } from './local-system.ts';

/**
 * `npx connection-broker` (cli/bin.mjs) against the local system, as a person or a script runs it:
 * a child process with its own config directory, talking HTTP to the API. The human steps (host
 * set-up, the handshake) are done through the sandbox's control API while `status --watch` runs.
 */

const BIN = fileURLToPath(new URL('../../cli/bin.mjs', import.meta.url));

interface RequestView {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  connectionName: string;
  tags: Record<string, string>;
  pipeline?: { name: string; fullRepositoryId: string; branchName: string; detectChanges: boolean };
  timeline: { at: string; step: string; actor: string; message: string }[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let system: LocalSystem;
let alice: string;
let configHome: string;

beforeAll(async () => {
  system = await startSystem();
  alice = await tokenFor('alice@example.com');
  configHome = mkdtempSync(join(tmpdir(), 'connection-broker-cli-'));
}, 60_000);
afterAll(async () => {
  await system?.close();
  if (configHome) rmSync(configHome, { recursive: true, force: true });
});

/**
 * Runs the CLI (asynchronously: the system answering it runs in this process). Its environment has
 * no token of the caller's shell, its own config directory, and the local system's URL.
 */
function start(args: string[], options: { input?: string; env?: Record<string, string>; configHome?: string } = {}): { stdout: () => string; done: Promise<Run> } {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('CONNECTION_BROKER_')) delete env[name];
  Object.assign(env, {
    XDG_CONFIG_HOME: options.configHome ?? configHome,
    CONNECTION_BROKER_API: system.apiUrl,
    // Never a `npm start` that happens to run on this machine.
    LOCAL_RUNNING_FILE: join(configHome, 'no-running-system.json'),
    ...options.env,
  });
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.end(options.input ?? '');
  return { stdout: () => stdout, done };
}

const cli = (args: string[], options: Parameters<typeof start>[1] = {}): Promise<Run> => start(args, options).done;

const read = (requestId: string) => async () => (await api<RequestView>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: alice })).body;
const inStatus = (requestId: string, ...statuses: string[]) =>
  eventually(read(requestId), (request) => statuses.includes(request.status), `request ${requestId} to be ${statuses.join(' or ')}`);

describe('npx connection-broker', () => {
  let requestId: string;

  it('logs in with a token from stdin, kept owner-only, and never prints it', async () => {
    const login = await cli(['login', '--token', '-'], { input: `${alice}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Signed in as alice@example.com');
    expect(login.stdout + login.stderr).not.toContain(alice);
    const file = join(configHome, 'connection-broker', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(configHome, 'connection-broker')).mode & 0o777).toBe(0o700);

    const whoami = await cli(['whoami', '--json']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ subject: 'alice@example.com', tokenSource: 'saved by login', api: system.apiUrl });
  });

  it('login --dev has the local system mint a token (POST /_local/dev-sign-in)', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'connection-broker-cli-'));
    try {
      const login = await cli(['login', '--dev', '--sub', 'root@example.com', '--admin', '--json'], { configHome: elsewhere });
      expect(login.code, login.stderr).toBe(0);
      expect(JSON.parse(login.stdout)).toMatchObject({ signedIn: true, subject: 'root@example.com', groups: ['connection-broker-admins'], api: system.apiUrl });
      // The admin's token works: the audit reports are admins' only (none has run yet).
      const audit = await cli(['audit', '--json'], { configHome: elsewhere });
      expect([audit.code, JSON.parse(audit.stdout).error.status]).toEqual([1, 404]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('requests a connection with --json: one JSON document, with the request id', async () => {
    await sandboxControl(system, 'POST', '/pipelines', { name: 'payments' });
    const run = await cli([
      'request',
      '--provider-endpoint',
      'https://ghe.example.com',
      '--pipeline-name',
      'payments',
      '--repository',
      'platform/payments',
      '--branch',
      'main',
      '--no-detect-changes',
      '--tag',
      'team=payments',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as RequestView;
    expect(created.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.tags).toEqual({ team: 'payments' });
    expect(created.pipeline).toMatchObject({ name: 'payments', fullRepositoryId: 'platform/payments', branchName: 'main', detectChanges: false });
    requestId = created.requestId;
  });

  it('status --watch follows the request through the human steps to COMPLETED, and exits 0', async () => {
    const watch = start(['status', requestId, '--watch', '--interval', '0.2']);
    const watchShows = (text: string) => eventually(async () => watch.stdout(), (shown) => shown.includes(text), `the watch to show ${text}`);

    // The GHES admin sets up the host (once the watch shows the wait); the workflow's next poll (sandbox clock) sees it.
    const waiting = await inStatus(requestId, 'WAITING_FOR_HOST_SETUP');
    await watchShows('… WAITING_FOR_HOST_SETUP: waiting for the host to be set up in the AWS console\n');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 3600 });
    // The organization owner finishes the handshake; an admin approves through the CLI.
    const approving = await inStatus(requestId, 'WAITING_FOR_APPROVAL');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
    const approve = await cli(['approve', requestId], { env: { CONNECTION_BROKER_TOKEN: await tokenFor('root@example.com', true) } });
    expect(approve.code, approve.stderr).toBe(0);

    const watched = await watch.done;
    expect(watched.code, `${watched.stdout}\n${watched.stderr}`).toBe(0);
    const lines = watched.stdout.split('\n');
    // Plain lines (stdout is not a terminal): no spinner frames or cursor codes.
    expect(watched.stdout.includes('\u001b[')).toBe(false);
    // The current step with who had to act, printed when it changed.
    expect(lines).toContain('  next:       A GitHub Enterprise Server administrator must choose "Set up host" in the AWS console for the host of https://ghe.example.com.');
    expect(lines).toContain('  who:        ghes-admin');
    expect(watched.stdout).toMatch(/^ {2}by: {9}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/m);
    // One ✔ line per timeline entry, each once, in order, then the end.
    const { timeline } = await read(requestId)();
    const ticks = lines.filter((line) => line.startsWith('✔ ') && line !== '✔ COMPLETED');
    expect(ticks).toEqual(timeline.slice(0, ticks.length).map((entry) => `✔ ${timelineLine(entry)}`));
    expect(ticks.map((line) => line.split(':')[0])).toEqual(expect.arrayContaining(['✔ host', '✔ host-setup', '✔ connection', '✔ approval', '✔ verify', '✔ attach', '✔ done']));
    expect(lines).toContain('✔ COMPLETED');
  });

  it('status prints the status, step and timeline as lines', async () => {
    const run = await cli(['status', requestId]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`${requestId}  COMPLETED: done`);
    expect(run.stdout).toContain('  timeline:');
    expect(() => JSON.parse(run.stdout)).toThrow();
  });

  it('list --json parses, and has the request', async () => {
    const run = await cli(['list', '--json', '--limit', '5']);
    expect(run.code, run.stderr).toBe(0);
    const page = JSON.parse(run.stdout) as { requests: RequestView[] };
    expect(page.requests.map((request) => request.requestId)).toContain(requestId);
  });

  it('prints the API’s field errors on a refused request and exits 1 (--json: the error object on stdout)', async () => {
    const run = await cli(['request', '--provider-endpoint', 'http://ghe.example.com', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^400 .+/m);
    expect(run.stderr).toMatch(/^ {2}providerEndpoint: .+/m);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 1, error: { status: 400, errors: [expect.objectContaining({ path: 'providerEndpoint' })] } });
  });

  it('exits 2 with the usage on stderr for bad flags or a missing id', async () => {
    const [unknownFlag, noId] = await Promise.all([cli(['request', '--no-such-flag']), cli(['status'])]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option '--no-such-flag'");
    expect(unknownFlag.stderr).toContain('Usage: connection-broker request [options]');
    expect(unknownFlag.stdout).toBe('');
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain("missing required argument 'id'");
    expect(noId.stderr).toContain('Usage: connection-broker status [options] <id>');
  });

  it('exits 4 without a token, saying how to log in', async () => {
    const signedOut = mkdtempSync(join(tmpdir(), 'connection-broker-cli-'));
    try {
      const run = await cli(['status', requestId], { configHome: signedOut });
      expect(run.code).toBe(4);
      expect(run.stderr).toContain('connection-broker login');
      expect(run.stdout).toBe('');
    } finally {
      rmSync(signedOut, { recursive: true, force: true });
    }
  });

  it('logout forgets the token', async () => {
    const logout = await cli(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect((await cli(['list'])).code).toBe(4);
  });
});
