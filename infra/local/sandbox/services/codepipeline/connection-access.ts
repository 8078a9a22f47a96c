import type { CodeBuildLookup, ConnectionLookup, IamLookup } from '../lookups.ts';
import { evaluate } from '../../authorization/policy-evaluation.ts';
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

/**
 * Why a CodeStarSourceConnection source action cannot fetch its source right now, or undefined
 * when it can. At run time AWS first assumes the pipeline role and asks for `UseConnection` on the
 * connection (the action name follows the ARN's prefix), then needs the connection to be AVAILABLE.
 */
export function connectionUseFailure(connectionArn: string, identity: RunIdentity, lookups: PipelineLookups): StoredErrorDetails | undefined {
  const parsed = parseConnectionArn(connectionArn);
  const prefix = parsed?.prefix ?? 'codestar-connections';
  if (!roleMayUseConnection(identity.roleArn, connectionArn, prefix, lookups.iam)) {
    return {
      code: 'JobFailed',
      message: `Unable to use Connection: ${connectionArn}. The provided role does not have sufficient permissions to access CodeStar Connections (${prefix}:UseConnection).`,
    };
  }
  const connection = lookups.connections.connection(identity.accountId, identity.region, connectionArn);
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
  if (!roleMayUseConnection(project.serviceRole, connectionArn, prefix, lookups.iam)) {
    return {
      code: 'JobFailed',
      message: `Build failed in phase DOWNLOAD_SOURCE: CLIENT_ERROR: the service role ${project.serviceRole} of project ${projectName} is not authorized to perform ${prefix}:UseConnection on ${connectionArn} (needed to clone the CODEBUILD_CLONE_REF source).`,
    };
  }
  return undefined;
}

/** A role that does not exist cannot be assumed, so it grants nothing. */
function roleMayUseConnection(roleArn: string, connectionArn: string, prefix: string, iam: IamLookup): boolean {
  const match = ROLE_ARN.exec(roleArn);
  if (!match) return false;
  const policies = iam.inlinePolicies(match[1]!, match[2]!);
  if (!policies) return false;
  // UseConnection's condition keys (FullRepositoryId, BranchName...) are not in the context: a grant
  // that depends on them is not counted, which is stricter than AWS, never more lenient.
  const decision = evaluate(
    policies.map(({ document }) => document),
    { action: `${prefix}:UseConnection`, resource: connectionArn, context: {} },
  );
  return decision === 'allow';
}
