import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { FunctionOutputLine } from '../../infra/local/runtime/function-output.ts';
import { LocalLambda, type LambdaFunctionSpec } from '../../infra/local/runtime/lambda-runtime.ts';
import { assertWithinPayloadLimit, STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES } from '../../infra/local/runtime/step-payload.ts';

/** The local Lambda: own environment per function, JSON in and out, and its timeout enforced. */
const HANDLERS = fileURLToPath(new URL('./fixtures/lambda-handlers.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lambda-runtime-'));

const spec = (name: string, exportName: string, extra: Partial<LambdaFunctionSpec> = {}): [string, LambdaFunctionSpec] => [
  name,
  {
    name,
    functionName: `connection-broker-local-${name}`,
    handlerFile: HANDLERS,
    exportName,
    timeoutSeconds: 10,
    memoryLimitInMB: 256,
    environment: { AWS_ACCESS_KEY_ID: `ASIA${name.toUpperCase()}` },
    typescript: false,
    ...extra,
  },
];

const lambda = new LocalLambda(
  new Map([spec('first', 'echo'), spec('second', 'echo'), spec('slow', 'slowThenWrite', { timeoutSeconds: 1 }), spec('failing', 'fail')]),
  { region: 'us-east-1', accountId: '111111111111' },
);

/** AWS's time, which tests move forward: here 3 days ahead of the machine's. */
const SANDBOX_AHEAD_MS = 3 * 86_400_000;
const timed = new LocalLambda(new Map([spec('clock', 'clock')]), { region: 'us-east-1', accountId: '111111111111', nowMs: () => Date.now() + SANDBOX_AHEAD_MS });

afterAll(async () => {
  await timed.close();
  await lambda.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the local Lambda runtime', () => {
  it("gives each function its own environment variables and module state, and Lambda's context", async () => {
    const first = (await lambda.invoke('first', { n: 1 })) as Record<string, unknown>;
    const again = (await lambda.invoke('first', { n: 2 })) as Record<string, unknown>;
    const second = (await lambda.invoke('second', { n: 3 })) as Record<string, unknown>;
    expect(first).toMatchObject({ event: { n: 1 }, invocations: 1, key: 'ASIAFIRST', functionName: 'connection-broker-local-first' });
    expect(again).toMatchObject({ invocations: 2 });
    expect(second).toMatchObject({ invocations: 1, key: 'ASIASECOND' });
    expect(first.remainingMs).toBeGreaterThan(8_000);
    expect(first.remainingMs).toBeLessThanOrEqual(10_000);
  });

  it("gives the functions the sandbox clock as their Date, as a Lambda reads the world's time", async () => {
    const before = Date.now() + SANDBOX_AHEAD_MS;
    const seen = (await timed.invoke('clock', {})) as { now: number; date: string };
    const after = Date.now() + SANDBOX_AHEAD_MS;
    expect(seen.now).toBeGreaterThanOrEqual(before);
    expect(seen.now).toBeLessThanOrEqual(after);
    expect(Date.parse(seen.date)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(seen.date)).toBeLessThanOrEqual(after);
  });

  it('passes JSON in and out, as Lambda serialises them', async () => {
    const answer = (await lambda.invoke('first', { at: new Date(0), skip: undefined })) as { event: Record<string, unknown> };
    expect(answer.event).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('reports a thrown error by its name, as errorType', async () => {
    await expect(lambda.invoke('failing', {})).rejects.toMatchObject({ errorType: 'NamedFailure', errorMessage: 'it went wrong' });
  });

  it('ends an invocation at its timeout: Sandbox.Timedout, and nothing it would have done later happens', async () => {
    const file = join(scratch, 'late.txt');
    await expect(lambda.invoke('slow', { sleepMs: 1_500, file })).rejects.toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(existsSync(file)).toBe(false);
    // The next invocation gets a fresh environment and runs normally.
    await expect(lambda.invoke('slow', { sleepMs: 10, file })).resolves.toEqual({ wrote: true });
    expect(existsSync(file)).toBe(true);
  });
});

describe("the functions' output", () => {
  it('comes line by line, with the function and the stream, when the runtime is given somewhere to put it', async () => {
    const lines: FunctionOutputLine[] = [];
    const printing = new LocalLambda(new Map([spec('printer', 'print')]), { region: 'us-east-1', accountId: '111111111111', output: (line) => lines.push(line) });
    try {
      await expect(printing.invoke('printer', { n: 7 })).resolves.toEqual({ printed: true });
      const expected: FunctionOutputLine[] = [
        { function: 'printer', stream: 'stdout', line: '{"level":"INFO","message":"hello","n":7}' },
        { function: 'printer', stream: 'stdout', line: '{"_aws":{"Timestamp":0,"CloudWatchMetrics":[]},"Invocations":1}' },
        { function: 'printer', stream: 'stderr', line: '[slack] a warning' },
        { function: 'printer', stream: 'stdout', line: '{"level":"WARN","message":"in two pieces"}' },
      ];
      // The worker's streams reach this thread a moment after its answer.
      for (let attempt = 0; attempt < 100 && lines.length < expected.length; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(lines).toEqual(expect.arrayContaining(expected));
      expect(lines).toHaveLength(expected.length);
    } finally {
      await printing.close();
    }
  });
});

describe("Step Functions' payload quota", () => {
  it('refuses a state input or output over 256 KiB with States.DataLimitExceeded', () => {
    expect(() => assertWithinPayloadLimit({ text: 'x'.repeat(STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES - 20) }, 'output')).not.toThrow();
    expect(() => assertWithinPayloadLimit({ text: 'x'.repeat(STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES) }, 'output')).toThrow(
      expect.objectContaining({ name: 'States.DataLimitExceeded' }),
    );
  });
});
