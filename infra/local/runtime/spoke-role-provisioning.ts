import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { isDeepStrictEqual } from 'node:util';
import { parseCloudFormationYaml } from '../cloudformation-yaml.ts';
import { resolveSpokeRole, type ResolvedSpokeRole } from './spoke-role.ts';

/**
 * On AWS a service-managed StackSet gives every spoke account its role (infra/spoke-role.yml, README
 * "Many accounts"); locally nothing would, so registering an account (`PUT /v1/accounts/{accountId}`
 * answered 200 or 201) makes the role in that sandbox account from the same template, through the
 * sandbox's IAM API as the account's administrator (an access key of the twelve-digit account id).
 * Product code knows nothing of this: it only assumes the role, as on AWS.
 */
export const ACCOUNT_REGISTRATION_ROUTE = { method: 'PUT', path: '/v1/accounts/{accountId}' } as const;

export interface SpokeRoleProvisionerOptions {
  root: string;
  sandboxUrl: string;
  region: string;
  /** The hub: the sandbox's default account, where the functions run. */
  hubAccountId: string;
  /** The functions' settings, read at each registration (a test may have set its own). */
  settings: () => { SPOKE_EXTERNAL_ID?: string | undefined; SPOKE_ROLE_NAME?: string | undefined };
  /** One line per role made, for people (`npm start`); failures go to stderr without it. */
  log?: ((line: string) => void) | undefined;
}

export interface SpokeRoleProvisioner {
  /** After the registration route answered: makes (or updates) the role when the answer is 200/201. */
  afterRoute(route: { method: string; path: string }, event: { pathParameters?: Record<string, string | undefined> }, result: unknown): Promise<void>;
  /** Makes or updates the spoke role in the account; what it did. */
  provision(accountId: string): Promise<'created' | 'updated'>;
}

export function spokeRoleProvisioner(options: SpokeRoleProvisionerOptions): SpokeRoleProvisioner {
  const template = parseCloudFormationYaml(readFileSync(join(options.root, 'infra', 'spoke-role.yml'), 'utf8'));
  const report = (line: string) => (options.log ? options.log(line) : console.error(line));

  const provision = async (accountId: string) => {
    const settings = options.settings();
    const role = resolveSpokeRole(template, {
      spokeAccountId: accountId,
      region: options.region,
      parameters: spokeRoleParameters(options.hubAccountId, settings),
    });
    const client = new IAMClient({
      endpoint: options.sandboxUrl,
      region: options.region,
      credentials: { accessKeyId: accountId, secretAccessKey: 'local-administrator' },
    });
    try {
      return await putSpokeRole(client, role);
    } finally {
      client.destroy();
    }
  };

  return {
    provision,
    async afterRoute(route, event, result) {
      if (route.method.toUpperCase() !== ACCOUNT_REGISTRATION_ROUTE.method || route.path !== ACCOUNT_REGISTRATION_ROUTE.path) return;
      const status = typeof result === 'object' && result !== null ? (result as { statusCode?: unknown }).statusCode : undefined;
      const accountId = event.pathParameters?.accountId;
      if ((status !== 200 && status !== 201) || !accountId) return;
      // The functions only reach a spoke through the role (SPOKE_ROLE_NAME); without it there is nothing to make.
      const roleName = options.settings().SPOKE_ROLE_NAME;
      if (!roleName) return;
      try {
        await provision(accountId);
        options.log?.(`spoke role ${roleName} ready in ${accountId}`);
      } catch (error) {
        // The registration stands (on AWS the StackSet is separate from it); say why the role is missing.
        report(`spoke role ${roleName} could not be made in ${accountId}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
    },
  };
}

/**
 * What the StackSet would be given: the hub account, the functions' external id and role name; the
 * hub role pattern and grantable roles keep their defaults (the local stage's roles match them).
 */
export function spokeRoleParameters(
  hubAccountId: string,
  settings: { SPOKE_EXTERNAL_ID?: string | undefined; SPOKE_ROLE_NAME?: string | undefined },
): Record<string, string | undefined> {
  return { HubAccountId: hubAccountId, ExternalId: settings.SPOKE_EXTERNAL_ID, RoleName: settings.SPOKE_ROLE_NAME || undefined };
}

/** CreateRole, or bring an existing role in line (trust policy, inline policies), as a stack update would. */
async function putSpokeRole(client: IAMClient, role: ResolvedSpokeRole): Promise<'created' | 'updated'> {
  const trustPolicy = JSON.stringify(role.assumeRolePolicyDocument);
  const existing = await client.send(new GetRoleCommand({ RoleName: role.roleName })).catch((error: unknown) => {
    if ((error as { name?: string }).name === 'NoSuchEntityException') return undefined;
    throw error;
  });
  let outcome: 'created' | 'updated' = 'updated';
  if (!existing?.Role) {
    await createRole(client, role, trustPolicy);
    outcome = 'created';
  } else if (!isDeepStrictEqual(parsePolicy(existing.Role.AssumeRolePolicyDocument), role.assumeRolePolicyDocument)) {
    try {
      await client.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.roleName, PolicyDocument: trustPolicy }));
    } catch (error) {
      if (!isUnsupportedOperation(error)) throw error;
      // A sandbox without UpdateAssumeRolePolicy: the role is made again (its role id changes).
      await deleteRole(client, role.roleName);
      await createRole(client, role, trustPolicy);
      outcome = 'created';
    }
  }
  for (const policy of role.policies) {
    await client.send(new PutRolePolicyCommand({ RoleName: role.roleName, PolicyName: policy.policyName, PolicyDocument: JSON.stringify(policy.policyDocument) }));
  }
  // A policy the template no longer has goes, as CloudFormation removes it on update.
  const wanted = new Set(role.policies.map((policy) => policy.policyName));
  for (const name of await inlinePolicyNames(client, role.roleName)) {
    if (!wanted.has(name)) await client.send(new DeleteRolePolicyCommand({ RoleName: role.roleName, PolicyName: name }));
  }
  return outcome;
}

async function createRole(client: IAMClient, role: ResolvedSpokeRole, trustPolicy: string): Promise<void> {
  await client.send(
    new CreateRoleCommand({
      RoleName: role.roleName,
      AssumeRolePolicyDocument: trustPolicy,
      ...(role.description === undefined ? {} : { Description: role.description }),
      ...(role.maxSessionDuration === undefined ? {} : { MaxSessionDuration: role.maxSessionDuration }),
    }),
  );
}

async function deleteRole(client: IAMClient, roleName: string): Promise<void> {
  for (const name of await inlinePolicyNames(client, roleName)) await client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
  await client.send(new DeleteRoleCommand({ RoleName: roleName }));
}

async function inlinePolicyNames(client: IAMClient, roleName: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new ListRolePoliciesCommand({ RoleName: roleName, ...(marker ? { Marker: marker } : {}) }));
    names.push(...(page.PolicyNames ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return names;
}

/** IAM returns policy documents URL-encoded. */
function parsePolicy(document: string | undefined): unknown {
  if (!document) return undefined;
  try {
    return JSON.parse(decodeURIComponent(document)) as unknown;
  } catch {
    return undefined;
  }
}

function isUnsupportedOperation(error: unknown): boolean {
  const name = (error as { name?: string }).name;
  return name === 'InvalidAction' || name === 'UnknownOperationException';
}
