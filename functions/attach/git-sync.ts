import {
  CreateRepositoryLinkCommand,
  CreateSyncConfigurationCommand,
  GetResourceSyncStatusCommand,
  GetSyncConfigurationCommand,
  GetSyncBlockerSummaryCommand,
  ListRepositoryLinksCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  type CodeStarConnectionsClient,
} from '@aws-sdk/client-codestar-connections';
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Clients } from '../adapters/aws-clients.ts';
import { connectionsClientFor, connectionsClientForPrefix } from '../adapters/aws/codestar-connections.ts';
import type { ConnectionRequestRecord, GitSyncState, SyncBlocker } from '../request/model.ts';
import { timelineEntry } from '../request/store.ts';
import { updateActiveRequest } from '../workflow/active-request.ts';
import { FirstSyncInProgress, GitSyncFailed } from '../workflow/errors.ts';
import { accessDeniedCode } from '../audit/collect/access-denied.ts';
import { roleNameOf } from '../audit/rules/attachment.ts';
import { sameConnection } from './source-action.ts';
import { firstSyncOutcome, repositoryParts, SYNC_TYPE, trustWithGitSync, type PolicyDocument } from './git-sync-plan.ts';
import { createdByRequest, MANAGED_BY_TAG, REQUEST_ID_TAG } from '../host/host-discovery.ts';


/**
 * The client Git sync calls go through: the connection's own API, except that PullRequestComment
 * exists only in CodeConnections' model, so a request that sets it is configured there.
 */
export function gitSyncClient(record: Pick<ConnectionRequestRecord, 'connectionArn' | 'gitSync'>, aws: Pick<Clients, 'connections'>): CodeStarConnectionsClient {
  return record.gitSync?.pullRequestComment !== undefined ? connectionsClientForPrefix('codeconnections', aws) : connectionsClientFor(record.connectionArn, aws);
}

type Update = (change: (state: GitSyncState) => GitSyncState, said?: string) => Promise<ConnectionRequestRecord>;

/**
 * Sets up Git sync for an AVAILABLE connection: lets the role trust Git sync, links the repository
 * (or reuses its link), and creates the sync configuration. UseConnection is granted to the role
 * beforehand with the pipeline's grants (attach-pipeline.ts). Each thing made is recorded before it
 * is made, so a rollback takes back exactly what this request made. Safe to run again.
 */
export async function setUpGitSync(record: ConnectionRequestRecord, aws: Pick<Clients, 'connections' | 'iam'>): Promise<void> {
  const target = record.gitSync!;
  const connectionArn = record.connectionArn!;
  const update: Update = (change, said) =>
    updateActiveRequest(record.requestId, (current) => ({
      ...current,
      gitSyncState: change(current.gitSyncState ?? {}),
      timeline: said ? [...current.timeline, timelineEntry('git-sync', 'system', said)] : current.timeline,
    }));
  let state = record.gitSyncState ?? {};

  // 1. The role: Git sync must be able to assume it. Looked at on every run (a crash may have come
  // between recording the old trust and changing it).
  const roleName = roleNameOf(target.roleArn)!;
  const { text: currentDocument, document } = await roleTrust(aws.iam, roleName);
  const trusted = trustWithGitSync(document);
  if (trusted) {
    if (!state.trust) state = (await update((current) => ({ ...current, trust: { roleName, previousDocument: currentDocument } }))).gitSyncState ?? {};
    try {
      await aws.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trusted) }));
    } catch (error) {
      if (!accessDeniedCode(error)) throw error;
      // Never changed, so nothing for a rollback to put back.
      await update((current) => ({ ...current, trust: undefined }));
      throw new GitSyncFailed(target.stackName, `the broker may not change the trust of role ${target.roleArn} (it must be one of the grantableRoles setting): ${(error as Error).message}`);
    }
    await update((current) => current, `Let Git sync (cloudformation.sync.codeconnections.amazonaws.com) assume role ${target.roleArn}.`);
  }

  // 2. The repository link: the connection's existing one for this repository, else a new one.
  const client = gitSyncClient(record, aws);
  const { ownerId, repositoryName } = repositoryParts(target.repository);
  if (!state.repositoryLinkId) {
    const existing = await findRepositoryLink(client, connectionArn, ownerId, repositoryName);
    if (existing) {
      // Ours from an attempt that crashed before recording it (its tags say so), or someone else's to reuse.
      const ours = existing.arn !== undefined && (await createdByRequest(client, existing.arn, record.requestId));
      state = (
        await update(
          (current) => ({ ...current, repositoryLinkId: existing.id, linkCreatedByRequest: ours }),
          ours ? `Linked repository ${target.repository} to the connection (repository link ${existing.id}).` : `Reusing repository link ${existing.id} for ${target.repository}.`,
        )
      ).gitSyncState ?? {};
    } else {
      const { RepositoryLinkInfo } = await client.send(
        new CreateRepositoryLinkCommand({ ConnectionArn: connectionArn, OwnerId: ownerId, RepositoryName: repositoryName, Tags: [MANAGED_BY_TAG, { Key: REQUEST_ID_TAG, Value: record.requestId }] }),
      );
      const linkId = RepositoryLinkInfo!.RepositoryLinkId!;
      state = (await update((current) => ({ ...current, repositoryLinkId: linkId, linkCreatedByRequest: true }), `Linked repository ${target.repository} to the connection (repository link ${linkId}).`)).gitSyncState ?? {};
    }
  }

  // 3. The sync configuration: recorded first, so even a crash right after it is rolled back; made
  // again on a retry until the step has seen it made (status), and one that exists already is ours
  // only if it is exactly what this request asks for.
  if (!state.status) {
    await update((current) => ({ ...current, syncConfigurationCreated: true, configuredAt: current.configuredAt ?? new Date().toISOString() }));
    const command = new CreateSyncConfigurationCommand({
      Branch: target.branch,
      ConfigFile: target.configFile,
      RepositoryLinkId: state.repositoryLinkId,
      ResourceName: target.stackName,
      RoleArn: target.roleArn,
      SyncType: SYNC_TYPE,
      ...(target.publishDeploymentStatus ? { PublishDeploymentStatus: target.publishDeploymentStatus } : {}),
      ...(target.triggerResourceUpdateOn ? { TriggerResourceUpdateOn: target.triggerResourceUpdateOn } : {}),
    });
    if (target.pullRequestComment) withBodyField(command, 'PullRequestComment', target.pullRequestComment);
    try {
      await client.send(command);
    } catch (error) {
      if (!(error instanceof ResourceAlreadyExistsException)) throw error;
      const { SyncConfiguration: found } = await client.send(new GetSyncConfigurationCommand({ ResourceName: target.stackName, SyncType: SYNC_TYPE }));
      const ours = found?.RepositoryLinkId === state.repositoryLinkId && found?.RoleArn === target.roleArn && found?.Branch === target.branch && found?.ConfigFile === target.configFile;
      if (!ours) {
        // Someone else's: never ours to delete.
        await update((current) => ({ ...current, syncConfigurationCreated: false }));
        throw new GitSyncFailed(target.stackName, `stack ${target.stackName} has a sync configuration already (another repository, branch, file or role); choose another stackName`);
      }
    }
    await update((current) => ({ ...current, status: 'INITIATED' }), `Created the Git sync configuration for stack ${target.stackName} (${target.repository}@${target.branch}, ${target.configFile}).`);
  }
}

/**
 * Waits for the first sync: SUCCEEDED completes, an open blocker completes with resolving it as the
 * next action (Git sync stops until then), FAILED rolls back, anything else is looked at again.
 */
export async function watchFirstSync(record: ConnectionRequestRecord, aws: Pick<Clients, 'connections'>): Promise<GitSyncState> {
  const target = record.gitSync!;
  const client = gitSyncClient(record, aws);
  let latestStatus: string | undefined;
  let failure: string | undefined;
  try {
    const { LatestSync } = await client.send(new GetResourceSyncStatusCommand({ ResourceName: target.stackName, SyncType: SYNC_TYPE }));
    latestStatus = LatestSync?.Status;
    failure = LatestSync?.Events?.map((event) => event.Event).filter(Boolean).at(-1);
  } catch (error) {
    // No attempt yet: Git sync has not picked the configuration up.
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const { SyncBlockerSummary } = await client.send(new GetSyncBlockerSummaryCommand({ ResourceName: target.stackName, SyncType: SYNC_TYPE }));
  const blockers: SyncBlocker[] = (SyncBlockerSummary?.LatestBlockers ?? [])
    .filter((blocker) => blocker.Status === 'ACTIVE')
    .map((blocker) => ({ id: blocker.Id!, type: blocker.Type ?? 'AUTOMATED', reason: blocker.CreatedReason ?? '', createdAt: (blocker.CreatedAt ?? new Date()).toISOString() }));

  const configuredAt = record.gitSyncState?.configuredAt;
  const waitedMs = configuredAt ? Date.now() - Date.parse(configuredAt) : undefined;
  const outcome = firstSyncOutcome({ latestStatus, activeBlockers: blockers.length, ...(waitedMs !== undefined ? { waitedMs } : {}) });
  if (outcome === 'waiting') throw new FirstSyncInProgress(target.stackName, latestStatus);
  if (outcome === 'failed') throw new GitSyncFailed(target.stackName, failure ?? 'see the stack’s Git sync events in the CloudFormation console');
  const said =
    outcome === 'done'
      ? `The first Git sync of stack ${target.stackName} succeeded.`
      : outcome === 'deploying'
        ? `The first Git sync of stack ${target.stackName} is still ${latestStatus} after ${Math.round((waitedMs ?? 0) / 60_000)} minutes: the request completes and the deployment goes on. ` +
          'Follow it in the CloudFormation console or GET /v1/sync-configurations; the auditor reports it if it fails.'
        : `Git sync of stack ${target.stackName} is blocked: ${blockers.map((blocker) => blocker.reason).join('; ')}. An admin resolves it once the cause is fixed.`;
  const updated = await updateActiveRequest(record.requestId, (current) => ({
    ...current,
    gitSyncState: { ...(current.gitSyncState ?? {}), status: latestStatus ?? 'INITIATED', blockers },
    timeline: [...current.timeline, timelineEntry('git-sync', 'system', said)],
  }));
  return updated.gitSyncState ?? {};
}

/** A role's trust policy as IAM holds it now: its text (GetRole gives it URL-encoded) and the document. */
export async function roleTrust(iam: Clients['iam'], roleName: string): Promise<{ text: string; document: PolicyDocument }> {
  const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const text = decodeURIComponent(Role?.AssumeRolePolicyDocument ?? '{}');
  return { text, document: JSON.parse(text) as PolicyDocument };
}

/** The connection's repository link for this repository, if it has one. */
async function findRepositoryLink(client: CodeStarConnectionsClient, connectionArn: string, ownerId: string, repositoryName: string): Promise<{ id: string; arn?: string } | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListRepositoryLinksCommand({ MaxResults: 100, NextToken: nextToken }));
    const found = page.RepositoryLinks?.find((link) => link.ConnectionArn !== undefined && sameConnection(link.ConnectionArn, connectionArn) && link.OwnerId === ownerId && link.RepositoryName === repositoryName);
    if (found?.RepositoryLinkId) return { id: found.RepositoryLinkId, ...(found.RepositoryLinkArn ? { arn: found.RepositoryLinkArn } : {}) };
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/**
 * Adds a field the installed SDK's model predates (CodeConnections' PullRequestComment) to the JSON
 * body, before the request is signed.
 */
function withBodyField(command: CreateSyncConfigurationCommand, name: string, value: string): void {
  command.middlewareStack.add(
    (next) => async (args) => {
      // The serializer gives a string or, in newer SDKs, the JSON's bytes: either is read back. A body
      // it cannot read fails the call rather than silently dropping the field.
      const request = args.request as { body?: unknown };
      const json = typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : undefined;
      if (json === undefined) throw new Error(`cannot add ${name} to a ${typeof request.body} request body`);
      request.body = JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), [name]: value });
      return next(args);
    },
    // Before the build step's Content-Length is worked out, and before signing.
    { step: 'build', priority: 'high', name: `add${name}` },
  );
}
