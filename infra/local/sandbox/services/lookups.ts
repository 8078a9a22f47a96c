/**
 * What one emulated service may ask another, read-only. CodePipeline uses these to decide whether
 * a CodeStarSourceConnection source action can run (connection AVAILABLE, role allowed to use it).
 */
export interface ConnectionLookup {
  /**
   * The connection with this ARN in the account and Region, if it exists, with its tags by key
   * (what IAM reads as `aws:ResourceTag/<key>` when a role uses it).
   */
  connection(accountId: string, region: string, connectionArn: string): { status: 'PENDING' | 'AVAILABLE' | 'ERROR'; tags?: Record<string, string> } | undefined;
}

export interface IamLookup {
  /** The role's inline policy documents (parsed JSON), or undefined when the role does not exist. */
  inlinePolicies(accountId: string, roleName: string): { policyName: string; document: unknown }[] | undefined;
  /**
   * The role's tags by key, or undefined when the role does not exist: a session of the role has
   * them as `aws:PrincipalTag/<key>`. Optional: without it a role has no principal tags.
   */
  roleTags?(accountId: string, roleName: string): Record<string, string> | undefined;
}

export interface CodeBuildLookup {
  /** The project with this name in the account and Region, and the role it runs as, if it exists. */
  project(accountId: string, region: string, name: string): { serviceRole: string } | undefined;
}
