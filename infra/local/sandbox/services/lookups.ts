/**
 * What one emulated service may ask another, read-only. CodePipeline uses these to decide whether
 * a CodeStarSourceConnection source action can run (connection AVAILABLE, role allowed to use it).
 */
export interface ConnectionLookup {
  /** The connection with this ARN in the account and Region, if it exists. */
  connection(accountId: string, region: string, connectionArn: string): { status: 'PENDING' | 'AVAILABLE' | 'ERROR' } | undefined;
}

export interface IamLookup {
  /** The role's inline policy documents (parsed JSON), or undefined when the role does not exist. */
  inlinePolicies(accountId: string, roleName: string): { policyName: string; document: unknown }[] | undefined;
}

export interface CodeBuildLookup {
  /** The project with this name in the account and Region, and the role it runs as, if it exists. */
  project(accountId: string, region: string, name: string): { serviceRole: string } | undefined;
}
