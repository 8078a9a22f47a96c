import type { CodeBuildLookup, ConnectionLookup, IamLookup } from '../lookups.ts';
import { evaluate, type ConditionContext } from '../../authorization/policy-evaluation.ts';
import { parseConnectionArn } from './source-connection.ts';
import type { StoredErrorDetails } from './state.ts';

export interface PipelineLookups {
  connections: ConnectionLookup;
  iam: IamLookup;
  /** Without it, CODEBUILD_CLONE_REF builds are not checked (they succeed). */
  codeBuild?: CodeBuildLookup;
}

/** Where a run happens and as whom: the pipeline's account, Region and service role. */
export interface RunIdentity {
  accountId: string;
  region: string;
  roleArn: string;
}

/** What the source action's configuration says it reads: `FullRepositoryId` (`owner/repo`) and `BranchName`. */
export interface SourceRepository {
  fullRepositoryId?: string;
  branchName?: string;
}

/**
 * Why a CodeStarSourceConnection source action cannot fetch its source right now, or undefined
 * when it can. At run time AWS first assumes the pipeline role and asks for `UseConnection` on the
 * connection (the action name follows the ARN's prefix), then needs the connection to be AVAILABLE.
 * The request context holds the connection's tags, the role's tags and the repository and branch
 * the action reads (`repositoryContext`).
 */
export function connectionUseFailure(
  connectionArn: string,
  identity: RunIdentity,
  lookups: PipelineLookups,
  repository: SourceRepository = {},
): StoredErrorDetails | undefined {
  const parsed = parseConnectionArn(connectionArn);
  const prefix = parsed?.prefix ?? 'codestar-connections';
  const connection = lookups.connections.connection(identity.accountId, identity.region, connectionArn);
  const context = { ...repositoryContext(prefix, repository), ...resourceTagContext(connection?.tags) };
  if (!roleMayUseConnection(identity.roleArn, connectionArn, prefix, lookups.iam, context)) {
    return {
      code: 'JobFailed',
      message: `Unable to use Connection: ${connectionArn}. The provided role does not have sufficient permissions to access CodeStar Connections (${prefix}:UseConnection).`,
    };
  }
  if (!connection) {
    return { code: 'JobFailed', message: `Unable to use Connection: ${connectionArn}. The connection does not exist.` };
  }
  if (connection.status !== 'AVAILABLE') {
    return {
      code: 'JobFailed',
      message: `Unable to use Connection: ${connectionArn}. The connection is in ${connection.status} state; it must be AVAILABLE. ${
        connection.status === 'PENDING' ? 'Complete the connection handshake in the console.' : 'The connection must be deleted and created again.'
      }`,
    };
  }
  return undefined;
}

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * Why a CodeBuild action cannot clone a CODEBUILD_CLONE_REF source, or undefined when it can: the
 * build clones the repository itself, through the connection, as the project's service role, so
 * that role needs UseConnection (field notes §3 item 14). A project that does not exist fails too.
 */
export function cloneRefFailure(projectName: string, connectionArn: string, identity: RunIdentity, lookups: PipelineLookups): StoredErrorDetails | undefined {
  if (!lookups.codeBuild) return undefined;
  const project = lookups.codeBuild.project(identity.accountId, identity.region, projectName);
  if (!project) return { code: 'JobFailed', message: `Error calling startBuild: Project cannot be found: arn:aws:codebuild:${identity.region}:${identity.accountId}:project/${projectName}` };
  const prefix = parseConnectionArn(connectionArn)?.prefix ?? 'codestar-connections';
  // The clone's own UseConnection keys (ProviderAction...) are not documented for this use; only the tags are in the context.
  const tags = lookups.connections.connection(identity.accountId, identity.region, connectionArn)?.tags;
  if (!roleMayUseConnection(project.serviceRole, connectionArn, prefix, lookups.iam, resourceTagContext(tags))) {
    return {
      code: 'JobFailed',
      message: `Build failed in phase DOWNLOAD_SOURCE: CLIENT_ERROR: the service role ${project.serviceRole} of project ${projectName} is not authorized to perform ${prefix}:UseConnection on ${connectionArn} (needed to clone the CODEBUILD_CLONE_REF source).`,
    };
  }
  return undefined;
}

/**
 * A role that does not exist cannot be assumed, so it grants nothing. The role's session carries
 * the role's tags as `aws:PrincipalTag/<key>` (CodePipeline passes no session tags), so a policy
 * such as `"aws:ResourceTag/team": "${aws:PrincipalTag/team}"` compares the connection's tag with
 * the role's.
 */
function roleMayUseConnection(roleArn: string, connectionArn: string, prefix: string, iam: IamLookup, context: ConditionContext): boolean {
  const match = ROLE_ARN.exec(roleArn);
  if (!match) return false;
  const accountId = match[1]!;
  const roleName = match[2]!;
  const policies = iam.inlinePolicies(accountId, roleName);
  if (!policies) return false;
  const principalTags = Object.entries(iam.roleTags?.(accountId, roleName) ?? {}).map(([key, value]) => [`aws:PrincipalTag/${key}`, value]);
  const decision = evaluate(
    policies.map(({ document }) => document),
    { action: `${prefix}:UseConnection`, resource: connectionArn, context: { ...Object.fromEntries(principalTags), ...context } },
  );
  return decision === 'allow';
}

function resourceTagContext(tags: Record<string, string> | undefined): ConditionContext {
  return Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

/**
 * UseConnection's repository keys, under the action's prefix, for the repository and branch the
 * source action reads: `FullRepositoryId` and `BranchName` apply to UseConnection requests for a
 * specific repository and branch (Service Authorization Reference; Developer Tools console guide,
 * "Using a connection"). Left out on purpose, because what AWS sends for a source fetch is not
 * documented: `OwnerId` and `RepositoryName` (how a GitLab subgroup path splits is unknown),
 * `ProviderAction` (one fetch makes several provider calls: GetBranch, StartUploadArchiveToS3...)
 * and `ProviderPermissionsRequired`. A grant that depends on a key left out is not counted, which is
 * stricter than AWS, never more lenient.
 */
function repositoryContext(prefix: string, { fullRepositoryId, branchName }: SourceRepository): ConditionContext {
  return {
    ...(fullRepositoryId ? { [`${prefix}:FullRepositoryId`]: fullRepositoryId } : {}),
    ...(branchName ? { [`${prefix}:BranchName`]: branchName } : {}),
  };
}
