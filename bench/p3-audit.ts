/**
 * Benchmark P3: one audit of an account at its quotas (50 hosts, 250 connections, 1,000 pipelines)
 * with every API the auditor uses limited to TPS_LIMIT calls a second in the sandbox, then an
 * immediate second audit with nothing changed. Prints one `BENCH_RESULT {json}`
 * line; run through `npm run bench`.
 *
 * The account: every host AVAILABLE with five AVAILABLE connections; 250 pipelines use one
 * connection each, 750 use a GitHub (OAuth) source. MANAGED_REQUESTS of the connections came
 * through the broker: their request records are written to the table as the workflow leaves them
 * (COMPLETED, with the pipeline and the policy granted to the pipeline's role), and their roles exist
 * in IAM, so the audit also reads role policies.
 */
import { fileURLToPath } from 'node:url';
import { CodeStarConnectionsClient, CreateConnectionCommand, CreateHostCommand } from '@aws-sdk/client-codestar-connections';
import { mapConcurrently } from '../functions/audit/collect/patiently.ts';
import type { AuditReport } from '../functions/audit/report.ts';
import type { ConnectionRequestRecord } from '../functions/request/model.ts';
import { BrokerStore } from '../functions/request/store.ts';
import { clients, provideClients } from '../functions/adapters/aws-clients.ts';
import { documentsClient } from '../functions/adapters/aws/dynamodb.ts';
import { startLocalSystem, type LocalSystem } from '../infra/local/local-system.ts';
import { mintToken } from '../infra/local/runtime/jwt.ts';
import type { CallCount } from '../infra/local/sandbox/call-log.ts';
import { AUDITED_OPERATIONS, clockSeconds, control, printResult, timedAudit } from './local-bench.ts';

const HOSTS = 50;
const CONNECTIONS_PER_HOST = 5;
const PIPELINES = 1000;
const MANAGED_REQUESTS = 25;
/** AWS publishes no TPS for these APIs; 10 a second is a common AWS default for List/Get/Describe. */
const TPS_LIMIT = 10;


const system = await startLocalSystem({ root: fileURLToPath(new URL('..', import.meta.url)), apiPort: 0, sandboxPort: 0, persist: false });
try {
  const admin = await mintToken({ sub: 'bench-admin@example.com', groups: ['connection-broker-admins'] });
  await seedQuotaFullAccount(system);
  for (const [service, operation] of AUDITED_OPERATIONS) await control(system, 'PUT', '/faults', { service, operation, tps: TPS_LIMIT });

  await control(system, 'DELETE', '/calls');
  const first = await auditNow(system, admin);
  const firstCalls = await calls(system);
  await control(system, 'DELETE', '/calls');
  const second = await auditNow(system, admin);
  const secondCalls = await calls(system);

  const perOperation = firstCalls.map((call) => ({ operation: `${call.service}:${call.operation}`, admitted: call.ok + call.clientError + call.serverError, throttled: call.throttled }));
  const limited = perOperation.filter(({ operation }) => AUDITED_OPERATIONS.some(([service, name]) => operation === `${service}:${name}`));
  const floorSeconds = Math.max(...limited.map(({ admitted }) => admitted / TPS_LIMIT));
  const total = (counts: CallCount[]) => counts.reduce((sum, call) => sum + call.ok + call.clientError + call.serverError + call.throttled, 0);
  printResult({
    wallSeconds: first.wallSeconds,
    floorSeconds,
    ratio: first.wallSeconds / floorSeconds,
    throttledFailures: (first.report.calls?.throttledFailures ?? 0) + (second.report.calls?.throttledFailures ?? 0),
    firstCalls: total(firstCalls),
    secondCalls: total(secondCalls),
    secondWallSeconds: second.wallSeconds,
    throttledAttempts: perOperation.reduce((sum, { throttled }) => sum + throttled, 0),
    perOperation,
    inventory: first.report.inventory,
    findings: first.report.summary?.byType,
  });
} finally {
  await system.close();
}

async function seedQuotaFullAccount(local: LocalSystem): Promise<void> {
  const aws = new CodeStarConnectionsClient({});
  const hostArns = await mapConcurrently(Array.from({ length: HOSTS }, (_, index) => index), 16, async (index) => {
    const { HostArn } = await aws.send(
      new CreateHostCommand({ Name: `ghes-${pad(index)}`, ProviderType: 'GitHubEnterpriseServer', ProviderEndpoint: `https://ghes-${pad(index)}.example.com` }),
    );
    await control(local, 'POST', '/hosts/complete-setup', { hostArn: HostArn });
    return HostArn!;
  });
  const slots = Array.from({ length: HOSTS * CONNECTIONS_PER_HOST }, (_, index) => index);
  const connectionArns = await mapConcurrently(slots, 16, async (index) => {
    const hostArn = hostArns[Math.floor(index / CONNECTIONS_PER_HOST)]!;
    const { ConnectionArn } = await aws.send(new CreateConnectionCommand({ ConnectionName: `conn-${pad(index, 3)}`, HostArn: hostArn }));
    await control(local, 'POST', '/connections/complete-handshake', { connectionArn: ConnectionArn });
    return { hostArn, connectionArn: ConnectionArn! };
  });
  aws.destroy();

  await mapConcurrently(Array.from({ length: MANAGED_REQUESTS }, (_, index) => index), 8, (index) =>
    control(local, 'POST', '/roles', {
      roleName: `pipeline-role-${pad(index)}`,
      inlinePolicies: { [grantName(index)]: useConnectionPolicy(connectionArns[index]!.connectionArn) },
    }),
  );
  await mapConcurrently(Array.from({ length: PIPELINES }, (_, index) => index), 16, (index) => {
    const connection = connectionArns[index];
    return control(local, 'POST', '/pipelines', {
      name: `pipeline-${pad(index, 4)}`,
      ...(connection ? { connectionArn: connection.connectionArn } : {}),
      ...(index < MANAGED_REQUESTS ? { roleArn: `arn:aws:iam::111111111111:role/pipeline-role-${pad(index)}` } : {}),
    });
  });

  // Built now, after the local system has pointed the AWS endpoints at its table and sandbox.
  provideClients(documentsClient);
  const store = new BrokerStore(clients().documents, process.env.TABLE_NAME!);
  await mapConcurrently(Array.from({ length: MANAGED_REQUESTS }, (_, index) => index), 8, (index) =>
    store.createRequest(completedRecord(index, connectionArns[index]!)),
  );
}

function completedRecord(index: number, { hostArn, connectionArn }: { hostArn: string; connectionArn: string }): ConnectionRequestRecord {
  const at = new Date().toISOString();
  const roleName = `pipeline-role-${pad(index)}`;
  return {
    requestId: `00000000-0000-4000-8000-${pad(index, 12)}`,
    status: 'COMPLETED',
    requester: { id: `team-${index % 5}@example.com` },
    providerEndpoint: `https://ghes-${pad(Math.floor(index / CONNECTIONS_PER_HOST))}.example.com`,
    connectionName: `conn-${pad(index, 3)}`,
    hostName: `ghes-${pad(Math.floor(index / CONNECTIONS_PER_HOST))}`,
    pipeline: { name: `pipeline-${pad(index, 4)}`, fullRepositoryId: 'example-org/example-repo', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
    tags: {},
    region: 'us-east-1',
    createdAt: at,
    updatedAt: at,
    hostArn,
    connectionArn,
    attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 1 },
    grants: [{ roleArn: `arn:aws:iam::111111111111:role/${roleName}`, roleName, policyName: grantName(index), purpose: 'pipeline role' }],
    timeline: [],
    revision: 1,
  };
}

function useConnectionPolicy(connectionArn: string) {
  const id = connectionArn.split('/').pop();
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
        Resource: [`arn:aws:codestar-connections:us-east-1:111111111111:connection/${id}`, `arn:aws:codeconnections:us-east-1:111111111111:connection/${id}`],
      },
    ],
  };
}

function grantName(index: number): string {
  return `connection-broker-use-connection-${pad(index)}`;
}

/** An audit at the sandbox's time (the sandbox clock is where the seeded resources' ages are). */
async function auditNow(local: LocalSystem, token: string): Promise<{ wallSeconds: number; report: AuditReport }> {
  return timedAudit(local, token, { asOf: new Date((await clockSeconds(local)) * 1000).toISOString() });
}

async function calls(local: LocalSystem): Promise<CallCount[]> {
  return ((await control(local, 'GET', '/calls')) as unknown as { calls: CallCount[] }).calls;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
