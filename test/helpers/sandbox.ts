import { afterAll, beforeAll, beforeEach } from 'vitest';
import { Sandbox, type SandboxOptions } from '../../infra/local/sandbox/server.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** An in-memory sandbox on a free port, for one test file. */
export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return Sandbox.start({ port: 0, ...options });
}

/** SDK client settings that reach the sandbox exactly as the AWS_ENDPOINT_URL* variables would. */
export function clientConfig(sandbox: Sandbox, region = 'us-east-1') {
  return { endpoint: sandbox.url, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
}

/** Calls a control route and returns its JSON, failing loudly on a non-2xx answer. */
export async function control<T = Record<string, unknown>>(
  sandbox: Pick<Sandbox, 'url'>,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`control ${method} ${path} → ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Sends a raw awsJson request (for what the SDK would never send: bad types, unknown targets). */
export async function rawJsonCall(
  sandbox: Sandbox,
  target: string,
  body: string,
  contentType = 'application/x-amz-json-1.0',
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(sandbox.url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-amz-target': target,
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/codestar-connections/aws4_request, SignedHeaders=host, Signature=0',
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

/**
 * One in-memory sandbox for the test file, emptied before each test. `started` receives it once
 * it listens and returns the SDK client the file uses (destroyed with the sandbox at the end).
 */
export function useTestSandbox(started: (sandbox: Sandbox) => { destroy(): void }): void {
  let sandbox: Sandbox | undefined;
  let client: { destroy(): void } | undefined;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    client = started(sandbox);
  });
  afterAll(async () => {
    client?.destroy();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await control(sandbox!, 'POST', '/reset');
  });
}

/** A role trust policy CodePipeline may assume, for the roles tests create. */
export const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
