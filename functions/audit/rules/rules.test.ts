import { describe, expect, it } from 'vitest';
import { connectionConsoleUrl, pipelineConsoleUrl } from '../../request/console-links.ts';
import type { FindingType, Inventory, UnreadableResource } from '../model.ts';
import { evaluate, findingKey } from './index.ts';
import { connection, connectionArn, context, host, hostArn, hoursBefore, inventory, pipeline, record, useConnectionDocument } from '../test-fixtures.ts';

const findings = (input: Inventory, type: FindingType) => evaluate(input, context).filter((finding) => finding.type === type);

describe('host rules', () => {
  it('reports a host PENDING longer than the threshold, aged from the request that made it, with its owner', () => {
    const pending = host('h1', { status: 'PENDING' });
    const input = inventory({
      hosts: [pending, host('h2', { status: 'PENDING' })],
      requests: [record('r1', { status: 'WAITING_FOR_HOST_SETUP', hostArn: pending.arn, hostCreatedByRequest: true, createdAt: hoursBefore(30) }), record('r2', { status: 'WAITING_FOR_HOST_SETUP', hostArn: hostArn('h2'), createdAt: hoursBefore(3) })],
    });
    const [finding, ...others] = findings(input, 'HOST_PENDING_TOO_LONG');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ resource: pending.arn, severity: 'medium', owner: 'r1-owner@example.com', requestId: 'r1', ageHours: 30, since: hoursBefore(30) });
    expect(finding!.link).toContain('/hosts/');
  });

  it('ages an unmanaged PENDING host from when the auditor first saw it', () => {
    const input = inventory({ hosts: [host('old', { status: 'PENDING', tags: {}, firstSeenAt: hoursBefore(25) }), host('new', { status: 'PENDING', tags: {}, firstSeenAt: hoursBefore(2) })] });
    expect(findings(input, 'HOST_PENDING_TOO_LONG').map((finding) => finding.resource)).toEqual([hostArn('old')]);
  });

  it('reports failed VPC initialization with its message, and ERROR hosts as critical', () => {
    const input = inventory({ hosts: [host('v', { status: 'VPC_CONFIG_FAILED_INITIALIZATION', vpcId: 'vpc-1', statusMessage: 'subnets in one AZ' }), host('e', { status: 'ERROR' })] });
    expect(findings(input, 'HOST_VPC_INIT_FAILED')[0]).toMatchObject({ severity: 'high', message: expect.stringContaining('subnets in one AZ') });
    expect(findings(input, 'HOST_ERROR')[0]).toMatchObject({ severity: 'critical', resource: hostArn('e') });
  });

  it('reports an AVAILABLE host without connections, unless a running request is about to use it', () => {
    const input = inventory({
      hosts: [host('empty'), host('busy'), host('soon'), host('pending', { status: 'PENDING' })],
      connections: [connection('c1', { hostArn: hostArn('busy') })],
      requests: [record('r1', { status: 'CREATING_CONNECTION', hostArn: hostArn('soon') })],
    });
    expect(findings(input, 'HOST_WITHOUT_CONNECTIONS').map((finding) => finding.resource)).toEqual([hostArn('empty')]);
  });
});

describe('host and connection rules for GitLab self-managed', () => {
  it('tell a GitLab administrator (not a GHES one) what to do, and a GitLab project owner for the handshake', () => {
    const input = inventory({
      hosts: [
        host('gitlab', { status: 'PENDING', providerType: 'GitLabSelfManaged', firstSeenAt: hoursBefore(30) }),
        host('gitlab-broken', { status: 'ERROR', providerType: 'GitLabSelfManaged' }),
        host('ghes', { status: 'PENDING', providerType: 'GitHubEnterpriseServer', firstSeenAt: hoursBefore(30) }),
      ],
      connections: [connection('gitlab-c', { status: 'PENDING', providerType: 'GitLabSelfManaged', hostArn: hostArn('gitlab') })],
      requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', connectionArn: connectionArn('gitlab-c'), createdAt: hoursBefore(40) })],
    });
    const pending = findings(input, 'HOST_PENDING_TOO_LONG');
    expect(pending.find((finding) => finding.resource === hostArn('gitlab'))?.fix).toMatch(/^A GitLab administrator must choose "Set up host" on the host's console page and give a GitLab personal access token;/);
    expect(pending.find((finding) => finding.resource === hostArn('ghes'))?.fix).toMatch(/^A GHES administrator must choose "Set up host" .* register the GitHub App;/);
    const broken = findings(input, 'HOST_ERROR')[0]!;
    expect(`${broken.message} ${broken.fix}`).not.toMatch(/GitHub|GHES/u);
    expect(findings(input, 'CONNECTION_PENDING_TOO_LONG')[0]?.fix).toMatch(/^A GitLab project owner must choose "Update pending connection"/);
  });
});

describe('connection rules', () => {
  it('reports a connection PENDING longer than the threshold with the approver the request waits for', () => {
    const pending = connection('c1', { status: 'PENDING' });
    const input = inventory({
      connections: [pending, connection('c2', { status: 'PENDING' })],
      requests: [
        record('r1', {
          status: 'WAITING_FOR_APPROVAL',
          connectionArn: pending.arn,
          createdAt: hoursBefore(40),
          timeline: [{ at: hoursBefore(36), step: 'connection', actor: 'system', message: 'created' }],
          waitingFor: { what: 'handshake', who: 'approvers (Slack C0APPROVALS)', since: hoursBefore(35) },
        }),
        record('r2', { status: 'WAITING_FOR_APPROVAL', connectionArn: connectionArn('c2'), createdAt: hoursBefore(5) }),
      ],
    });
    const [finding, ...others] = findings(input, 'CONNECTION_PENDING_TOO_LONG');
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ resource: pending.arn, owner: 'r1-owner@example.com', approver: 'approvers (Slack C0APPROVALS)', ageHours: 36 });
  });

  it('reports ERROR connections with the pipelines they break, and unused AVAILABLE ones', () => {
    const input = inventory({
      connections: [connection('broken', { status: 'ERROR' }), connection('used'), connection('unused'), connection('waiting', { status: 'PENDING' })],
      pipelines: [pipeline('payments', connectionArn('broken')), pipeline('orders', connectionArn('used', 'codeconnections'))],
    });
    expect(findings(input, 'CONNECTION_ERROR')[0]).toMatchObject({ severity: 'critical', message: expect.stringContaining('payments') });
    // The pipeline names the `used` connection with the other ARN prefix: still the same connection.
    expect(findings(input, 'CONNECTION_UNUSED').map((finding) => finding.resource)).toEqual([connectionArn('unused')]);
  });

  it('does not report an unused connection a running request is about to attach', () => {
    const input = inventory({ connections: [connection('c1')], requests: [record('r1', { status: 'VERIFYING_CONNECTION', connectionArn: connectionArn('c1') })] });
    expect(findings(input, 'CONNECTION_UNUSED')).toEqual([]);
  });
});

describe('unmanaged resources', () => {
  it('reports hosts and connections with neither a request record nor the managed-by tag', () => {
    const input = inventory({
      hosts: [host('tagged'), host('recorded', { tags: {} }), host('stray', { tags: {}, firstSeenAt: hoursBefore(10) })],
      connections: [connection('stray-conn', { tags: { team: 'x' } })],
      requests: [record('r1', { hostArn: hostArn('recorded') })],
    });
    const unmanaged = findings(input, 'UNMANAGED_RESOURCE');
    expect(unmanaged.map((finding) => finding.resource).sort()).toEqual([connectionArn('stray-conn'), hostArn('stray')].sort());
    expect(unmanaged.find((finding) => finding.resource === hostArn('stray'))).toMatchObject({ severity: 'info', ageHours: 10 });
  });
});

describe('drift', () => {
  const attached = (overrides = {}) =>
    record('r1', {
      connectionArn: connectionArn('c1'),
      pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
      attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
      ...overrides,
    });

  it('is quiet while the source action still uses the connection (under either prefix)', () => {
    const input = inventory({ requests: [attached()], pipelines: [pipeline('payments', connectionArn('c1', 'codeconnections'))] });
    expect(findings(input, 'PIPELINE_SOURCE_DRIFT')).toEqual([]);
  });

  it('reports a source action rewired to another connection, a removed action, and a deleted pipeline', () => {
    const rewired = inventory({ requests: [attached()], pipelines: [pipeline('payments', connectionArn('other'))] });
    expect(findings(rewired, 'PIPELINE_SOURCE_DRIFT')[0]).toMatchObject({ resource: 'payments', owner: 'r1-owner@example.com', message: expect.stringContaining(connectionArn('other')) });
    const renamed = inventory({ requests: [attached()], pipelines: [pipeline('payments', undefined, { sourceActions: [{ stageName: 'Source', actionName: 'Checkout', provider: 'S3' }] })] });
    expect(findings(renamed, 'PIPELINE_SOURCE_DRIFT')[0]!.message).toContain('no longer has the source action Source/Source');
    const deleted = inventory({ requests: [attached()] });
    expect(findings(deleted, 'PIPELINE_SOURCE_DRIFT')[0]!.message).toContain('no longer exists');
  });

  it('ignores requests that did not complete', () => {
    const input = inventory({ requests: [attached({ status: 'FAILED' })] });
    expect(findings(input, 'PIPELINE_SOURCE_DRIFT')).toEqual([]);
  });

  it('reports a granted role that lacks UseConnection for a prefix, naming the policy that was removed', () => {
    const grants = [{ roleArn: 'arn:aws:iam::111111111111:role/granted', roleName: 'granted', policyName: 'broker-use-connection', purpose: 'pipeline role' }];
    const input = inventory({
      requests: [attached({ grants })],
      pipelines: [pipeline('payments', connectionArn('c1'))],
      roles: { granted: { roleName: 'granted', exists: true, policies: [{ name: 'legacy', document: useConnectionDocument(['codestar-connections:UseConnection']) }] } },
    });
    const [finding] = findings(input, 'ROLE_LACKS_USE_CONNECTION');
    expect(finding).toMatchObject({ resource: 'granted', severity: 'high', requestId: 'r1' });
    expect(finding!.message).toContain('codeconnections:UseConnection');
    expect(finding!.message).not.toContain('codestar-connections:UseConnection');
    expect(finding!.message).toContain('broker-use-connection');
  });

  it("checks the pipeline's own role when the record names no grants, and reports a deleted role", () => {
    const both = useConnectionDocument(['codestar-connections:UseConnection', 'codeconnections:UseConnection'], 'arn:aws:*:us-east-1:111111111111:connection/c1');
    const fine = inventory({ requests: [attached()], pipelines: [pipeline('payments', connectionArn('c1'))], roles: { 'payments-role': { roleName: 'payments-role', exists: true, policies: [{ name: 'p', document: both }] } } });
    expect(findings(fine, 'ROLE_LACKS_USE_CONNECTION')).toEqual([]);
    const gone = inventory({ requests: [attached()], pipelines: [pipeline('payments', connectionArn('c1'))], roles: { 'payments-role': { roleName: 'payments-role', exists: false, policies: [] } } });
    expect(findings(gone, 'ROLE_LACKS_USE_CONNECTION')[0]!.message).toContain('no longer exists');
  });
});

describe('quota headroom', () => {
  it('warns from the configured share, and is critical at the quota', () => {
    const hosts = Array.from({ length: 50 }, (_, index) => host(`h${index}`));
    const connections = Array.from({ length: 200 }, (_, index) => connection(`c${index}`));
    const found = findings(inventory({ hosts, connections }), 'QUOTA_HEADROOM_LOW');
    expect(found.map(({ resource, severity }) => [resource, severity])).toEqual([
      ['account:hosts', 'critical'],
      ['account:connections', 'medium'],
    ]);
    expect(findings(inventory({ hosts: hosts.slice(0, 39) }), 'QUOTA_HEADROOM_LOW')).toEqual([]);
  });
});

describe('requests whose execution ended', () => {
  const execution = 'arn:aws:states:us-east-1:111111111111:execution:m:r1';

  it('reports a non-terminal request whose execution stopped (after a grace period) or is gone', () => {
    const stopped = inventory({ requests: [record('r1', { status: 'WAITING_FOR_HOST_SETUP', executionArn: execution })], executions: { [execution]: { executionArn: execution, status: 'ABORTED', stopDate: hoursBefore(2) } } });
    expect(findings(stopped, 'REQUEST_EXECUTION_ENDED')[0]).toMatchObject({ resource: 'r1', owner: 'r1-owner@example.com', message: expect.stringContaining('ABORTED') });
    const justNow = inventory({ ...stopped, executions: { [execution]: { executionArn: execution, status: 'FAILED', stopDate: hoursBefore(0.1) } } });
    expect(findings(justNow, 'REQUEST_EXECUTION_ENDED')).toEqual([]);
    const missing = inventory({ ...stopped, executions: { [execution]: { executionArn: execution, status: 'NOT_FOUND' } } });
    expect(findings(missing, 'REQUEST_EXECUTION_ENDED')[0]!.message).toContain('no longer exists');
  });

  it("follows a decommission's own execution, counts from when it was asked, and names a fix that works", () => {
    const old = hoursBefore(24 * 10);
    const decommission = { by: 'alice', detach: false, approval: 'none' as const, usedBy: [] };
    const asked = (at: string, executionArn?: string) =>
      record('r1', { status: 'DECOMMISSIONING', createdAt: old, executionArn: execution, connectionArn: connectionArn('c1'), decommission: { ...decommission, at, ...(executionArn ? { executionArn } : {}) } });
    // The provisioning execution ended long ago, as it should have: only the decommission's counts.
    const justAsked = inventory({ requests: [asked(hoursBefore(0.1))], executions: { [execution]: { executionArn: execution, status: 'SUCCEEDED', stopDate: old } } });
    expect(findings(justAsked, 'REQUEST_EXECUTION_ENDED')).toEqual([]);
    const neverStarted = inventory({ requests: [asked(hoursBefore(2))] });
    expect(findings(neverStarted, 'REQUEST_EXECUTION_ENDED')[0]!.fix).toContain('DELETE /v1/connections/c1');
    const decommissionRun = 'arn:aws:states:us-east-1:111111111111:execution:decommission:x';
    const running = inventory({ requests: [asked(hoursBefore(2), decommissionRun)], executions: { [decommissionRun]: { executionArn: decommissionRun, status: 'RUNNING' } } });
    expect(findings(running, 'REQUEST_EXECUTION_ENDED')).toEqual([]);
  });

  it('is quiet for running executions and terminal records, and reports a request that never started', () => {
    const running = inventory({ requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', executionArn: execution })], executions: { [execution]: { executionArn: execution, status: 'RUNNING' } } });
    expect(findings(running, 'REQUEST_EXECUTION_ENDED')).toEqual([]);
    // Terminal: its execution ended long ago, as it should have.
    const finished = inventory({ requests: [record('r1', { status: 'COMPLETED', executionArn: execution })], executions: { [execution]: { executionArn: execution, status: 'SUCCEEDED', stopDate: hoursBefore(2) } } });
    expect(findings(finished, 'REQUEST_EXECUTION_ENDED')).toEqual([]);
    const neverStarted = inventory({ requests: [record('r1', { status: 'ACCEPTED', createdAt: hoursBefore(1) })] });
    expect(findings(neverStarted, 'REQUEST_EXECUTION_ENDED')[0]!.message).toContain('no workflow was ever started');
  });
});

describe('console-made resources (codeconnections ARNs, no tags)', () => {
  const consoleHostArn = `arn:aws:codeconnections:us-east-1:111111111111:host/console-ghes-0a1b2c3d`;
  const consoleConnectionArn = connectionArn('5f0e7a2c-1111-4222-8333-944455556666', 'codeconnections');

  it('are unmanaged, pending too long from when first seen, and linked under their own prefix', () => {
    const input = inventory({
      hosts: [host('console-ghes', { arn: consoleHostArn, status: 'PENDING', tags: {}, firstSeenAt: hoursBefore(30) })],
      connections: [connection('console-conn', { arn: consoleConnectionArn, status: 'PENDING', hostArn: consoleHostArn, tags: {}, firstSeenAt: hoursBefore(30) })],
    });
    expect(findings(input, 'UNMANAGED_RESOURCE').map((finding) => finding.resource).sort()).toEqual([consoleConnectionArn, consoleHostArn].sort());
    expect(findings(input, 'HOST_PENDING_TOO_LONG')[0]).toMatchObject({ resource: consoleHostArn, ageHours: 30, link: expect.stringContaining('/codeconnections/hosts/') });
    expect(findings(input, 'CONNECTION_PENDING_TOO_LONG')[0]).toMatchObject({ resource: consoleConnectionArn, link: expect.stringContaining('/codeconnections/connections/') });
  });

  it('are the same resources as a request record or pipeline that spells their ARN the old way', () => {
    const legacy = consoleConnectionArn.replace(':codeconnections:', ':codestar-connections:');
    const input = inventory({
      hosts: [host('console-ghes', { arn: consoleHostArn, tags: {} })],
      connections: [connection('console-conn', { arn: consoleConnectionArn, hostArn: consoleHostArn, tags: {} })],
      pipelines: [pipeline('orders', legacy)],
      requests: [record('r1', { hostArn: consoleHostArn.replace(':codeconnections:', ':codestar-connections:'), hostCreatedByRequest: true, connectionArn: legacy })],
    });
    expect(findings(input, 'UNMANAGED_RESOURCE')).toEqual([]);
    expect(findings(input, 'CONNECTION_UNUSED')).toEqual([]);
    expect(findings(input, 'HOST_WITHOUT_CONNECTIONS')).toEqual([]);
  });
});

describe('resources the auditor may not read', () => {
  const denied = (overrides: Partial<UnreadableResource> & Pick<UnreadableResource, 'resource' | 'resourceKind' | 'action'>): UnreadableResource => ({
    error: 'AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/auditor/x is not authorized to perform it',
    lastKnown: false,
    ...overrides,
  });

  it('are reported one finding each, naming the denied action and what to grant to the auditor role', () => {
    const input = inventory({
      unreadable: [
        denied({ resource: hostArn('h1'), resourceKind: 'host', action: 'codestar-connections:ListTagsForResource', policyResource: hostArn('h1') }),
        denied({ resource: 'payments', resourceKind: 'pipeline', action: 'codepipeline:GetPipeline', policyResource: 'arn:aws:codepipeline:us-east-1:111111111111:payments' }),
        denied({ resource: 'payments-role', resourceKind: 'role', action: 'iam:ListRolePolicies', error: 'AccessDenied: not allowed' }),
        denied({ resource: 'r1', resourceKind: 'request', requestId: 'r1', action: 'states:DescribeExecution' }),
      ],
      hosts: [host('h1', { tags: {}, tagsUnknown: true })],
      requests: [record('r1', { status: 'WAITING_FOR_HOST_SETUP', hostArn: hostArn('h1'), hostCreatedByRequest: true })],
    });
    const unreadable = findings(input, 'RESOURCE_UNREADABLE');
    expect(unreadable.map((finding) => [finding.resourceKind, finding.resource])).toEqual([
      ['host', hostArn('h1')],
      ['pipeline', 'payments'],
      ['role', 'payments-role'],
      ['request', 'r1'],
    ]);
    expect(unreadable.every((finding) => finding.severity === 'medium')).toBe(true);
    const [tags, getPipeline, role, execution] = unreadable;
    expect(tags).toMatchObject({ owner: 'r1-owner@example.com', requestId: 'r1', link: expect.stringContaining('/hosts/') });
    expect(tags!.message).toContain('codestar-connections:ListTagsForResource');
    expect(tags!.fix).toContain(`Grant codestar-connections:ListTagsForResource on ${hostArn('h1')} to the auditor's IAM role`);
    expect(getPipeline!.fix).toContain('codepipeline:GetPipeline on arn:aws:codepipeline:us-east-1:111111111111:payments');
    expect(getPipeline!.message).toContain('drift, connection use and role permissions were not checked');
    expect(role!.message).toContain('AccessDenied: not allowed');
    expect(execution).toMatchObject({ requestId: 'r1', message: expect.stringContaining('states:DescribeExecution') });
  });

  it('are not called unmanaged while their tags are unknown, but are when a record or the last read says so', () => {
    const input = inventory({
      hosts: [host('unknown', { tags: {}, tagsUnknown: true }), host('last-read', { tags: {} })],
      unreadable: [denied({ resource: hostArn('unknown'), resourceKind: 'host', action: 'codestar-connections:ListTagsForResource' })],
    });
    expect(findings(input, 'UNMANAGED_RESOURCE').map((finding) => finding.resource)).toEqual([hostArn('last-read')]);
  });

  it('conclude no drift or missing permission from a pipeline or role never read, and hedge "unused"', () => {
    const completed = record('r1', {
      connectionArn: connectionArn('c1'),
      pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
      attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
      grants: [{ roleArn: 'arn:aws:iam::111111111111:role/granted', roleName: 'granted', policyName: 'p', purpose: 'pipeline role' }],
    });
    const input = inventory({
      requests: [completed],
      connections: [connection('c1')],
      pipelines: [pipeline('payments', undefined, { sourceActions: [], unread: true })],
      roles: { granted: { roleName: 'granted', exists: true, policies: [], unread: true } },
    });
    expect(findings(input, 'PIPELINE_SOURCE_DRIFT')).toEqual([]);
    expect(findings(input, 'ROLE_LACKS_USE_CONNECTION')).toEqual([]);
    const [unused] = findings(input, 'CONNECTION_UNUSED');
    expect(unused!.message).toBe('No readable pipeline uses connection c1. The auditor may not read pipeline payments, which could use it.');
    expect(unused!.fix).toContain('Check the pipelines the auditor could not read');
    // The broker made it: the fix is its decommission route, which checks what uses it first.
    expect(unused!.fix).toContain('decommission it (DELETE /v1/connections/c1,');
  });

  it('tells to delete by hand a connection the broker did not make', () => {
    const input = inventory({ connections: [connection('stray')] });
    const [unused] = findings(input, 'CONNECTION_UNUSED');
    expect(unused!.fix).toContain('or delete it;');
    expect(unused!.fix).not.toContain('/v1/connections');
  });
});

describe('what each rule looks at', () => {
  const kinds = (input: Inventory) => evaluate(input, context).map((finding) => [finding.type, finding.resourceKind, finding.severity]);

  it('never reports an AVAILABLE (or ERROR) host or connection as PENDING too long, however old', () => {
    const old = hoursBefore(24 * 30);
    const input = inventory({
      hosts: [host('h1', { firstSeenAt: old }), host('h2', { status: 'ERROR', firstSeenAt: old })],
      connections: [connection('c1', { hostArn: hostArn('h1'), firstSeenAt: old }), connection('c2', { status: 'ERROR', hostArn: hostArn('h1'), firstSeenAt: old })],
      pipelines: [pipeline('payments', connectionArn('c1'))],
      requests: [record('r1', { hostArn: hostArn('h1'), connectionArn: connectionArn('c1'), createdAt: old })],
    });
    expect(findings(input, 'HOST_PENDING_TOO_LONG')).toEqual([]);
    expect(findings(input, 'CONNECTION_PENDING_TOO_LONG')).toEqual([]);
  });

  it('waits until a PENDING host or connection is older than the threshold, not when it reaches it', () => {
    const at = (hours: number) =>
      inventory({ hosts: [host('h1', { status: 'PENDING', firstSeenAt: hoursBefore(hours) })], connections: [connection('c1', { status: 'PENDING', hostArn: hostArn('h1'), firstSeenAt: hoursBefore(hours) })] });
    expect(findings(at(24), 'HOST_PENDING_TOO_LONG')).toEqual([]);
    expect(findings(at(24), 'CONNECTION_PENDING_TOO_LONG')).toEqual([]);
    expect(findings(at(24.1), 'HOST_PENDING_TOO_LONG')).toHaveLength(1);
    expect(findings(at(24.1), 'CONNECTION_PENDING_TOO_LONG')).toHaveLength(1);
  });

  it('names the kind and severity of every finding, as the API and the report filter on them', () => {
    const input = inventory({
      hosts: [host('p', { status: 'PENDING', firstSeenAt: hoursBefore(30) }), host('v', { status: 'VPC_CONFIG_FAILED_INITIALIZATION' }), host('e', { status: 'ERROR' }), host('empty')],
      connections: [connection('cp', { status: 'PENDING', hostArn: hostArn('e'), firstSeenAt: hoursBefore(30) }), connection('ce', { status: 'ERROR', hostArn: hostArn('e') }), connection('cu', { hostArn: hostArn('e') })],
    });
    expect(kinds(input)).toEqual([
      ['CONNECTION_ERROR', 'connection', 'critical'],
      ['HOST_ERROR', 'host', 'critical'],
      ['HOST_VPC_INIT_FAILED', 'host', 'high'],
      ['CONNECTION_PENDING_TOO_LONG', 'connection', 'medium'],
      ['HOST_PENDING_TOO_LONG', 'host', 'medium'],
      ['CONNECTION_UNUSED', 'connection', 'low'],
      ['HOST_WITHOUT_CONNECTIONS', 'host', 'low'],
    ]);
  });

  it('counts a host as used when any one connection is on it', () => {
    const input = inventory({ hosts: [host('h1'), host('h2')], connections: [connection('c1', { hostArn: hostArn('h2') }), connection('c2', { hostArn: hostArn('h1') })] });
    expect(findings(input, 'HOST_WITHOUT_CONNECTIONS')).toEqual([]);
  });

  it('ages a PENDING connection from its "connection" timeline step, else when it began waiting, else its request', () => {
    const pending = connection('c1', { status: 'PENDING', firstSeenAt: hoursBefore(1) });
    const ageOf = (overrides: Partial<ReturnType<typeof record>>) =>
      findings(inventory({ connections: [pending], requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', connectionArn: pending.arn, ...overrides })] }), 'CONNECTION_PENDING_TOO_LONG')[0]?.ageHours;
    const steps = [
      { at: hoursBefore(60), step: 'host-setup', actor: 'system', message: 'asked' },
      { at: hoursBefore(30), step: 'connection', actor: 'system', message: 'created' },
    ];
    expect(ageOf({ createdAt: hoursBefore(70), timeline: steps })).toBe(30);
    expect(ageOf({ createdAt: hoursBefore(70), waitingFor: { what: 'handshake', who: 'approvers', since: hoursBefore(26) } })).toBe(26);
    expect(ageOf({ createdAt: hoursBefore(28) })).toBe(28);
    // A record with an unreadable time does not make the connection look older or newer.
    expect(ageOf({ createdAt: hoursBefore(28), waitingFor: { what: 'handshake', who: 'approvers', since: 'not a time' } })).toBe(28);
  });

  it('names the approver of whichever request waits on the connection', () => {
    const pending = connection('c1', { status: 'PENDING', firstSeenAt: hoursBefore(40) });
    const input = inventory({
      connections: [pending],
      requests: [
        record('r1', { status: 'FAILED', connectionArn: pending.arn, createdAt: hoursBefore(40) }),
        record('r2', { status: 'WAITING_FOR_APPROVAL', connectionArn: pending.arn, createdAt: hoursBefore(30), waitingFor: { what: 'handshake', who: 'approvers', since: hoursBefore(30) } }),
      ],
    });
    expect(findings(input, 'CONNECTION_PENDING_TOO_LONG')[0]).toMatchObject({ approver: 'approvers', owner: 'r1-owner@example.com', requestId: 'r1' });
    const nobody = inventory({ connections: [pending], requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', connectionArn: pending.arn, createdAt: hoursBefore(40) })] });
    expect(findings(nobody, 'CONNECTION_PENDING_TOO_LONG')[0]).not.toHaveProperty('approver');
  });

  it('owns a resource to the request that created the host, else the earliest request, else its tags', () => {
    const reused = record('r-early', { hostArn: hostArn('h1'), createdAt: hoursBefore(50) });
    const creator = record('r-creator', { hostArn: hostArn('h1').replace(':codestar-connections:', ':codeconnections:'), hostCreatedByRequest: true, createdAt: hoursBefore(40) });
    const elsewhere = record('r-other-host', { hostArn: hostArn('h9'), hostCreatedByRequest: true, connectionArn: connectionArn('c1'), createdAt: hoursBefore(45) });
    const input = inventory({
      hosts: [host('h1', { status: 'ERROR' }), host('tagged', { status: 'ERROR', tags: { 'connection-broker:requester': 'tina@example.com', 'connection-broker:request-id': 'r-tag' } })],
      connections: [connection('c1', { status: 'ERROR' })],
      requests: [reused, creator, elsewhere, record('r-first', { connectionArn: connectionArn('c1'), createdAt: hoursBefore(60) })],
    });
    expect(findings(input, 'HOST_ERROR').map(({ resource, owner, requestId }) => [resource, owner, requestId])).toEqual([
      [hostArn('h1'), 'r-creator-owner@example.com', 'r-creator'],
      [hostArn('tagged'), 'tina@example.com', 'r-tag'],
    ]);
    // The request that created another host did not create this connection: the earliest request owns it.
    expect(findings(input, 'CONNECTION_ERROR')[0]).toMatchObject({ owner: 'r-first-owner@example.com', requestId: 'r-first' });
    // The broker's own host: the fix is its repair route.
    expect(findings(input, 'HOST_ERROR')[0]!.fix).toContain('POST /v1/hosts/h1/repair');
    // The broker's own connection: the fix is its replace route.
    expect(findings(input, 'CONNECTION_ERROR')[0]!.fix).toContain('POST /v1/connections/c1/replace');
  });

  it('gives quota findings from the configured share: none without a quota, high from 95 %, critical at the quota', () => {
    const hosts = (count: number) => Array.from({ length: count }, (_, index) => host(`h${index}`, { status: 'PENDING' }));
    const quota = (count: number, hostQuota: number) =>
      quotaFindings(evaluate(inventory({ hosts: hosts(count) }), { ...context, thresholds: { ...context.thresholds, hostQuota } }));
    const quotaFindings = (all: ReturnType<typeof evaluate>) => all.filter((finding) => finding.type === 'QUOTA_HEADROOM_LOW').map(({ severity, resourceKind }) => [severity, resourceKind]);
    expect(quota(3, 0)).toEqual([]);
    expect(quota(16, 20)).toEqual([['medium', 'account']]);
    expect(quota(19, 20)).toEqual([['high', 'account']]);
    expect(quota(20, 20)).toEqual([['critical', 'account']]);
    expect(quota(15, 20)).toEqual([]);
  });
});

describe('requests whose execution ended: which requests', () => {
  const EXECUTION = 'arn:aws:states:us-east-1:111111111111:execution:m:r1';
  const ended = (status: 'SUCCEEDED' | 'FAILED' | 'ABORTED', stopHoursAgo: number) => ({ [EXECUTION]: { executionArn: EXECUTION, status, stopDate: hoursBefore(stopHoursAgo) } });

  it.each(['COMPLETED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED'] as const)('does not flag a %s request whose execution has ended', (status) => {
    const input = inventory({ requests: [record('r1', { status, executionArn: EXECUTION })], executions: ended(status === 'COMPLETED' ? 'SUCCEEDED' : 'FAILED', 5) });
    expect(evaluate(input, context)).toEqual([]);
    expect(evaluate(inventory({ requests: [record('r1', { status, createdAt: hoursBefore(5) })] }), context)).toEqual([]);
  });

  it('gives a stopped execution and a request never started 15 minutes before flagging them', () => {
    const stopped = (hours: number) => inventory({ requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', executionArn: EXECUTION })], executions: ended('ABORTED', hours) });
    expect(evaluate(stopped(0.2), context)).toEqual([]);
    const running = inventory({ requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', executionArn: EXECUTION })], executions: { [EXECUTION]: { executionArn: EXECUTION, status: 'RUNNING' } } });
    expect(evaluate(running, context)).toEqual([]);
    expect(evaluate(inventory({ requests: [record('r1', { status: 'WAITING_FOR_APPROVAL', executionArn: EXECUTION })] }), context)).toEqual([]);
    expect(findings(stopped(0.3), 'REQUEST_EXECUTION_ENDED')).toHaveLength(1);
    const neverStarted = (hours: number) => inventory({ requests: [record('r1', { status: 'ACCEPTED', createdAt: hoursBefore(hours) })] });
    expect(evaluate(neverStarted(0.2), context)).toEqual([]);
    expect(findings(neverStarted(0.3), 'REQUEST_EXECUTION_ENDED')[0]).toMatchObject({ resource: 'r1', resourceKind: 'request', severity: 'high', owner: 'r1-owner@example.com', requestId: 'r1' });
  });
});

describe('drift: which source action is ours', () => {
  const completed = (attachment?: { stageName: string; actionName: string }, sourceActionName?: string) =>
    record('r1', {
      connectionArn: connectionArn('c1'),
      pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true, ...(sourceActionName ? { sourceActionName } : {}) },
      ...(attachment ? { attachment: { ...attachment, previousAction: {}, pipelineVersion: 2 } } : {}),
    });
  const sources = (...actions: { stageName: string; actionName: string; connection?: string }[]) =>
    pipeline('payments', undefined, {
      sourceActions: actions.map(({ stageName, actionName, connection: used }) => ({ stageName, actionName, provider: used ? 'CodeStarSourceConnection' : 'S3', ...(used ? { connectionArn: connectionArn(used) } : {}) })),
    });
  const drift = (request: ReturnType<typeof record>, ...actions: Parameters<typeof sources>) => findings(inventory({ requests: [request], pipelines: [sources(...actions)] }), 'PIPELINE_SOURCE_DRIFT');

  it('finds the action in the stage we attached it in, not one of the same name elsewhere', () => {
    const ours = completed({ stageName: 'Source', actionName: 'App' });
    expect(drift(ours, { stageName: 'Other', actionName: 'App', connection: 'other' }, { stageName: 'Source', actionName: 'App', connection: 'c1' })).toEqual([]);
    expect(drift(ours, { stageName: 'Other', actionName: 'App', connection: 'c1' }, { stageName: 'Source', actionName: 'App', connection: 'other' })).toHaveLength(1);
  });

  it('reads older records: the action the request named, or any action on the connection', () => {
    expect(drift(completed(undefined, 'App'), { stageName: 'Source', actionName: 'App', connection: 'c1' })).toEqual([]);
    expect(drift(completed(undefined, 'App'), { stageName: 'Source', actionName: 'Other', connection: 'c1' })).toHaveLength(1);
    expect(drift(completed(), { stageName: 'Source', actionName: 'Anything', connection: 'c1' })).toEqual([]);
    expect(drift(completed(), { stageName: 'Source', actionName: 'Anything', connection: 'other' })[0]).toMatchObject({ severity: 'high', resourceKind: 'pipeline', resource: 'payments', requestId: 'r1' });
  });

  it('links the drifted pipeline in the connection’s account and Region, and a deleted one not at all', () => {
    const [rewired] = drift(completed({ stageName: 'Source', actionName: 'App' }), { stageName: 'Source', actionName: 'App', connection: 'other' });
    expect(rewired!.link).toBe(pipelineConsoleUrl('arn:aws:codepipeline:us-east-1:111111111111:payments'));
    const [deleted] = findings(inventory({ requests: [completed({ stageName: 'Source', actionName: 'App' })] }), 'PIPELINE_SOURCE_DRIFT');
    expect(deleted!.link).toBeUndefined();
  });

  it('checks the roles granted by ARN or name, and the pipeline role under a path', () => {
    const both = useConnectionDocument(['codestar-connections:UseConnection', 'codeconnections:UseConnection']);
    const grants = [{ roleArn: 'arn:aws:iam::111111111111:role/team/granted', roleName: '', policyName: 'broker-use-connection', purpose: 'pipeline role' }];
    const request = { ...completed({ stageName: 'Source', actionName: 'App' }), grants };
    const lacking = (roles: Inventory['roles'], withGrants = true) =>
      findings(
        inventory({ requests: [withGrants ? request : completed({ stageName: 'Source', actionName: 'App' })], pipelines: [pipeline('payments', connectionArn('c1'), { roleArn: 'arn:aws:iam::111111111111:role/service-role/x/payments-role' })], roles }),
        'ROLE_LACKS_USE_CONNECTION',
      ).map((finding) => finding.resource);
    expect(lacking({ granted: { roleName: 'granted', exists: true, policies: [] } })).toEqual(['granted']);
    expect(lacking({ granted: { roleName: 'granted', exists: true, policies: [{ name: 'broker-use-connection', document: both }] } })).toEqual([]);
    expect(lacking({ 'payments-role': { roleName: 'payments-role', exists: true, policies: [] } }, false)).toEqual(['payments-role']);
  });
});

describe('unreadable resources: owner and link by kind', () => {
  it('owns and links an unreadable connection, and neither for a pipeline or role', () => {
    const input = inventory({
      unreadable: [
        { resource: connectionArn('c1'), resourceKind: 'connection', action: 'codestar-connections:ListTagsForResource', error: 'AccessDenied', lastKnown: false },
        { resource: 'payments', resourceKind: 'pipeline', action: 'codepipeline:GetPipeline', error: 'AccessDenied', lastKnown: true },
        { resource: 'payments-role', resourceKind: 'role', action: 'iam:GetRolePolicy', error: 'AccessDenied', lastKnown: false },
      ],
      requests: [record('r1', { connectionArn: connectionArn('c1') })],
    });
    const [conn, pipe, role] = findings(input, 'RESOURCE_UNREADABLE');
    expect(conn).toMatchObject({ resource: connectionArn('c1'), owner: 'r1-owner@example.com', requestId: 'r1', link: connectionConsoleUrl(connectionArn('c1')) });
    for (const other of [pipe, role]) {
      expect(other).not.toHaveProperty('owner');
      expect(other).not.toHaveProperty('link');
    }
  });
});

describe('evaluate', () => {
  it('orders findings most severe first, then by type, resource and request, whatever order the rules run in', () => {
    const gone = (id: string, hoursAgo: number) =>
      record(id, {
        createdAt: hoursBefore(hoursAgo),
        connectionArn: connectionArn('x'),
        pipeline: { name: 'gone', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
        attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
      });
    const input = inventory({
      // The rules run hosts first; each finding below comes from a different place in that order.
      hosts: [
        host('p', { status: 'PENDING', firstSeenAt: hoursBefore(30) }),
        host('v', { status: 'VPC_CONFIG_FAILED_INITIALIZATION' }),
        host('e2', { status: 'ERROR' }),
        host('e1', { status: 'ERROR' }),
        host('a', { tags: {} }),
      ],
      connections: [connection('x', { status: 'ERROR' })],
      // All name connection x; the oldest request owns it.
      requests: [gone('r2', 48), gone('r3', 49), gone('r1', 50)],
    });
    const result = evaluate(input, context);
    expect(result.map((finding) => [finding.severity, finding.type, finding.resource, finding.requestId])).toEqual([
      ['critical', 'CONNECTION_ERROR', connectionArn('x'), 'r1'],
      ['critical', 'HOST_ERROR', hostArn('e1'), undefined],
      ['critical', 'HOST_ERROR', hostArn('e2'), undefined],
      ['high', 'HOST_VPC_INIT_FAILED', hostArn('v'), undefined],
      ['high', 'PIPELINE_SOURCE_DRIFT', 'gone', 'r1'],
      ['high', 'PIPELINE_SOURCE_DRIFT', 'gone', 'r2'],
      ['high', 'PIPELINE_SOURCE_DRIFT', 'gone', 'r3'],
      ['medium', 'HOST_PENDING_TOO_LONG', hostArn('p'), undefined],
      ['low', 'HOST_WITHOUT_CONNECTIONS', hostArn('a'), undefined],
      ['info', 'UNMANAGED_RESOURCE', hostArn('a'), undefined],
    ]);
  });

  it('keys findings by type, resource and request, so one problem keeps its key across audits', () => {
    const input = inventory({ hosts: [host('b', { status: 'ERROR' })] });
    expect(findingKey(evaluate(input, context)[0]!)).toBe(`HOST_ERROR|${hostArn('b')}|`);
    expect(findingKey({ type: 'PIPELINE_SOURCE_DRIFT', severity: 'high', resource: 'payments', resourceKind: 'pipeline', requestId: 'r1', message: '', fix: '' })).toBe('PIPELINE_SOURCE_DRIFT|payments|r1');
  });

  it('finds nothing at all in a healthy account', () => {
    const healthy = inventory({
      hosts: [host('h1')],
      connections: [connection('c1')],
      pipelines: [pipeline('payments', connectionArn('c1'))],
      roles: { 'payments-role': { roleName: 'payments-role', exists: true, policies: [{ name: 'p', document: useConnectionDocument(['codestar-connections:UseConnection', 'codeconnections:UseConnection']) }] } },
      requests: [
        record('r1', {
          hostArn: hostArn('h1'),
          hostCreatedByRequest: true,
          connectionArn: connectionArn('c1'),
          executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:r1',
          pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
          attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
        }),
        // Requests that ended without a connection, or never attached a pipeline, leave nothing to check.
        record('r2', { status: 'FAILED', executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:r2' }),
        record('r3', { connectionArn: connectionArn('c1') }),
      ],
      executions: {
        'arn:aws:states:us-east-1:111111111111:execution:m:r1': { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:r1', status: 'SUCCEEDED', stopDate: hoursBefore(40) },
        'arn:aws:states:us-east-1:111111111111:execution:m:r2': { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:m:r2', status: 'FAILED', stopDate: hoursBefore(40) },
      },
    });
    expect(evaluate(healthy, context)).toEqual([]);
  });

  it('concludes nothing from a pipeline or role it could not read, nor from a PENDING connection still within its time', () => {
    const input = inventory({
      connections: [connection('young', { status: 'PENDING', firstSeenAt: hoursBefore(2) })],
      pipelines: [pipeline('payments', undefined, { sourceActions: [], unread: true })],
      roles: { granted: { roleName: 'granted', exists: true, policies: [], unread: true } },
      requests: [
        record('r1', {
          createdAt: hoursBefore(2),
          connectionArn: connectionArn('young'),
          pipeline: { name: 'payments', fullRepositoryId: 'o/r', branchName: 'main', outputArtifactFormat: 'CODE_ZIP', detectChanges: true },
          attachment: { stageName: 'Source', actionName: 'Source', previousAction: {}, pipelineVersion: 2 },
          grants: [{ roleArn: 'arn:aws:iam::111111111111:role/granted', roleName: 'granted', policyName: 'p', purpose: 'pipeline role' }],
        }),
      ],
    });
    expect(evaluate(input, context)).toEqual([]);
  });
});
