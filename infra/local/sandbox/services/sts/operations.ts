import { createHash, randomBytes, randomInt } from 'node:crypto';
import { isoSeconds } from '../iam/roles.ts';
import type { CallContext } from '../../context.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import type { IamLookup } from '../lookups.ts';
import { durationExceedsChainingLimit, durationExceedsRoleMaximum, invalidRoleArn, notAuthorizedToAssume } from './errors.ts';
import { assumedRoleArn, findSession, stsState, type StoredSession } from './state.ts';
import { trustPolicyAllows, type Caller } from './trust-policy.ts';

/** What STS reads of IAM: the role (trust policy, id, session limit) and its policies. */
export type StsIamLookup = Required<Pick<IamLookup, 'role' | 'inlinePolicies'>>;

/** AssumeRole's default session length (API reference, DurationSeconds). */
export const DEFAULT_DURATION_SECONDS = 3600;
/** A role session that assumes another role gets at most an hour ("role chaining", IAM User Guide). */
const ROLE_CHAINING_LIMIT_SECONDS = 3600;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const ASSUMED_ROLE_ARN = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

interface AssumeRoleInput {
  RoleArn: string;
  RoleSessionName: string;
  DurationSeconds?: number;
  ExternalId?: string;
  SourceIdentity?: string;
}

/**
 * STS's AssumeRole and GetCallerIdentity. The inputs have passed the model's checks (input.ts); the
 * caller's identity policies have been checked for `sts:AssumeRole` on the role by the server, as
 * for any call (GetCallerIdentity needs no permission: "No permissions are required to perform
 * this operation", API reference).
 */
export function createStsOperations({ store, clock }: SandboxDeps, iam: StsIamLookup): Record<string, OperationHandler> {
  return {
    AssumeRole(input: AssumeRoleInput, call: CallContext) {
      if (!input.RoleArn.startsWith('arn:')) throw invalidRoleArn();
      const caller = callerOf(call, iam);
      const role = roleNamedBy(input.RoleArn, iam);
      const context = {
        'aws:PrincipalAccount': caller.accountId,
        'aws:PrincipalArn': caller.roleArn ?? caller.arn,
        'sts:RoleSessionName': input.RoleSessionName,
        'sts:ExternalId': input.ExternalId,
        'sts:SourceIdentity': input.SourceIdentity,
      };
      if (!role || !trustPolicyAllows(role.assumeRolePolicyDocument, caller, role.arn, context)) {
        throw notAuthorizedToAssume(caller.arn, input.RoleArn);
      }
      const durationSeconds = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
      if (durationSeconds > role.maxSessionDuration) throw durationExceedsRoleMaximum();
      if (caller.roleArn !== undefined && durationSeconds > ROLE_CHAINING_LIMIT_SECONDS) throw durationExceedsChainingLimit();

      const session: StoredSession = {
        accessKeyId: newAccessKeyId(),
        accountId: role.accountId,
        roleName: role.roleName,
        roleId: role.roleId,
        roleArn: role.arn,
        sessionName: input.RoleSessionName,
        // Whole seconds, so that the Expiration the caller reads is the moment the session ends.
        expiresAtMs: Math.floor(clock.nowMs() / 1000) * 1000 + durationSeconds * 1000,
      };
      const state = stsState(store);
      state.sessions[session.accessKeyId] = session;
      store.markChanged(state, 'sessions', session.accessKeyId);
      return {
        Credentials: {
          AccessKeyId: session.accessKeyId,
          SecretAccessKey: randomBytes(30).toString('base64'),
          SessionToken: randomBytes(192).toString('base64'),
          Expiration: isoSeconds(session.expiresAtMs),
        },
        AssumedRoleUser: { AssumedRoleId: `${session.roleId}:${session.sessionName}`, Arn: assumedRoleArn(session) },
        SourceIdentity: input.SourceIdentity,
      };
    },

    GetCallerIdentity(_input: unknown, call: CallContext) {
      const session = call.accessKeyId === undefined ? undefined : findSession(store, call.accessKeyId);
      if (session) return { UserId: `${session.roleId}:${session.sessionName}`, Account: session.accountId, Arn: assumedRoleArn(session) };
      const assumed = call.principalArn === undefined ? null : ASSUMED_ROLE_ARN.exec(call.principalArn);
      if (assumed) {
        const [, accountId, roleName, sessionName] = assumed as unknown as [string, string, string, string];
        const roleId = iam.role(accountId, roleName)?.roleId ?? stableRoleId(accountId, roleName);
        return { UserId: `${roleId}:${sessionName}`, Account: accountId, Arn: call.principalArn };
      }
      // Any other key is the account's administrator: AWS reports the root user, whose id is the account's.
      return { UserId: call.accountId, Account: call.accountId, Arn: rootArn(call.accountId) };
    },
  };
}

/** The caller as a trust policy sees it: a role session (STS's or a function's), or the account's root. */
function callerOf(call: CallContext, iam: StsIamLookup): Caller {
  const assumed = call.principalArn === undefined ? null : ASSUMED_ROLE_ARN.exec(call.principalArn);
  if (!assumed) return { accountId: call.accountId, arn: call.principalArn ?? rootArn(call.accountId) };
  const [, accountId, roleName] = assumed as unknown as [string, string, string];
  const roleArn = iam.role(accountId, roleName)?.arn ?? `arn:aws:iam::${accountId}:role/${roleName}`;
  return { accountId, arn: call.principalArn!, roleArn };
}

/** The role the ARN names, if it exists in the sandbox's IAM with exactly that path. */
function roleNamedBy(roleArn: string, iam: StsIamLookup) {
  const match = ROLE_ARN.exec(roleArn);
  if (!match) return undefined;
  const accountId = match[1]!;
  const role = iam.role(accountId, match[2]!);
  return role && role.arn.toLowerCase() === roleArn.toLowerCase() ? { ...role, accountId } : undefined;
}

const rootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Temporary credentials' key ids start with ASIA (long-term keys with AKIA): 20 characters in all. */
function newAccessKeyId(): string {
  let id = 'ASIA';
  for (let index = 0; index < 16; index++) id += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return id;
}

/**
 * A role the sandbox's IAM does not hold (a function's role, from the packaged template) still
 * needs a role id for its sessions' UserId: the same one each time, shaped like IAM's.
 */
function stableRoleId(accountId: string, roleName: string): string {
  const digest = createHash('sha256').update(`${accountId}:${roleName}`).digest('hex').toUpperCase();
  return `AROA${digest.replace(/[^A-Z0-9]/g, '').slice(0, 17).padEnd(17, '0')}`;
}
