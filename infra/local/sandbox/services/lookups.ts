/**
 * What one emulated service may ask another, read-only. CodePipeline uses these to decide whether
 * a CodeStarSourceConnection source action can run (connection AVAILABLE, role allowed to use it).
 * The one exception is CloudFormationLookup: Git sync deploys stacks, as on AWS.
 */
export interface ConnectionLookup {
  /**
   * The connection with this ARN that the account can use from the Region, if any: one it owns, or
   * one shared with it through AWS RAM. With its tags by key (what IAM reads as
   * `aws:ResourceTag/<key>` when a role uses it) and its ARN as stored (the prefix it was created with).
   */
  connection(
    accountId: string,
    region: string,
    connectionArn: string,
  ): { status: 'PENDING' | 'AVAILABLE' | 'ERROR'; tags?: Record<string, string>; arn?: string } | undefined;
}

/** What STS needs of a role to let a caller assume it, and to name the session. */
export interface RoleFacts {
  /** With the role's path: `arn:aws:iam::{account}:role{path}{name}`. */
  arn: string;
  roleName: string;
  /** `AROA…`: the start of a session's AssumedRoleId. */
  roleId: string;
  /** The trust policy, verbatim. */
  assumeRolePolicyDocument: string;
  maxSessionDuration: number;
}

export interface IamLookup {
  /**
   * The role with this name (IAM names are case-insensitive), or undefined when it does not exist.
   * Optional for the services that only read policies (STS needs it).
   */
  role?(accountId: string, roleName: string): RoleFacts | undefined;
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

export interface SharingLookup {
  /**
   * Whether AWS RAM shares the resource with the account: an ACTIVE resource share of the
   * resource's owner holds the resource and the account, both ASSOCIATED.
   */
  isSharedWith(resourceArn: string, accountId: string): boolean;
}

/**
 * What Git sync does to CloudFormation: a successful sync of a CFN_STACK_SYNC configuration deploys
 * the stack its ResourceName names, in the sync configuration's account and Region.
 */
export interface CloudFormationLookup {
  /**
   * The live stack with this name is updated (UPDATE_COMPLETE, LastUpdatedTime now); without one
   * (never made, or deleted since) a new stack is created (CREATE_COMPLETE, a new StackId).
   */
  stackSynced(accountId: string, region: string, stackName: string): { stackId: string; status: string };
}
