import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEndpoints, readRunningSystem, recordRunningSystem } from '../../infra/local/running-system.ts';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scripts-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script as `npm run <script> -- args` would, without PORT/SANDBOX_PORT unless given. */
async function script(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const environment: NodeJS.ProcessEnv = { ...process.env, LOCAL_JWT_DIR: join(dir, 'jwt'), LOCAL_RUNNING_FILE: join(dir, 'none.json'), ...env };
  for (const key of ['PORT', 'SANDBOX_PORT'] as const) if (!(key in env)) delete environment[key];
  try {
    const { stdout, stderr } = await run(TSX, [`scripts/${name}.ts`, ...args], { cwd: ROOT, env: environment, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number | string; stdout: string; stderr: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const STACK_FRAME = /^\s+at /m;

// Each run starts tsx (about 1 s), so they run side by side.
describe.concurrent('every script: usage, never a stack trace', () => {
  it.each(['token', 'demo', 'audit', 'publish-console'])('%s --help prints the usage on stdout and exits 0', async (name) => {
    const outcome = await script(name, ['--help']);
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toMatch(new RegExp(`^usage: npm run (-s )?${name}`));
  });

  it.each(['token', 'demo', 'audit', 'publish-console'])('%s with an unknown flag prints what is wrong and the usage on stderr, and exits 2', async (name) => {
    const outcome = await script(name, ['--no-such-flag']);
    expect(outcome).toMatchObject({ code: 2, stdout: '' });
    expect(outcome.stderr).toMatch(/no-such-flag[\s\S]*usage: npm run/);
    expect(outcome.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('npm run audit finds the running system', () => {
  let api: Server;
  let sandbox: Server;
  const listen = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  beforeAll(async () => {
    sandbox = await listen((_, response) => response.end(JSON.stringify({ now: '2026-01-01T00:00:00.000Z' })));
    api = await listen((request, response) => {
      response.statusCode = request.method === 'POST' ? 202 : 200;
      response.end(
        JSON.stringify({
          auditId: 'a-1',
          status: 'COMPLETED',
          inventory: { hosts: 1, connections: 2, pipelines: 3 },
          summary: { total: 0 },
          calls: { total: 7 },
          durationMs: 5,
          findings: [],
        }),
      );
    });
  });
  afterAll(async () => {
    await Promise.all([api, sandbox].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('uses the ports `npm start` recorded, without PORT/SANDBOX_PORT in its own environment', async () => {
    const file = join(dir, 'running.json');
    // A running system on ports that are not the defaults; this process stands in for it.
    recordRunningSystem({ apiUrl: urlOf(api), sandboxUrl: urlOf(sandbox) }, file);
    const outcome = await script('audit', [], { LOCAL_RUNNING_FILE: file });
    expect(outcome.stderr).not.toMatch(/cannot reach/);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^0 findings in 1 hosts, 2 connections, 3 pipelines/);
    expect(outcome.stdout).toContain(`GET ${urlOf(api)}/v1/audits/a-1`);
  });

  it('prefers PORT/SANDBOX_PORT, and names where the ports came from when nothing answers', async () => {
    const outcome = await script('audit', [], { PORT: '1', SANDBOX_PORT: '1' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/_sandbox\/clock \(chosen from PORT\/SANDBOX_PORT from the environment\)/);
    expect(outcome.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('the running-system record', () => {
  it('is read while its process lives, and removed by the process that wrote it', async () => {
    const file = join(dir, 'record.json');
    const forget = recordRunningSystem({ apiUrl: 'http://127.0.0.1:3100', sandboxUrl: 'http://127.0.0.1:4600' }, file);
    expect(localEndpoints({ LOCAL_RUNNING_FILE: file })).toMatchObject({ apiUrl: 'http://127.0.0.1:3100', sandboxUrl: 'http://127.0.0.1:4600' });
    expect(localEndpoints({ LOCAL_RUNNING_FILE: file, PORT: '3200' }).apiUrl).toBe('http://127.0.0.1:3200');
    forget();
    expect(readRunningSystem(file)).toBeUndefined();
    expect(localEndpoints({ LOCAL_RUNNING_FILE: file })).toMatchObject({ apiUrl: 'http://127.0.0.1:3000', sandboxUrl: 'http://127.0.0.1:4566' });
  });

  it('ignores a record left by a process that is gone', async () => {
    const file = join(dir, 'stale.json');
    await writeFile(file, JSON.stringify({ pid: 2 ** 22 + 12345, apiUrl: 'http://127.0.0.1:3100', sandboxUrl: 'http://127.0.0.1:4600', startedAt: '' }));
    expect(readRunningSystem(file)).toBeUndefined();
    expect(localEndpoints({ LOCAL_RUNNING_FILE: file }).apiUrl).toBe('http://127.0.0.1:3000');
  });
});
