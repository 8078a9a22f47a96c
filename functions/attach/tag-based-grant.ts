import type { PermissionFinding } from '../request/model.ts';
import { useConnectionFinding } from './use-connection.ts';

/**
 * The tag-based grant (GRANT_PIPELINE_PERMISSIONS=tag-based): the broker writes no IAM. The platform
 * tags each pipeline role with its team and installs on it, once, the policy in
 * infra/iam/pipeline-role-use-tagged-connections.json, which allows UseConnection (both prefixes)
 * only on connections tagged `managed-by=connection-broker` and `connection-broker:team` equal to the
 * role's own `connection-broker:team` (`aws:ResourceTag/…` against `${aws:PrincipalTag/…}`). The
 * broker then tags the connection with the team of the roles that will use it.
 *
 * The Service Authorization Reference (CodeStar Connections and CodeConnections, "Actions, resources,
 * and condition keys") documents for UseConnection the `connection` resource type, whose condition
 * key is `aws:ResourceTag/${TagKey}`, and the action's own keys `FullRepositoryId`, `BranchName`,
 * `OwnerId`, `RepositoryName`, `ProviderAction` and `ProviderPermissionsRequired` (under each
 * prefix), which a platform may add to the policy to pin repositories as well.
 */

export const TEAM_TAG_KEY = 'connection-broker:team';

export interface RoleWithTags {
  roleArn: string;
  purpose: string;
  /** The role's tags, or `missing` when the role does not exist. */
  tags: Record<string, string> | 'missing';
}

export type ConnectionTeamPlan =
  /** Tag the connection for this team; the roles listed in findings cannot use it all the same. */
  | { team: string; findings: PermissionFinding[] }
  /** No role says its team: nothing to tag, every role is a finding. */
  | { team: undefined; findings: PermissionFinding[] };

/**
 * The team the connection is tagged for: the one its roles carry. A connection carries one team, so
 * when the roles disagree the first role's team wins (the source action's, which fetches the
 * source) and every other role is reported, as is a role with no team tag or no existence.
 */
export function planConnectionTeam(roles: readonly RoleWithTags[], connectionArn: string): ConnectionTeamPlan {
  const findings: PermissionFinding[] = [];
  let team: string | undefined;
  for (const role of roles) {
    if (role.tags === 'missing') {
      findings.push(useConnectionFinding(role, connectionArn, `The role does not exist, so the pipeline cannot run.`));
      continue;
    }
    const roleTeam = role.tags[TEAM_TAG_KEY];
    if (roleTeam === undefined || roleTeam === '') {
      findings.push(useConnectionFinding(role, connectionArn, `The role has no ${TEAM_TAG_KEY} tag, so the broker cannot tell which team's connections it may use.`));
      continue;
    }
    team ??= roleTeam;
    if (roleTeam !== team) {
      findings.push(useConnectionFinding(role, connectionArn, `The role is tagged for team ${roleTeam}, but the connection is tagged for team ${team}: a connection serves one team.`));
    }
  }
  return { team, findings };
}

/** The request context IAM evaluates UseConnection with, for one role and one connection. */
export function useConnectionContext(roleTags: Record<string, string>, connectionTags: Record<string, string>): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(connectionTags).map(([key, value]) => [`aws:ResourceTag/${key}`, value])),
    ...Object.fromEntries(Object.entries(roleTags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
  };
}
