import { CodeStarConnectionsClient, ListHostsCommand, ThrottlingException } from '@aws-sdk/client-codestar-connections';
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import type { CallCount } from '../../infra/local/sandbox/call-log.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { control, useTestSandbox } from '../helpers/sandbox.ts';

/**
 * AWS's API rate limits are per account and Region: the sandbox's `tps` fault rules are global
 * (one rule for every account) but count each account's calls (in each Region) on their own, and
 * the call log counts per account for the benchmarks. In the sandbox an access key id of twelve
 * digits names its account.
 */

const FIRST = '111111111111';
const SECOND = '222222222222';

let sandbox: Sandbox;
const clients: { destroy(): void }[] = [];

useTestSandbox((started) => {
  sandbox = started;
  return { destroy: () => clients.forEach((client) => client.destroy()) };
});

/** A real SDK client acting in `accountId`; no retries, so each throttled call is seen. */
function codestar(accountId: string, region = 'us-east-1'): CodeStarConnectionsClient {
  const client = new CodeStarConnectionsClient({
    endpoint: sandbox.url,
    region,
    credentials: { accessKeyId: accountId, secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

function iam(accountId: string, region: string): IAMClient {
  const client = new IAMClient({ endpoint: sandbox.url, region, credentials: { accessKeyId: accountId, secretAccessKey: 'test' }, maxAttempts: 1 });
  clients.push(client);
  return client;
}

/** Sends `count` ListHosts calls at once; answers how many passed and the throttling errors. */
async function listHosts(client: CodeStarConnectionsClient, count: number): Promise<{ passed: number; throttled: unknown[] }> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => client.send(new ListHostsCommand({}))));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  return { passed: results.length - failures.length, throttled: failures };
}

type AccountCallCount = CallCount & { accountId: string };

describe('tps limits per account', () => {
  it('admits each account up to the limit within one second, and throttles only the account over it', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListHosts', tps: 3 });
    const first = codestar(FIRST);
    const second = codestar(SECOND);

    const [firstCalls, secondCalls] = await Promise.all([listHosts(first, 5), listHosts(second, 3)]);

    expect(firstCalls.passed).toBe(3);
    expect(firstCalls.throttled).toHaveLength(2);
    for (const error of firstCalls.throttled) {
      expect(error).toBeInstanceOf(ThrottlingException);
      expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 429 } });
    }
    // The second account has its own window: all of its calls pass while the first is throttled.
    expect(secondCalls).toEqual({ passed: 3, throttled: [] });
    // ...and its fourth call in the same second is over its own limit.
    await expect(second.send(new ListHostsCommand({}))).rejects.toBeInstanceOf(ThrottlingException);

    const { calls } = await control<{ calls: AccountCallCount[] }>(sandbox, 'GET', '/calls?by=account');
    const listHostsCalls = calls.filter((call) => call.service === 'codestar-connections' && call.operation === 'ListHosts');
    expect(listHostsCalls).toHaveLength(2);
    expect(listHostsCalls).toEqual(
      expect.arrayContaining([
        { accountId: FIRST, service: 'codestar-connections', operation: 'ListHosts', ok: 3, clientError: 0, throttled: 2, serverError: 0 },
        { accountId: SECOND, service: 'codestar-connections', operation: 'ListHosts', ok: 3, clientError: 0, throttled: 1, serverError: 0 },
      ]),
    );

    // Without ?by=account the counts are over every account, as before.
    const total = await control<{ calls: CallCount[] }>(sandbox, 'GET', '/calls');
    expect(total.calls.find((call) => call.operation === 'ListHosts')).toEqual({
      service: 'codestar-connections',
      operation: 'ListHosts',
      ok: 6,
      clientError: 0,
      throttled: 3,
      serverError: 0,
    });
  });

  it('counts each Region of an account on its own', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListHosts', tps: 2 });
    const [east, west] = await Promise.all([listHosts(codestar(SECOND, 'us-east-1'), 3), listHosts(codestar(SECOND, 'eu-west-1'), 2)]);
    expect(east.passed).toBe(2);
    expect(east.throttled).toHaveLength(1);
    expect(west).toEqual({ passed: 2, throttled: [] });
  });

  it('counts IAM, a global service, per account whatever the Region the call is signed for', async () => {
    await control(sandbox, 'PUT', '/faults', { service: 'iam', operation: 'ListRoles', tps: 1 });
    await iam(FIRST, 'us-east-1').send(new ListRolesCommand({}));
    await expect(iam(FIRST, 'eu-west-1').send(new ListRolesCommand({}))).rejects.toMatchObject({ name: 'Throttling', message: 'Rate exceeded' });
    // Another account has its own limit.
    await iam(SECOND, 'eu-west-1').send(new ListRolesCommand({}));

    const { calls } = await control<{ calls: AccountCallCount[] }>(sandbox, 'GET', '/calls?by=account');
    expect(calls.filter((call) => call.service === 'iam')).toEqual([
      { accountId: FIRST, service: 'iam', operation: 'ListRoles', ok: 1, clientError: 0, throttled: 1, serverError: 0 },
      { accountId: SECOND, service: 'iam', operation: 'ListRoles', ok: 1, clientError: 0, throttled: 0, serverError: 0 },
    ]);
  });

  it('empties the per-account counts with the others, and refuses an unknown grouping', async () => {
    await codestar(SECOND).send(new ListHostsCommand({}));
    expect((await control<{ calls: AccountCallCount[] }>(sandbox, 'GET', '/calls?by=account')).calls).toHaveLength(1);
    await control(sandbox, 'DELETE', '/calls');
    expect(await control(sandbox, 'GET', '/calls?by=account')).toEqual({ calls: [] });

    const response = await fetch(`${sandbox.url}/_sandbox/calls?by=region`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'InvalidParameter', details: [{ path: 'by' }] } });
  });
});
