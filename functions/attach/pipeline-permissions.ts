import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import type { PipelineDeclaration } from '@aws-sdk/client-codepipeline';
import { GetRolePolicyCommand, ListRolePoliciesCommand, ListRoleTagsCommand, NoSuchEntityException, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { PolicyContext } from './policy-evaluator.ts';
import { missingUseConnection, parseRoleArn, useConnectionFinding, useConnectionPolicy, useConnectionPolicyName } from './use-connection.ts';
import { codeBuildConsumers } from './codebuild-consumers.ts';
import { findSourceAction, type SourceActionLocation } from './source-action.ts';
import type { PermissionFinding, RoleGrant } from '../request/model.ts';
import { codeBuildIn } from '../adapters/aws/codebuild.ts';

/**
 * Which roles must be allowed to use the connection, and giving or checking that permission. The
 * roles: the one CodePipeline assumes for the source action (the action's own role if it has one,
 * else the pipeline's), and with CODEBUILD_CLONE_REF the service roles of the CodeBuild projects
 * that consume the source artifact, since they clone through the connection themselves.
 */

export interface RoleNeedingConnection {
  roleArn: string;
  purpose: string;
}

export interface RolesNeedingConnection {
  roles: RoleNeedingConnection[];
  /** Roles we could not determine (a project that does not exist, a `#{variable}` project name). */
  unknown: PermissionFinding[];
}

export async function rolesNeedingConnection(
  declaration: PipelineDeclaration,
  location: SourceActionLocation,
  outputArtifactFormat: 'CODE_ZIP' | 'CODEBUILD_CLONE_REF',
): Promise<RolesNeedingConnection> {
  const action = findSourceAction(declaration, location);
  const roles: RoleNeedingConnection[] = [
    action?.roleArn ? { roleArn: action.roleArn, purpose: 'source action role' } : { roleArn: declaration.roleArn!, purpose: 'pipeline role' },
  ];
  const unknown: PermissionFinding[] = [];
  if (outputArtifactFormat !== 'CODEBUILD_CLONE_REF') return { roles, unknown };

  const consumers = codeBuildConsumers(declaration, location);
  for (const consumer of consumers.filter((candidate) => candidate.unresolvable)) {
    unknown.push({
      roleArn: '(unknown)',
      purpose: `CodeBuild action ${consumer.stageName}/${consumer.actionName}`,
      missing: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
      detail: `Could not find the project's service role: ${consumer.unresolvable}. Grant UseConnection to it yourself.`,
    });
  }
  const byRegion = new Map<string | undefined, typeof consumers>();
  for (const consumer of consumers.filter((candidate) => candidate.projectName)) {
    byRegion.set(consumer.region, [...(byRegion.get(consumer.region) ?? []), consumer]);
  }
  const account = parseRoleArn(declaration.roleArn ?? '')?.accountId;
  for (const [region, inRegion] of byRegion) {
    const names = [...new Set(inRegion.map((consumer) => consumer.projectName!))];
    // BatchGetProjects takes at most 100 names per call.
    for (let start = 0; start < names.length; start += 100) {
      const { projects = [], projectsNotFound = [] } = await codeBuildIn(region).send(new BatchGetProjectsCommand({ names: names.slice(start, start + 100) }));
      for (const project of projects) {
        // CodeBuild answers the role's ARN; a bare name is in the pipeline's account.
        const roleArn = project.serviceRole?.startsWith('arn:') || !account ? project.serviceRole : `arn:aws:iam::${account}:role/${project.serviceRole}`;
        if (roleArn) roles.push({ roleArn, purpose: `CodeBuild project ${project.name}` });
      }
      for (const missing of projectsNotFound) {
        unknown.push({
          roleArn: '(unknown)',
          purpose: `CodeBuild project ${missing}`,
          missing: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
          detail: `CodeBuild project ${missing}${region ? ` in ${region}` : ''} does not exist, so its service role is unknown; the full clone will fail until it exists and its role may use the connection.`,
        });
      }
    }
  }
  return { roles: dedupe(roles), unknown };
}

/** Which inline policy to put, before it is put: rollback must know about it even if we stop halfway. */
export function plannedGrant(role: RoleNeedingConnection, connectionArn: string, sharedTo?: string): RoleGrant | PermissionFinding {
  const parsed = parseRoleArn(role.roleArn);
  const connectionAccount = connectionArn.split(':')[4];
  if (!parsed) return useConnectionFinding(role, connectionArn, `${role.roleArn} is not an IAM role ARN.`);
  // A connection shared with AWS RAM is used with the receiving account's own IAM: its roles are granted there.
  const grantableIn = sharedTo ?? connectionAccount;
  if (parsed.accountId !== grantableIn) {
    return useConnectionFinding(role, connectionArn, `The role is in account ${parsed.accountId}, not the connection's account ${grantableIn}; grant UseConnection there yourself.`);
  }
  return { roleArn: role.roleArn, roleName: parsed.roleName, policyName: useConnectionPolicyName(connectionArn), purpose: role.purpose };
}

export function isGrant(value: RoleGrant | PermissionFinding): value is RoleGrant {
  return 'policyName' in value;
}

/** The policy of that name already on the role, if any (so rollback can put it back), or `role-missing`. */
export async function existingPolicy(iam: IAMClient, grant: RoleGrant): Promise<string | undefined | 'role-missing'> {
  try {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: grant.roleName, PolicyName: grant.policyName }));
    return PolicyDocument === undefined ? undefined : decodePolicy(PolicyDocument);
  } catch (error) {
    if (!(error instanceof NoSuchEntityException)) throw error;
    return (await roleExists(iam, grant.roleName)) ? undefined : 'role-missing';
  }
}

export async function putUseConnectionPolicy(iam: IAMClient, grant: RoleGrant, connectionArn: string): Promise<void> {
  await iam.send(
    new PutRolePolicyCommand({ RoleName: grant.roleName, PolicyName: grant.policyName, PolicyDocument: JSON.stringify(useConnectionPolicy(connectionArn)) }),
  );
}

/**
 * What the role's inline policies still do not allow. Only inline policies are read (the broker
 * may not read managed ones), so a permission granted by a managed policy is reported as missing
 * with a note saying so; an explicit Deny in an inline policy is reported as such.
 */
export async function checkUseConnection(
  iam: IAMClient,
  role: RoleNeedingConnection,
  connectionArn: string,
  context?: PolicyContext,
  /** The account a shared (AWS RAM) connection is used in: its roles are read there. */
  sharedTo?: string,
): Promise<PermissionFinding | undefined> {
  const parsed = parseRoleArn(role.roleArn);
  if (!parsed) return useConnectionFinding(role, connectionArn, `${role.roleArn} is not an IAM role ARN.`);
  if (parsed.accountId !== (sharedTo ?? connectionArn.split(':')[4])) {
    return useConnectionFinding(role, connectionArn, `The role is in account ${parsed.accountId}; the broker cannot read its policies.`);
  }
  let documents: string[];
  try {
    documents = await inlinePolicyDocuments(iam, parsed.roleName);
  } catch (error) {
    if (error instanceof NoSuchEntityException) return useConnectionFinding(role, connectionArn, `The role ${parsed.roleName} does not exist, so the pipeline cannot run.`);
    throw error;
  }
  const missing = missingUseConnection(documents, connectionArn, context);
  if (missing.length === 0) return undefined;
  const denied = missing.some(({ verdict }) => verdict === 'explicitly-denied');
  const conditional = missing.some(({ verdict }) => verdict === 'conditional');
  const detail = denied
    ? 'An inline policy of the role explicitly denies it.'
    : conditional
      ? 'Only statements with conditions allow it; the broker cannot tell whether they hold.'
      : 'No inline policy of the role allows it (managed policies are not checked: if one grants it, ignore this).';
  return { roleArn: role.roleArn, purpose: role.purpose, missing: missing.map(({ action, resource }) => `${action} on ${resource}`), detail };
}

async function inlinePolicyDocuments(iam: IAMClient, roleName: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
    names.push(...(page.PolicyNames ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const documents: string[] = [];
  for (const policyName of names) {
    try {
      const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
      if (PolicyDocument) documents.push(decodePolicy(PolicyDocument));
    } catch (error) {
      // Deleted between the list and the read: it grants nothing any more.
      if (!(error instanceof NoSuchEntityException)) throw error;
    }
  }
  return documents;
}

/** The role's tags (every page), or `missing` when the role does not exist; undefined when the ARN is not a role in this account. */
export async function roleTags(iam: IAMClient, roleArn: string, accountId: string): Promise<Record<string, string> | 'missing' | undefined> {
  const parsed = parseRoleArn(roleArn);
  if (!parsed || parsed.accountId !== accountId) return undefined;
  const tags: Record<string, string> = {};
  let marker: string | undefined;
  try {
    do {
      const page = await iam.send(new ListRoleTagsCommand({ RoleName: parsed.roleName, Marker: marker }));
      for (const tag of page.Tags ?? []) if (tag.Key) tags[tag.Key] = tag.Value ?? '';
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  } catch (error) {
    if (error instanceof NoSuchEntityException) return 'missing';
    throw error;
  }
  return tags;
}

async function roleExists(iam: IAMClient, roleName: string): Promise<boolean> {
  try {
    await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, MaxItems: 1 }));
    return true;
  } catch (error) {
    if (error instanceof NoSuchEntityException) return false;
    throw error;
  }
}

/** IAM answers policy documents URL-encoded. */
function decodePolicy(document: string): string {
  try {
    return decodeURIComponent(document);
  } catch {
    return document;
  }
}

function dedupe(roles: RoleNeedingConnection[]): RoleNeedingConnection[] {
  const seen = new Map<string, RoleNeedingConnection>();
  for (const role of roles) {
    const previous = seen.get(role.roleArn);
    seen.set(role.roleArn, previous ? { roleArn: role.roleArn, purpose: `${previous.purpose}, ${role.purpose}` } : role);
  }
  return [...seen.values()];
}
