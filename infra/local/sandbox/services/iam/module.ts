import type { QueryProtocolService, SandboxDeps, SandboxModule } from '../../service.ts';
import type { IamLookup } from '../lookups.ts';
import { iamControlRoutes, roleSummary } from './control-routes.ts';
import { createIamOperations } from './operations.ts';
import { existingAccountState, findRole, IAM_SLICE, type IamAccountState, type StoredTag } from './state.ts';

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

const tagMap = (tags: StoredTag[]): Record<string, string> => Object.fromEntries(tags.map(({ Key, Value }) => [Key, Value]));

/** IAM over the AWS query protocol: roles, their inline policies and tags, global per account. */
export function createIamModule(deps: SandboxDeps): SandboxModule & { lookup: Required<IamLookup> } {
  const service: QueryProtocolService = {
    name: 'iam',
    signingName: 'iam',
    apiVersion: '2010-05-08',
    xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    throttling: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
    serverError: {
      code: 'ServiceFailure',
      status: 500,
      message: 'The request processing has failed because of an unknown error, exception or failure.',
    },
    operations: createIamOperations(deps),
  };

  const lookup: Required<IamLookup> = {
    role(accountId, roleName) {
      const state = existingAccountState(deps.store, accountId);
      const role = state && findRole(state, roleName);
      if (!role) return undefined;
      const { arn, roleId, assumeRolePolicyDocument, maxSessionDuration } = role;
      return { arn, roleName: role.roleName, roleId, assumeRolePolicyDocument, maxSessionDuration };
    },
    inlinePolicies(accountId, roleName) {
      const state = existingAccountState(deps.store, accountId);
      const role = state && findRole(state, roleName);
      // IAM is eventually consistent: a policy put less than iamPropagationSeconds ago (sandbox
      // clock) does not yet count for what other services do as the role. The IAM API itself
      // answers it at once, as AWS does.
      const settledBefore = deps.clock.nowMs() - deps.config.iamPropagationSeconds * 1000;
      // Stored documents passed IAM's checks, so they parse.
      return role?.inlinePolicies
        .filter(({ putAtMs }) => putAtMs === undefined || putAtMs <= settledBefore)
        .map(({ policyName, policyDocument }) => ({ policyName, document: JSON.parse(policyDocument) as unknown }));
    },
    roleTags(accountId, roleName) {
      const state = existingAccountState(deps.store, accountId);
      const role = state && findRole(state, roleName);
      return role && tagMap(role.tags);
    },
  };

  return {
    queryServices: [service],
    controlRoutes: iamControlRoutes(deps),
    lookup,
    resourceFacts: {
      roleArn(accountId, roleName) {
        const state = existingAccountState(deps.store, accountId);
        return state ? findRole(state, roleName)?.arn : undefined;
      },
      // A role's tags are its aws:ResourceTag/<key> when an IAM call names it.
      resourceTags(arn) {
        const match = ROLE_ARN.exec(arn);
        if (!match) return undefined;
        const state = existingAccountState(deps.store, match[1]!);
        const role = state && findRole(state, match[2]!);
        return role && role.arn === arn ? tagMap(role.tags) : undefined;
      },
    },
    inventory() {
      const accounts = deps.store.slicesOf<IamAccountState>(IAM_SLICE).map(({ scope, data }) => [
        scope[0]!,
        { roles: data.roles.map(roleSummary) },
      ]);
      return { iam: Object.fromEntries(accounts) };
    },
  };
}
