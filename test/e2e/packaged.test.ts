import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSystem, type LocalSystem } from '../../infra/local/local-system.ts';
import { api, eventually, sandboxControl, tokenFor } from './local-system.ts';

/**
 * The packaged mode: the functions run the minified bundles `osls package` makes (what Lambda runs),
 * not the sources, under IAM enforcement. A request goes all the way, and error names survive
 * minification in what users and Step Functions see.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let system: LocalSystem;
let alice: string;
let admin: string;
let keys = 0;

interface RequestView {
  requestId: string;
  status: string;
  hostArn?: string;
  connectionArn?: string;
  executionArn?: string;
  failure?: { code: string; message: string };
}

beforeAll(async () => {
  system = await startLocalSystem({ root: ROOT, apiPort: 0, sandboxPort: 0, persist: false, packaged: true });
  alice = await tokenFor('alice@example.com');
  admin = await tokenFor('root@example.com', true);
}, 120_000);

afterAll(async () => {
  await system?.close();
});

const read = (requestId: string) => async () => (await api<RequestView>(system, 'GET', `/v1/connection-requests/${requestId}`, { token: alice })).body;
const inStatus = (requestId: string, status: string) => eventually(read(requestId), (request) => request.status === status, `request ${requestId} to be ${status}`);

async function ask(body: Record<string, unknown>): Promise<RequestView> {
  const answer = await api<RequestView>(system, 'POST', '/v1/connection-requests', { token: alice, body, idempotencyKey: `packaged-${++keys}` });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

describe('packaged mode', () => {
  it('runs every function from its minified bundle', () => {
    expect(system.packaged).toBe(true);
    for (const fn of system.config.functions) {
      const file = system.lambda.handlerFileOf(fn.name)!;
      expect(file).toMatch(/\.local\/package\/[0-9a-f]+\/bundles\/.+\.mjs$/);
    }
    expect(system.sandbox.authorizer.enabled).toBe(true);
  });

  it('takes a request to COMPLETED', async () => {
    const request = await ask({ providerEndpoint: 'https://packaged.example.com' });
    const waiting = await inStatus(request.requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 3600 });
    const approving = await inStatus(request.requestId, 'WAITING_FOR_APPROVAL');
    await sandboxControl(system, 'POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
    const approved = await api(system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: admin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await inStatus(request.requestId, 'COMPLETED');
  }, 60_000);

  it('keeps error names intact in the request and in Step Functions', async () => {
    const request = await ask({
      providerEndpoint: 'https://vpc-packaged.example.com',
      vpcConfiguration: { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] },
    });
    const waiting = await inStatus(request.requestId, 'WAITING_FOR_HOST_SETUP');
    await sandboxControl(system, 'POST', '/hosts/fail-vpc', { hostArn: waiting.hostArn, message: 'subnets are in one AZ' });
    await sandboxControl(system, 'POST', '/clock/advance', { seconds: 600 });
    const failed = await inStatus(request.requestId, 'FAILED');
    expect(failed.failure?.code).toBe('VpcInitializationFailed');

    const sfn = new SFNClient({ endpoint: system.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const execution = system.stepFunctions.listExecutions().find((candidate) => candidate.inputText.includes(request.requestId));
      expect(execution).toBeDefined();
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: execution!.arn, maxResults: 1000 }));
      const errors = (events ?? []).map((event) => event.taskFailedEventDetails?.error ?? event.lambdaFunctionFailedEventDetails?.error).filter(Boolean);
      expect(errors).toContain('VpcInitializationFailed');
      expect(errors.every((name) => name!.length > 2)).toBe(true);
    } finally {
      sfn.destroy();
    }
  }, 60_000);
});
