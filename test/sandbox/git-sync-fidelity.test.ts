import {
  CodeStarConnectionsClient,
  CreateConnectionCommand,
  CreateRepositoryLinkCommand,
  CreateSyncConfigurationCommand,
  GetRepositorySyncStatusCommand,
  GetResourceSyncStatusCommand,
  GetSyncBlockerSummaryCommand,
  GetSyncConfigurationCommand,
  UpdateSyncBlockerCommand,
  UpdateSyncConfigurationCommand,
  type SyncConfigurationType,
} from '@aws-sdk/client-codestar-connections';
import { CreateRoleCommand, GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { requirementsFor, type ResourceFacts } from '../../infra/local/sandbox/authorization/catalogue.ts';
import type { Sandbox } from '../../infra/local/sandbox/server.ts';
import { awsCliRequirement, runAwsCli } from '../helpers/aws-cli.ts';
import { clientConfig, control, startTestSandbox } from '../helpers/sandbox.ts';

/**
 * Git sync as AWS runs it, through the real SDK clients (and the AWS CLI): blockers stop syncing
 * until UpdateSyncBlocker resolves the last one, which retries the latest commit; PullRequestComment
 * exists only on the codeconnections endpoint; CreateSyncConfiguration checks what the model and the
 * service check, and the role is judged when Git sync assumes it; IAM authorises every Git sync
 * call (with iam:PassRole for the sync role); UpdateAssumeRolePolicy lets the product add Git
 * sync's service principal to a role's trust.
 */

const ACCOUNT = '111111111111';
const SYNC = 'CFN_STACK_SYNC';
const RESOURCE = 'networkStack';
const GIT_SYNC_PRINCIPAL = 'cloudformation.sync.codeconnections.amazonaws.com';
const ROLE_NAME = 'git-sync-role';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;

const trustFor = (...services: string[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' }] });

let sandbox: Sandbox;
let admin: CodeStarConnectionsClient;
let iam: IAMClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  admin = new CodeStarConnectionsClient(clientConfig(sandbox));
  iam = new IAMClient(clientConfig(sandbox));
});
afterAll(async () => {
  admin?.destroy();
  iam?.destroy();
  await sandbox?.close();
});
beforeEach(async () => {
  await control(sandbox, 'POST', '/reset');
});

/** A raw awsJson call to either endpoint, signed with any access key (the SDK has no codeconnections client here). */
async function rawCall(
  endpoint: 'codeconnections' | 'codestar-connections',
  operation: string,
  body: Record<string, unknown>,
  accessKeyId = 'test',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const target = endpoint === 'codeconnections' ? `CodeConnections_20231201.${operation}` : `CodeStar_connections_20191201.${operation}`;
  const response = await fetch(sandbox.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/us-east-1/${endpoint}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A control call whose refusal the test reads (the helper `control` throws on any non-2xx). */
async function controlAnswer(path: string, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

async function connectionAndLink(client = admin): Promise<{ connectionArn: string; repositoryLinkId: string; repositoryLinkArn: string }> {
  const { ConnectionArn } = await admin.send(new CreateConnectionCommand({ ConnectionName: 'sync', ProviderType: 'GitHub' }));
  const { RepositoryLinkInfo } = await client.send(new CreateRepositoryLinkCommand({ ConnectionArn, OwnerId: 'platform', RepositoryName: 'infra' }));
  return { connectionArn: ConnectionArn!, repositoryLinkId: RepositoryLinkInfo!.RepositoryLinkId!, repositoryLinkArn: RepositoryLinkInfo!.RepositoryLinkArn! };
}

function createSync(repositoryLinkId: string, overrides: Partial<{ RoleArn: string; Branch: string; ResourceName: string; SyncType: string }> = {}, client = admin) {
  return client.send(
    new CreateSyncConfigurationCommand({
      Branch: 'main',
      ConfigFile: 'stacks/network/deployment.yaml',
      RepositoryLinkId: repositoryLinkId,
      ResourceName: RESOURCE,
      RoleArn: ROLE_ARN,
      ...overrides,
      SyncType: (overrides.SyncType ?? SYNC) as SyncConfigurationType,
    }),
  );
}

const resourceStatus = () => admin.send(new GetResourceSyncStatusCommand({ ResourceName: RESOURCE, SyncType: SYNC }));

describe('sync blockers stop Git sync until the last one is resolved', () => {
  it('starts no sync while a blocker is ACTIVE, and retries the latest commit once none is left', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    await createSync(repositoryLinkId);
    await control(sandbox, 'POST', '/sync/attempts', { resourceName: RESOURCE, status: 'SUCCEEDED', sha: 'aaa111' });
    const drift = await control<{ Id: string }>(sandbox, 'POST', '/sync/blockers', { resourceName: RESOURCE, reason: 'Stack drifted' });
    const rollback = await control<{ Id: string }>(sandbox, 'POST', '/sync/blockers', { resourceName: RESOURCE, reason: 'UPDATE_ROLLBACK_FAILED' });
    const before = await resourceStatus();
    expect(before.LatestSync).toMatchObject({ Status: 'SUCCEEDED', TargetRevision: { Sha: 'aaa111' } });

    // A push while blocked is not synced, and the latest attempt stays as it was.
    const push = await controlAnswer('/sync/attempts', { resourceName: RESOURCE, status: 'INITIATED', sha: 'bbb222' });
    expect(push.status).toBe(409);
    expect(push.json).toMatchObject({ error: { code: 'SyncBlocked' } });
    expect((await controlAnswer('/sync/process', { resourceName: RESOURCE })).status).toBe(409);
    expect((await resourceStatus()).LatestSync).toEqual(before.LatestSync);

    const summary = await admin.send(new GetSyncBlockerSummaryCommand({ SyncType: SYNC, ResourceName: RESOURCE }));
    expect(summary.SyncBlockerSummary?.ResourceName).toBe(RESOURCE);
    expect(summary.SyncBlockerSummary?.LatestBlockers?.map(({ Id, Status, Type }) => [Id, Status, Type])).toEqual([
      [rollback.Id, 'ACTIVE', 'AUTOMATED'],
      [drift.Id, 'ACTIVE', 'AUTOMATED'],
    ]);
    expect(summary.SyncBlockerSummary?.LatestBlockers?.[0]?.CreatedAt).toBeInstanceOf(Date);

    // One of two resolved: still blocked.
    const first = await admin.send(new UpdateSyncBlockerCommand({ Id: drift.Id, SyncType: SYNC, ResourceName: RESOURCE, ResolvedReason: 'drift reverted' }));
    expect(first).toMatchObject({ ResourceName: RESOURCE, SyncBlocker: { Id: drift.Id, Status: 'RESOLVED', ResolvedReason: 'drift reverted', CreatedReason: 'Stack drifted' } });
    expect(first.SyncBlocker?.ResolvedAt).toBeInstanceOf(Date);
    expect((await resourceStatus()).LatestSync).toEqual(before.LatestSync);
    expect((await controlAnswer('/sync/attempts', { resourceName: RESOURCE, status: 'INITIATED', sha: 'bbb222' })).status).toBe(409);

    // The last one resolved: Git sync retries the latest commit.
    await control(sandbox, 'POST', '/clock/advance', { seconds: 60 });
    await admin.send(new UpdateSyncBlockerCommand({ Id: rollback.Id, SyncType: SYNC, ResourceName: RESOURCE, ResolvedReason: 'stack continued' }));
    const after = await resourceStatus();
    expect(after.LatestSync).toMatchObject({ Status: 'INITIATED', Target: RESOURCE, InitialRevision: { Sha: 'aaa111' }, TargetRevision: { Sha: 'aaa111' } });
    expect(after.LatestSync!.StartedAt!.getTime()).toBeGreaterThan(before.LatestSync!.StartedAt!.getTime());
    expect(after.LatestSuccessfulSync?.TargetRevision?.Sha).toBe('aaa111');
    const repository = await admin.send(new GetRepositorySyncStatusCommand({ Branch: 'main', RepositoryLinkId: repositoryLinkId, SyncType: SYNC }));
    expect(repository.LatestSync?.Status).toBe('INITIATED');

    const resolved = await admin.send(new GetSyncBlockerSummaryCommand({ SyncType: SYNC, ResourceName: RESOURCE }));
    expect(resolved.SyncBlockerSummary?.LatestBlockers?.map(({ Id, Status, ResolvedReason }) => [Id, Status, ResolvedReason])).toEqual([
      [rollback.Id, 'RESOLVED', 'stack continued'],
      [drift.Id, 'RESOLVED', 'drift reverted'],
    ]);
    expect(resolved.SyncBlockerSummary?.LatestBlockers?.every((blocker) => blocker.ResolvedAt instanceof Date)).toBe(true);

    // Syncing goes on: the retried attempt moves along, then the next push syncs.
    const moved = await control<{ newAttempt: boolean }>(sandbox, 'POST', '/sync/attempts', { resourceName: RESOURCE, status: 'IN_PROGRESS' });
    expect(moved.newAttempt).toBe(false);
    const inProgress = await resourceStatus();
    expect(inProgress.LatestSync?.StartedAt).toEqual(after.LatestSync?.StartedAt);
    expect(inProgress.LatestSync?.Events?.map((event) => event.Type)).toEqual(['INITIATED', 'IN_PROGRESS']);
    await control(sandbox, 'POST', '/sync/attempts', { resourceName: RESOURCE, status: 'SUCCEEDED', sha: 'bbb222' });
    expect((await resourceStatus()).LatestSuccessfulSync?.TargetRevision?.Sha).toBe('bbb222');
  });

  it('leaves an attempt that was still INITIATED as it is while blocked', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    await createSync(repositoryLinkId);
    await control(sandbox, 'POST', '/sync/blockers', { resourceName: RESOURCE, reason: 'stack in a state Git sync cannot update' });
    expect((await controlAnswer('/sync/attempts', { resourceName: RESOURCE, status: 'IN_PROGRESS' })).status).toBe(409);
    const status = await resourceStatus();
    expect(status.LatestSync?.Status).toBe('INITIATED');
    expect(status.LatestSuccessfulSync).toBeUndefined();
  });

  it('answers UpdateSyncBlocker with the model\'s errors', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    await createSync(repositoryLinkId);
    const blocker = await control<{ Id: string }>(sandbox, 'POST', '/sync/blockers', { resourceName: RESOURCE, reason: 'drift' });
    const update = (Id: string, ResourceName = RESOURCE, ResolvedReason = 'fixed') =>
      admin.send(new UpdateSyncBlockerCommand({ Id, SyncType: SYNC, ResourceName, ResolvedReason }));

    const empty = await rejection(update(blocker.Id, RESOURCE, ''));
    expect(empty.name).toBe('ValidationException');
    expect(empty.message).toBe("1 validation error detected: Value '' at 'resolvedReason' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const missing = await rejection(update('nope'));
    expect(missing).toMatchObject({ name: 'SyncBlockerDoesNotExistException', $metadata: { httpStatusCode: 404 } });
    const noSync = await rejection(update(blocker.Id, 'otherStack'));
    expect(noSync).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });

    await update(blocker.Id);
    const again = await rejection(update(blocker.Id));
    expect(again).toMatchObject({ name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });
    // Refused calls change nothing: one retry, from the one resolution.
    expect((await resourceStatus()).LatestSync?.Status).toBe('INITIATED');
  });
});

describe('PullRequestComment, a codeconnections-only member', () => {
  it('is stored and returned through codeconnections, and left out through codestar-connections', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    const created = await rawCall('codeconnections', 'CreateSyncConfiguration', {
      Branch: 'main',
      ConfigFile: 'deployment.yaml',
      RepositoryLinkId: repositoryLinkId,
      ResourceName: RESOURCE,
      RoleArn: ROLE_ARN,
      SyncType: SYNC,
      PullRequestComment: 'ENABLED',
    });
    expect(created.status).toBe(200);
    expect(created.json.SyncConfiguration).toMatchObject({ ResourceName: RESOURCE, PullRequestComment: 'ENABLED' });
    const viaCodeConnections = await rawCall('codeconnections', 'GetSyncConfiguration', { SyncType: SYNC, ResourceName: RESOURCE });
    expect(viaCodeConnections.json.SyncConfiguration).toMatchObject({ PullRequestComment: 'ENABLED' });

    // The codestar-connections model has no such member: its answer leaves it out.
    const viaCodestar = await rawCall('codestar-connections', 'GetSyncConfiguration', { SyncType: SYNC, ResourceName: RESOURCE });
    expect(viaCodestar.json.SyncConfiguration).not.toHaveProperty('PullRequestComment');
    const { SyncConfiguration } = await admin.send(new GetSyncConfigurationCommand({ SyncType: SYNC, ResourceName: RESOURCE }));
    expect(SyncConfiguration).not.toHaveProperty('PullRequestComment');

    const updated = await rawCall('codeconnections', 'UpdateSyncConfiguration', { SyncType: SYNC, ResourceName: RESOURCE, PullRequestComment: 'DISABLED' });
    expect(updated.json.SyncConfiguration).toMatchObject({ PullRequestComment: 'DISABLED' });
  });

  it('is ignored (neither stored nor refused) when sent to codestar-connections, and checked against its enum by codeconnections', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    const base = { Branch: 'main', ConfigFile: 'deployment.yaml', RepositoryLinkId: repositoryLinkId, RoleArn: ROLE_ARN, SyncType: SYNC };
    const created = await rawCall('codestar-connections', 'CreateSyncConfiguration', { ...base, ResourceName: RESOURCE, PullRequestComment: 'ENABLED' });
    expect(created.status).toBe(200);
    expect(created.json.SyncConfiguration).not.toHaveProperty('PullRequestComment');
    const read = await rawCall('codeconnections', 'GetSyncConfiguration', { SyncType: SYNC, ResourceName: RESOURCE });
    expect(read.json.SyncConfiguration).not.toHaveProperty('PullRequestComment');
    const updated = await rawCall('codestar-connections', 'UpdateSyncConfiguration', { SyncType: SYNC, ResourceName: RESOURCE, PullRequestComment: 'ENABLED' });
    expect(updated.status).toBe(200);
    expect((await rawCall('codeconnections', 'GetSyncConfiguration', { SyncType: SYNC, ResourceName: RESOURCE })).json.SyncConfiguration).not.toHaveProperty(
      'PullRequestComment',
    );

    const invalid = await rawCall('codeconnections', 'CreateSyncConfiguration', { ...base, ResourceName: 'otherStack', PullRequestComment: 'MAYBE' });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toEqual({
      __type: 'ValidationException',
      message: "1 validation error detected: Value 'MAYBE' at 'pullRequestComment' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]",
    });
  });
});

describe('CreateSyncConfiguration checks its input as AWS does', () => {
  it('refuses a malformed RoleArn, an unknown SyncType, a missing link and a second configuration for the resource', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    const badRole = await rejection(createSync(repositoryLinkId, { RoleArn: 'arn:aws:iam::111111111111:user/someone' }));
    expect(badRole.name).toBe('ValidationException');
    expect(badRole.message).toBe(
      "1 validation error detected: Value 'arn:aws:iam::111111111111:user/someone' at 'roleArn' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: ^arn:aws(-[\\w]+)*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-_/]+$',
    );
    const badType = await rejection(createSync(repositoryLinkId, { SyncType: 'CFN_STACKSET_SYNC' }));
    expect(badType.message).toBe(
      "1 validation error detected: Value 'CFN_STACKSET_SYNC' at 'syncType' failed to satisfy constraint: Member must satisfy enum value set: [CFN_STACK_SYNC]",
    );
    const noLink = await rejection(createSync('00000000-0000-0000-0000-000000000000'));
    expect(noLink).toMatchObject({ name: 'InvalidInputException', $metadata: { httpStatusCode: 400 } });

    // No create-time check of the role: one that does not exist is accepted, and judged when Git sync syncs.
    const { SyncConfiguration } = await createSync(repositoryLinkId, { RoleArn: `arn:aws:iam::${ACCOUNT}:role/not-created-yet` });
    expect(SyncConfiguration?.RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/not-created-yet`);
    expect((await resourceStatus()).LatestSync?.Status).toBe('INITIATED');
    const duplicate = await rejection(createSync(repositoryLinkId));
    expect(duplicate).toMatchObject({ name: 'ResourceAlreadyExistsException', $metadata: { httpStatusCode: 409 } });
  });
});

describe('the sync role is judged when Git sync assumes it', () => {
  it('fails the sync until the role trusts Git sync, which UpdateAssumeRolePolicy adds; GetRole shows the new trust', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustFor('cloudformation.amazonaws.com') }));
    const { repositoryLinkId } = await connectionAndLink();
    await createSync(repositoryLinkId);

    const refused = await control<{ status: string; reason: string }>(sandbox, 'POST', '/sync/process', { resourceName: RESOURCE, sha: 'ccc333' });
    expect(refused).toMatchObject({ status: 'FAILED' });
    expect(refused.reason).toContain(`does not allow ${GIT_SYNC_PRINCIPAL} to perform sts:AssumeRole`);
    const failed = await resourceStatus();
    expect(failed.LatestSync).toMatchObject({ Status: 'FAILED', TargetRevision: { Sha: 'ccc333' } });
    expect(failed.LatestSync?.Events?.map((event) => event.Event)).toContain(refused.reason);
    expect(failed.LatestSuccessfulSync).toBeUndefined();

    const trust = trustFor('cloudformation.amazonaws.com', GIT_SYNC_PRINCIPAL);
    const answer = await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE_NAME, PolicyDocument: trust }));
    expect(answer.$metadata.httpStatusCode).toBe(200);
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(trust);

    expect(await control(sandbox, 'POST', '/sync/process', { resourceName: RESOURCE })).toEqual({ resourceName: RESOURCE, status: 'SUCCEEDED' });
    const synced = await resourceStatus();
    expect(synced.LatestSync).toMatchObject({ Status: 'SUCCEEDED', TargetRevision: { Sha: 'ccc333' } });
    expect(synced.LatestSuccessfulSync?.TargetRevision?.Sha).toBe('ccc333');
  });

  it('fails the sync of a role that does not exist', async () => {
    const { repositoryLinkId } = await connectionAndLink();
    await createSync(repositoryLinkId);
    const answer = await control<{ status: string; reason: string }>(sandbox, 'POST', '/sync/process', { resourceName: RESOURCE });
    expect(answer).toEqual({ resourceName: RESOURCE, status: 'FAILED', reason: `Git sync could not assume the role ${ROLE_ARN}: the role does not exist.` });
  });
});

describe('IAM UpdateAssumeRolePolicy', () => {
  it('refuses a bad document with MalformedPolicyDocument and an unknown role with NoSuchEntity', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustFor('cloudformation.amazonaws.com') }));
    const syntax = await rejection(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE_NAME, PolicyDocument: '{"Version": "2012-10-17", "Statement": [' })));
    expect(syntax).toMatchObject({ name: 'MalformedPolicyDocumentException', message: 'Syntax errors in policy.', $metadata: { httpStatusCode: 400 } });
    // A permissions policy is not a trust policy.
    const identity = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const notTrust = await rejection(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE_NAME, PolicyDocument: identity })));
    expect(notTrust.name).toBe('MalformedPolicyDocumentException');
    const unknown = await rejection(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ghost', PolicyDocument: trustFor(GIT_SYNC_PRINCIPAL) })));
    expect(unknown).toMatchObject({ name: 'NoSuchEntityException', message: 'The role with name ghost cannot be found.', $metadata: { httpStatusCode: 404 } });
    // Nothing changed.
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(trustFor('cloudformation.amazonaws.com'));
  });
});

describe('IAM authorises Git sync calls (enforcement on)', () => {
  const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/broker-role/broker`;
  const KEY = 'ASIAGITSYNC000000001';
  const CREDENTIALS = { accessKeyId: KEY, secretAccessKey: 'x', sessionToken: 'y' };
  let broker: CodeStarConnectionsClient;
  let brokerIam: IAMClient;
  const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: Record<string, unknown>) => ({
    Effect: 'Allow',
    Action,
    Resource,
    ...(Condition ? { Condition } : {}),
  });
  const grant = (...statements: Record<string, unknown>[]) =>
    sandbox.authorizer.replacePolicies(KEY, [{ Version: '2012-10-17', Statement: statements }]);

  beforeAll(() => {
    sandbox.authorizer.register({ accessKeyId: KEY, arn: SESSION, accountId: ACCOUNT, policies: [] });
    broker = new CodeStarConnectionsClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    brokerIam = new IAMClient({ endpoint: sandbox.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(() => {
    broker?.destroy();
    brokerIam?.destroy();
  });

  it('needs PassConnection and UseConnection on the connection to create a repository link', async () => {
    const { ConnectionArn } = await admin.send(new CreateConnectionCommand({ ConnectionName: 'sync', ProviderType: 'GitHub' }));
    const create = () => broker.send(new CreateRepositoryLinkCommand({ ConnectionArn, OwnerId: 'platform', RepositoryName: 'infra' }));
    grant(allow(['codestar-connections:CreateRepositoryLink', 'codestar-connections:PassConnection'], ConnectionArn!));
    const refusal = await rejection(create());
    expect(refusal).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect(refusal.message).toBe(
      `User: ${SESSION} is not authorized to perform: codestar-connections:UseConnection on resource: ${ConnectionArn} because no identity-based policy allows the codestar-connections:UseConnection action`,
    );
    grant(allow(['codestar-connections:CreateRepositoryLink', 'codestar-connections:PassConnection', 'codestar-connections:UseConnection'], ConnectionArn!));
    expect((await create()).RepositoryLinkInfo?.ConnectionArn).toBe(ConnectionArn);
  });

  it('needs iam:PassRole on the sync role, passed to Git sync, and honours the Branch condition key', async () => {
    const { repositoryLinkId, repositoryLinkArn } = await connectionAndLink();
    const onLink = () => allow(['codestar-connections:CreateSyncConfiguration', 'codestar-connections:PassRepository'], repositoryLinkArn);
    grant(onLink());
    const noPass = await rejection(createSync(repositoryLinkId, {}, broker));
    expect(noPass.message).toBe(
      `User: ${SESSION} is not authorized to perform: iam:PassRole on resource: ${ROLE_ARN} because no identity-based policy allows the iam:PassRole action`,
    );
    // PassRole for another service does not count.
    grant(onLink(), allow('iam:PassRole', ROLE_ARN, { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } }));
    expect((await rejection(createSync(repositoryLinkId, {}, broker))).message).toContain('iam:PassRole');
    // Only the main branch.
    const toGitSync = allow('iam:PassRole', ROLE_ARN, { StringEquals: { 'iam:PassedToService': GIT_SYNC_PRINCIPAL } });
    // Branch is a key of CreateSyncConfiguration only: PassRepository has none, so it needs a statement without the condition.
    grant(
      allow('codestar-connections:CreateSyncConfiguration', repositoryLinkArn, { StringEquals: { 'codestar-connections:Branch': 'main' } }),
      allow('codestar-connections:PassRepository', repositoryLinkArn),
      toGitSync,
    );
    const release = await rejection(createSync(repositoryLinkId, { Branch: 'release' }, broker));
    expect(release.message).toContain(`codestar-connections:CreateSyncConfiguration on resource: ${repositoryLinkArn}`);
    expect((await createSync(repositoryLinkId, {}, broker)).SyncConfiguration?.RoleArn).toBe(ROLE_ARN);

    // UpdateSyncConfiguration passes the role again when it names one.
    grant(allow('codestar-connections:UpdateSyncConfiguration'));
    const update = (RoleArn?: string) => broker.send(new UpdateSyncConfigurationCommand({ SyncType: SYNC, ResourceName: RESOURCE, RoleArn, TriggerResourceUpdateOn: 'FILE_CHANGE' }));
    expect((await update()).SyncConfiguration?.TriggerResourceUpdateOn).toBe('FILE_CHANGE');
    expect((await rejection(update(ROLE_ARN))).message).toContain(`iam:PassRole on resource: ${ROLE_ARN}`);
  });

  it('authorises the status and blocker calls, and a codeconnections call under the codeconnections prefix on the link', async () => {
    const { repositoryLinkId, repositoryLinkArn } = await connectionAndLink();
    await createSync(repositoryLinkId);
    const blocker = await control<{ Id: string }>(sandbox, 'POST', '/sync/blockers', { resourceName: RESOURCE, reason: 'drift' });
    grant(allow(['codestar-connections:GetResourceSyncStatus', 'codestar-connections:GetSyncBlockerSummary', 'codestar-connections:GetRepositoryLink']));
    expect((await broker.send(new GetResourceSyncStatusCommand({ ResourceName: RESOURCE, SyncType: SYNC }))).LatestSync?.Status).toBe('INITIATED');
    expect((await broker.send(new GetSyncBlockerSummaryCommand({ ResourceName: RESOURCE, SyncType: SYNC }))).SyncBlockerSummary?.LatestBlockers).toHaveLength(1);
    const resolve = await rejection(broker.send(new UpdateSyncBlockerCommand({ Id: blocker.Id, SyncType: SYNC, ResourceName: RESOURCE, ResolvedReason: 'fixed' })));
    expect(resolve.message).toBe(
      `User: ${SESSION} is not authorized to perform: codestar-connections:UpdateSyncBlocker because no identity-based policy allows the codestar-connections:UpdateSyncBlocker action`,
    );
    const status = await rejection(broker.send(new GetRepositorySyncStatusCommand({ Branch: 'main', RepositoryLinkId: repositoryLinkId, SyncType: SYNC })));
    expect(status.message).toContain(`codestar-connections:GetRepositorySyncStatus on resource: ${repositoryLinkArn}`);

    // Through codeconnections, a codestar-connections link needs both prefixes' action on it.
    const viaCodeConnections = await rawCall('codeconnections', 'GetRepositoryLink', { RepositoryLinkId: repositoryLinkId }, KEY);
    expect(viaCodeConnections.status).toBe(400);
    expect(viaCodeConnections.json).toMatchObject({ __type: 'AccessDeniedException' });
    expect(viaCodeConnections.json.Message).toContain(`codeconnections:GetRepositoryLink on resource: ${repositoryLinkArn}`);
    grant(allow(['codestar-connections:GetRepositoryLink', 'codeconnections:GetRepositoryLink'], repositoryLinkArn));
    expect((await rawCall('codeconnections', 'GetRepositoryLink', { RepositoryLinkId: repositoryLinkId }, KEY)).status).toBe(200);
  });

  it('authorises UpdateAssumeRolePolicy on the role', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: ROLE_NAME, AssumeRolePolicyDocument: trustFor('cloudformation.amazonaws.com') }));
    const update = () => brokerIam.send(new UpdateAssumeRolePolicyCommand({ RoleName: ROLE_NAME, PolicyDocument: trustFor(GIT_SYNC_PRINCIPAL) }));
    grant(allow('iam:GetRole', ROLE_ARN));
    const refusal = await rejection(update());
    expect(refusal).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(refusal.message).toContain(`User: ${SESSION} is not authorized to perform: iam:UpdateAssumeRolePolicy on resource: ${ROLE_ARN}`);
    grant(allow('iam:UpdateAssumeRolePolicy', ROLE_ARN));
    await update();
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }));
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(trustFor(GIT_SYNC_PRINCIPAL));
  });
});

describe('the catalogue entries for Git sync, on both prefixes', () => {
  const LINK_ID = '0f9b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
  const LINK = `arn:aws:codeconnections:us-east-1:${ACCOUNT}:repository-link/${LINK_ID}`;
  const CONNECTION = `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/5dd8ec33-8d7a-4a7c-9a1d-3f0c6b2a1e55`;
  const facts: ResourceFacts = {
    resourceTags: (arn) => (arn === LINK ? { team: 'platform' } : undefined),
    roleArn: () => undefined,
    hostHasVpc: () => undefined,
    repositoryLinkArn: (_account, _region, id) => (id === LINK_ID ? LINK : undefined),
  };
  const requirements = (endpoint: string, operation: string, input: Record<string, unknown>) =>
    requirementsFor({ endpoint, operation, accountId: ACCOUNT, region: 'us-east-1', input, facts }).map(({ action, resource, context }) => [action, resource, context]);

  it('authorises CreateRepositoryLink on the connection, with PassConnection and UseConnection, under its prefix and the endpoint\'s', () => {
    expect(requirements('codeconnections', 'CreateRepositoryLink', { ConnectionArn: CONNECTION, OwnerId: 'o', RepositoryName: 'r' }).map(([action, resource]) => [action, resource])).toEqual([
      ['codeconnections:CreateRepositoryLink', CONNECTION],
      ['codestar-connections:CreateRepositoryLink', CONNECTION],
      ['codeconnections:PassConnection', CONNECTION],
      ['codestar-connections:PassConnection', CONNECTION],
      ['codeconnections:UseConnection', CONNECTION],
      ['codestar-connections:UseConnection', CONNECTION],
    ]);
  });

  it('authorises CreateSyncConfiguration on the link (its tags, the Branch key), with PassRepository and iam:PassRole to Git sync', () => {
    expect(requirements('codeconnections', 'CreateSyncConfiguration', { RepositoryLinkId: LINK_ID, Branch: 'main', RoleArn: ROLE_ARN })).toEqual([
      ['codeconnections:CreateSyncConfiguration', LINK, { 'aws:ResourceTag/team': 'platform', 'codeconnections:Branch': 'main' }],
      ['codeconnections:PassRepository', LINK, { 'aws:ResourceTag/team': 'platform' }],
      ['iam:PassRole', ROLE_ARN, { 'iam:PassedToService': GIT_SYNC_PRINCIPAL }],
    ]);
    // Through the other endpoint, the link's own prefix is required as well.
    expect(requirements('codestar-connections', 'GetRepositorySyncStatus', { RepositoryLinkId: LINK_ID, Branch: 'main' })).toEqual([
      ['codestar-connections:GetRepositorySyncStatus', LINK, { 'aws:ResourceTag/team': 'platform', 'codestar-connections:Branch': 'main' }],
      ['codeconnections:GetRepositorySyncStatus', LINK, { 'aws:ResourceTag/team': 'platform', 'codeconnections:Branch': 'main' }],
    ]);
  });

  it('names no resource for the calls the reference lists without one', () => {
    for (const operation of ['ListRepositoryLinks', 'GetSyncConfiguration', 'ListSyncConfigurations', 'DeleteSyncConfiguration', 'ListRepositorySyncDefinitions', 'GetResourceSyncStatus', 'GetSyncBlockerSummary', 'UpdateSyncBlocker']) {
      expect(requirements('codeconnections', operation, { ResourceName: RESOURCE, SyncType: SYNC })).toEqual([[`codeconnections:${operation}`, '*', {}]]);
    }
    expect(requirements('codestar-connections', 'UpdateSyncConfiguration', { ResourceName: RESOURCE, SyncType: SYNC, Branch: 'release', RoleArn: ROLE_ARN })).toEqual([
      ['codestar-connections:UpdateSyncConfiguration', '*', { 'codestar-connections:Branch': 'release' }],
      ['iam:PassRole', ROLE_ARN, { 'iam:PassedToService': GIT_SYNC_PRINCIPAL }],
    ]);
    // A link the sandbox does not hold is named as it would be through the endpoint.
    expect(requirements('codestar-connections', 'DeleteRepositoryLink', { RepositoryLinkId: 'a1b2c3d4-0000-4000-8000-000000000000' })).toEqual([
      ['codestar-connections:DeleteRepositoryLink', `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:repository-link/a1b2c3d4-0000-4000-8000-000000000000`, {}],
    ]);
    expect(requirements('iam', 'UpdateAssumeRolePolicy', { RoleName: ROLE_NAME })).toEqual([['iam:UpdateAssumeRolePolicy', ROLE_ARN, {}]]);
  });
});

const cli = awsCliRequirement();

describe.skipIf(cli.skip)('through the AWS CLI', () => {
  beforeAll(cli.assertAvailable);
  const aws = (...args: string[]) => runAwsCli(sandbox, args);

  it('sets PullRequestComment through codeconnections only, and updates a trust policy', async () => {
    const connection = await aws('codeconnections', 'create-connection', '--connection-name', 'cli', '--provider-type', 'GitHub');
    expect(connection.code, connection.stderr).toBe(0);
    const { ConnectionArn } = connection.json as { ConnectionArn: string };
    const link = await aws('codeconnections', 'create-repository-link', '--connection-arn', ConnectionArn, '--owner-id', 'platform', '--repository-name', 'infra');
    expect(link.code, link.stderr).toBe(0);
    const { RepositoryLinkId } = (link.json as { RepositoryLinkInfo: { RepositoryLinkId: string } }).RepositoryLinkInfo;
    const created = await aws(
      'codeconnections', 'create-sync-configuration',
      '--branch', 'main', '--config-file', 'deployment.yaml', '--repository-link-id', RepositoryLinkId,
      '--resource-name', RESOURCE, '--role-arn', ROLE_ARN, '--sync-type', SYNC, '--pull-request-comment', 'ENABLED',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.json).toMatchObject({ SyncConfiguration: { PullRequestComment: 'ENABLED', ResourceName: RESOURCE } });
    const viaCodestar = await aws('codestar-connections', 'get-sync-configuration', '--sync-type', SYNC, '--resource-name', RESOURCE);
    expect(viaCodestar.code, viaCodestar.stderr).toBe(0);
    expect((viaCodestar.json as { SyncConfiguration: object }).SyncConfiguration).not.toHaveProperty('PullRequestComment');

    const role = await aws('iam', 'create-role', '--role-name', ROLE_NAME, '--assume-role-policy-document', trustFor('cloudformation.amazonaws.com'));
    expect(role.code, role.stderr).toBe(0);
    const trust = trustFor('cloudformation.amazonaws.com', GIT_SYNC_PRINCIPAL);
    const updated = await aws('iam', 'update-assume-role-policy', '--role-name', ROLE_NAME, '--policy-document', trust);
    expect(updated.code, updated.stderr).toBe(0);
    const read = await aws('iam', 'get-role', '--role-name', ROLE_NAME);
    expect((read.json as { Role: { AssumeRolePolicyDocument: unknown } }).Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust));
    const missing = await aws('iam', 'update-assume-role-policy', '--role-name', 'ghost', '--policy-document', trust);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (NoSuchEntity) when calling the UpdateAssumeRolePolicy operation: The role with name ghost cannot be found.');
  });
});
