import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';
import { parseCloudFormationYaml } from '../../test/deploy/cfn-yaml.ts';

describe('the OpenAPI document', () => {
  it('is lint clean with @redocly/cli (no errors, no warnings)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const file = join(directory, 'openapi.json');
      writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
      const lint = spawnSync('npx', ['redocly', 'lint', file, '--format=stylish'], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        timeout: 60_000,
      });
      const output = `${lint.stdout}${lint.stderr}`;
      expect(lint.status, output).toBe(0);
      expect(output).toContain('Your API description is valid');
      expect(output).not.toMatch(/You have \d+ warnings?/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('describes every route the HTTP API serves (health, api, slackInteractions, auditApi), and nothing else', () => {
    const config = parseCloudFormationYaml(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8')) as {
      functions: Record<string, { events?: { httpApi?: { method: string; path: string } }[] }>;
    };
    const served = ['health', 'api', 'slackInteractions', 'auditApi']
      .flatMap((name) => config.functions[name]?.events ?? [])
      .map(({ httpApi }) => `${httpApi!.method.toLowerCase()} ${httpApi!.path}`)
      .sort();
    const documented = Object.entries(openApiDocument().paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();
    expect(documented).toEqual(served);
  });
});
