import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_GROUP, verifyToken } from '../../infra/local/runtime/jwt.ts';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

let keyDir: string;
beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'token-script-'));
});
afterAll(async () => {
  await rm(keyDir, { recursive: true, force: true });
});

function token(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_JWT_DIR: keyDir };
  delete env.JWT_AUDIENCE;
  return run(TSX, ['scripts/token.ts', ...args], { cwd: ROOT, env });
}

// Each run starts tsx (about 1 s), so they run side by side.
describe.concurrent('scripts/token.ts', () => {
  it('prints only an admin token that verifies, with the subject as email', async () => {
    const { stdout, stderr } = await token(['--sub', 'alice@example.com', '--admin', '--hours', '2']);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = await verifyToken(stdout.trim(), { keyDir });
    expect(claims).toMatchObject({ sub: 'alice@example.com', email: 'alice@example.com', groups: [ADMIN_GROUP] });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(7200);
  });

  it('mints a non-admin token without groups', async () => {
    const { stdout } = await token(['--sub', 'bob']);
    const claims = await verifyToken(stdout.trim(), { keyDir });
    expect(claims.sub).toBe('bob');
    expect(claims).not.toHaveProperty('groups');
    expect(claims).not.toHaveProperty('email');
  });

  it('exits 2 with usage on stderr and nothing on stdout when --sub is missing', async () => {
    const failure = await token([]).then(() => undefined, (error: { code: number; stdout: string; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect(failure?.stderr).toMatch(/--sub is required[\s\S]*usage:/);
  });
});
