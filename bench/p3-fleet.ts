/**
 * Benchmark P3 fleet: one audit of a fleet of ACCOUNTS registered spoke accounts, each with
 * HOSTS hosts, CONNECTIONS connections and PIPELINES pipelines, every API the auditor uses limited
 * to TPS_LIMIT calls a second **per account** in the sandbox (AWS limits each account on its own).
 * Accounts are audited side by side (the audit machine's Distributed Map), so the floor is the
 * slowest account's busiest operation: its admitted calls divided by the limit. Prints one
 * `BENCH_RESULT {json}` line; run through `npm run bench`.
 */
import { fileURLToPath } from 'node:url';
import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand } from '@aws-sdk/client-codestar-connections';
import { mapConcurrently } from '../functions/audit/collect/patiently.ts';
import { startLocalSystem, type LocalSystem } from '../infra/local/local-system.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';
import type { CallCount } from '../infra/local/sandbox/call-log.ts';
import { AUDITED_OPERATIONS, call, control, printResult, timedAudit } from './local-bench.ts';

const ACCOUNTS = Number(process.env.P3_FLEET_ACCOUNTS ?? 20);
const HOSTS = 10;
const CONNECTIONS = 50;
const PIPELINES = 200;
const TPS_LIMIT = 10;
const HUB = '111111111111';

type AccountCallCount = CallCount & { accountId: string };

const accounts = Array.from({ length: ACCOUNTS }, (_, index) => String(200_000_000_001 + index));
// On AWS each of the Map's children gets its own Lambda environment; locally a function has two unless told.
const system = await startLocalSystem({
  root: fileURLToPath(new URL('..', import.meta.url)),
  apiPort: 0,
  sandboxPort: 0,
  persist: false,
  packaged: true,
  environmentsPerFunction: ACCOUNTS + 2,
});
try {
  const admin = await mintToken({ sub: 'bench-admin@example.com', groups: ['connection-broker-admins'] });
  for (const accountId of accounts) await call(system, 'PUT', `/v1/accounts/${accountId}`, admin, { team: 'platform' });
  await mapConcurrently(accounts, 4, (accountId) => seedAccount(system, accountId));
  for (const [service, operation] of AUDITED_OPERATIONS) await control(system, 'PUT', '/faults', { service, operation, tps: TPS_LIMIT });

  await control(system, 'DELETE', '/calls');
  const { wallSeconds, report } = await timedAudit(system, admin);
  const counts = ((await control(system, 'GET', '/calls?by=account')) as unknown as { calls: AccountCallCount[] }).calls;

  const limited = counts.filter((count) => AUDITED_OPERATIONS.some(([service, operation]) => count.service === service && count.operation === operation));
  const admitted = (count: AccountCallCount) => count.ok + count.clientError + count.serverError;
  const perAccount = [HUB, ...accounts].map((accountId) => {
    const mine = limited.filter((count) => count.accountId === accountId);
    const busiest = mine.reduce<AccountCallCount | undefined>((top, count) => (!top || admitted(count) > admitted(top) ? count : top), undefined);
    return {
      accountId,
      calls: mine.reduce((sum, count) => sum + admitted(count), 0),
      throttled: mine.reduce((sum, count) => sum + count.throttled, 0),
      busiest: busiest ? `${busiest.service}:${busiest.operation}` : '',
      floorSeconds: busiest ? admitted(busiest) / TPS_LIMIT : 0,
    };
  });
  const slowest = perAccount.reduce((top, account) => (account.floorSeconds > top.floorSeconds ? account : top));
  const failedPlaces = (report.places ?? []).filter((place) => place.status === 'FAILED');
  printResult({
    accounts: ACCOUNTS,
    places: report.places?.length ?? 0,
    wallSeconds,
    floorSeconds: slowest.floorSeconds,
    ratio: wallSeconds / slowest.floorSeconds,
    failures: failedPlaces.length + (report.calls?.throttledFailures ?? 0),
    failedPlaces,
    placeSeconds: (report.places ?? []).map((place) => Math.round((place.durationMs ?? 0) / 100) / 10),
    throttledFailures: report.calls?.throttledFailures ?? 0,
    slowest,
    inventory: report.inventory,
    totalCalls: perAccount.reduce((sum, account) => sum + account.calls, 0),
    throttledAttempts: perAccount.reduce((sum, account) => sum + account.throttled, 0),
  });
} finally {
  await system.close();
}

/** One spoke account's hosts (all set up), connections (all AVAILABLE) and pipelines (one per connection, the rest GitHub OAuth). */
async function seedAccount(local: LocalSystem, accountId: string): Promise<void> {
  const aws = new CodeStarConnectionsClient({ endpoint: local.sandbox.url, region: 'us-east-1', credentials: { accessKeyId: accountId, secretAccessKey: 'bench' } });
  try {
    const hostArns = await mapConcurrently(Array.from({ length: HOSTS }, (_, index) => index), 4, async (index) => {
      const { HostArn } = await aws.send(
        new CreateHostCommand({ Name: `ghes-${index}`, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: `https://ghes-${index}.example.com` }),
      );
      await control(local, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
      return HostArn!;
    });
    const connectionArns = await mapConcurrently(Array.from({ length: CONNECTIONS }, (_, index) => index), 4, async (index) => {
      const { ConnectionArn } = await aws.send(new CreateConnectionCommand({ ConnectionName: `conn-${index}`, HostArn: hostArns[index % HOSTS]! }));
      await control(local, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
      return ConnectionArn!;
    });
    await mapConcurrently(Array.from({ length: PIPELINES }, (_, index) => index), 4, (index) =>
      control(local, 'POST', '/pipelines', { account: accountId, name: `pipeline-${index}`, ...(connectionArns[index] ? { connectionArn: connectionArns[index] } : {}) }),
    );
  } finally {
    aws.destroy();
  }
}
