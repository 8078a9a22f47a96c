import { describe, expect, it } from 'vitest';
import { statementsOf } from '../../infra/local/sandbox/authorization/policy-evaluation.ts';
import { api, eventually, sandboxControl } from './local-system.ts';
import { ACCOUNT, harness, inStatus, nextKey, read, type RequestBody } from './pipeline-attach-helpers.ts';

/**
 * The local twin enforces what AWS enforces: each function calls AWS as its own role, read from the
 * packaged template, and runs under its own timeout. These tests show what a user would see when a
 * role lacks a statement or a step overruns, and that the product works with what the console makes.
 */
const h = harness();

interface Enforcement {
  enabled: boolean;
  refusals: { principal: string; action: string; resource: string; message: string }[];
}

async function ask(body: Record<string, unknown>): Promise<RequestBody> {
  const answer = await api<RequestBody>(h.system, 'POST', '/v1/connection-requests', { token: h.alice, body, idempotencyKey: nextKey() });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body;
}

async function setUpHost(request: RequestBody): Promise<void> {
  const waiting = await inStatus(h, request.requestId, 'WAITING_FOR_HOST_SETUP');
  await sandboxControl(h.system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
  await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 3600 });
}

async function sandboxState(): Promise<{ hosts: { arn: string }[]; connections: { arn: string; name: string }[] }> {
  const state = await sandboxControl<{ codestarConnections: Record<string, { hosts: { arn: string }[]; connections: { arn: string; name: string }[] }> }>(h.system, 'GET', '/state');
  return state.codestarConnections[`${ACCOUNT}/us-east-1`] ?? { hosts: [], connections: [] };
}

describe('the local twin enforces IAM as AWS does', () => {
  it('runs every function as its role from the packaged template', async () => {
    const enforcement = await sandboxControl<Enforcement>(h.system, 'GET', '/iam/enforcement');
    expect(enforcement.enabled).toBe(true);
    const createConnection = h.system.functionPrincipals.get('createConnection')!;
    expect(createConnection.arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/connection-broker-local-createConnection-us-east-1-lambdaRole/connection-broker-local-createConnection`,
    );
    expect(h.system.functionPrincipals.size).toBe(h.system.config.functions.length);
  });

  it('fails the step with AWS AccessDenied when one statement is taken out of its role, and rolls back', async () => {
    const principal = h.system.functionPrincipals.get('createConnection')!;
    const original = principal.role.policies;
    // The role as packaged, less the statement that allows CreateConnection.
    const withoutCreate = original.map((document) => ({
      Version: '2012-10-17',
      Statement: statementsOf(document).filter((statement) => !JSON.stringify(statement.Action).includes(':CreateConnection')),
    }));
    expect(JSON.stringify(withoutCreate)).not.toBe(JSON.stringify(original));
    h.system.sandbox.authorizer.replacePolicies(principal.accessKeyId, withoutCreate);
    try {
      const request = await ask({ providerEndpoint: 'https://denied.example.com' });
      await setUpHost(request);
      const failed = await inStatus(h, request.requestId, 'FAILED');
      const action = 'codestar-connections:CreateConnection';
      expect(failed.failure?.code).toBe('AccessDeniedException');
      expect(failed.failure?.message).toBe(`User: ${principal.arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`);
      // What the request made is gone: its host, and no connection.
      const state = await sandboxState();
      expect(state.hosts.map((host) => host.arn)).not.toContain(failed.hostArn);
      expect(state.connections.map((connection) => connection.name)).not.toContain(failed.connectionArn);
      const { refusals } = await sandboxControl<Enforcement>(h.system, 'GET', '/iam/enforcement');
      expect(refusals.some((refusal) => refusal.principal === principal.arn && refusal.action === action)).toBe(true);
    } finally {
      h.system.sandbox.authorizer.replacePolicies(principal.accessKeyId, original);
    }
  }, 60_000);

  it('reuses a host the console made (a codeconnections ARN, no tags) and completes the request', async () => {
    const consoleHost = await sandboxControl<{ hostArn: string }>(h.system, 'POST', '/console/hosts', {
      name: 'console-ghe',
      providerEndpoint: 'https://console-ghe.example.com',
    });
    expect(consoleHost.hostArn).toMatch(/^arn:aws:codeconnections:us-east-1:\d{12}:host\//);
    await sandboxControl(h.system, 'POST', '/hosts/complete-setup', { hostArn: consoleHost.hostArn });

    const request = await ask({ providerEndpoint: 'https://console-ghe.example.com' });
    const waiting = await inStatus(h, request.requestId, 'WAITING_FOR_APPROVAL');
    expect(waiting.hostArn).toBe(consoleHost.hostArn);
    // CodeConnections alone accepts that host, so the connection is made there, with its prefix.
    expect(waiting.connectionArn).toMatch(/^arn:aws:codeconnections:us-east-1:\d{12}:connection\//);

    await sandboxControl(h.system, 'POST', '/connections/complete-handshake', { connectionArn: waiting.connectionArn });
    const approved = await api(h.system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: h.admin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await inStatus(h, request.requestId, 'COMPLETED');
  }, 60_000);

  it('takes a VPC host request to COMPLETED with the EC2 permissions its roles hold', async () => {
    const request = await ask({
      providerEndpoint: 'https://vpc-enforced.example.com',
      vpcConfiguration: { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] },
    });
    const waiting = await eventually(read(h, request.requestId), (current) => current.status === 'WAITING_FOR_HOST_SETUP' || current.status === 'FAILED', 'host set-up');
    expect(waiting.status, JSON.stringify(waiting.failure)).toBe('WAITING_FOR_HOST_SETUP');
    // The VPC endpoint initializes first (VPC_CONFIG_INITIALIZING), then the GHES admin sets the host up.
    await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 600 });
    await sandboxControl(h.system, 'POST', '/hosts/complete-setup', { hostArn: waiting.hostArn });
    const approving = await eventually(
      async () => {
        await sandboxControl(h.system, 'POST', '/clock/advance', { seconds: 600 });
        return read(h, request.requestId)();
      },
      (current) => current.status === 'WAITING_FOR_APPROVAL',
      'the connection on the VPC host',
    );
    await sandboxControl(h.system, 'POST', '/connections/complete-handshake', { connectionArn: approving.connectionArn });
    const approved = await api(h.system, 'POST', `/v1/connection-requests/${request.requestId}/approve`, { token: h.admin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await inStatus(h, request.requestId, 'COMPLETED');
    const { refusals } = await sandboxControl<Enforcement>(h.system, 'GET', '/iam/enforcement');
    expect(refusals.filter((refusal) => refusal.action.startsWith('ec2:'))).toEqual([]);
  }, 60_000);
});

describe('the local twin enforces Lambda timeouts as AWS does', () => {
  it('ends a step that overruns its timeout as Sandbox.Timedout, and the request rolls back cleanly', async () => {
    const request = await ask({ providerEndpoint: 'https://slow.example.com' });
    await inStatus(h, request.requestId, 'WAITING_FOR_HOST_SETUP');
    // createConnection (10 s) first looks for an earlier attempt's connection; that call now takes 11 s.
    await sandboxControl(h.system, 'PUT', '/faults', { service: 'codestar-connections', operation: 'ListConnections', latencyMs: 11_000 });
    const started = Date.now();
    await setUpHost(request);
    const failed = await eventually(read(h, request.requestId), (current) => current.status === 'FAILED', 'the request to fail', 40_000);
    await sandboxControl(h.system, 'DELETE', '/faults');
    expect(failed.failure?.code).toBe('Sandbox.Timedout');
    expect(failed.failure?.message).toMatch(/Task timed out after 10\.00 seconds/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    // Nothing was left behind: no connection was created, and the host this request made is gone.
    const state = await sandboxState();
    expect(state.hosts.map((host) => host.arn)).not.toContain(failed.hostArn);
    expect(state.connections.filter((connection) => connection.name === (failed as { connectionName?: string }).connectionName)).toEqual([]);
  }, 60_000);
});
