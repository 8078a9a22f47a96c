import type { Principal } from '../../authorization/authorizer.ts';
import { SmithyModel } from '../../model/smithy-model.ts';
import { GENERIC_SERVER_ERROR, type OperationHandler, type QueryProtocolService, type SandboxDeps, type SandboxModule } from '../../service.ts';
import { readInput } from './input.ts';
import { createStsOperations, type StsIamLookup } from './operations.ts';
import { assumedRoleArn, findSession, STS_SLICE, type StoredSession, type StsState } from './state.ts';

const stsModel = SmithyModel.load(new URL('../../models/sts.smithy.json', import.meta.url));

/**
 * STS over the AWS query protocol (SigV4 signing name `sts`, which tells its requests from IAM's):
 * AssumeRole and GetCallerIdentity. A session is a principal like a function's credentials: its
 * calls act in the role's account and are authorised against the role's policies as they are now.
 */
export function createStsModule(deps: SandboxDeps, lookups: { iam: StsIamLookup }): SandboxModule {
  const operations = createStsOperations(deps, lookups.iam);
  const service: QueryProtocolService = {
    name: 'sts',
    signingName: 'sts',
    apiVersion: '2011-06-15',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    throttling: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
    serverError: GENERIC_SERVER_ERROR,
    // Every operation's input is read against the model first, as STS's front end does.
    operations: Object.fromEntries(
      Object.entries(operations).map(([name, handler]): [string, OperationHandler] => [
        name,
        (input: Record<string, unknown>, call) => handler(readInput(stsModel, name, input), call),
      ]),
    ),
  };

  const sessionPrincipal = (session: StoredSession): Principal => ({
    accessKeyId: session.accessKeyId,
    arn: assumedRoleArn(session),
    accountId: session.accountId,
    expiresAtMs: session.expiresAtMs,
    // Read at each call: IAM evaluates the role's policies as they are now. A role deleted (or
    // deleted and created again under the same name) no longer gives its old sessions anything.
    get policies() {
      const role = lookups.iam.role(session.accountId, session.roleName);
      if (role?.roleId !== session.roleId) return [];
      return (lookups.iam.inlinePolicies(session.accountId, session.roleName) ?? []).map(({ document }) => document);
    },
  });

  return {
    queryServices: [service],
    principals(accessKeyId) {
      const session = findSession(deps.store, accessKeyId);
      return session && sessionPrincipal(session);
    },
    inventory() {
      const sessions = Object.values(deps.store.slicesOf<StsState>(STS_SLICE)[0]?.data.sessions ?? {});
      const nowMs = deps.clock.nowMs();
      return {
        sts: {
          sessions: sessions.map((session) => ({
            accessKeyId: session.accessKeyId,
            arn: assumedRoleArn(session),
            roleArn: session.roleArn,
            expiration: new Date(session.expiresAtMs).toISOString(),
            expired: nowMs >= session.expiresAtMs,
          })),
        },
      };
    },
  };
}
