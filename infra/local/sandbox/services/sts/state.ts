import type { SandboxStore } from '../../store.ts';

/**
 * One AssumeRole session. The secret and the session token are not kept: the sandbox checks no
 * signature, it only reads the access key id from the credential scope.
 */
export interface StoredSession {
  accessKeyId: string;
  /** The role's account: calls signed with the session's key act in it. */
  accountId: string;
  /** The role's name as IAM stores it (the ARN's last segment). */
  roleName: string;
  /** The role's unique id when assumed: a role deleted and created again is another role. */
  roleId: string;
  roleArn: string;
  sessionName: string;
  /** Sandbox clock, epoch ms. */
  expiresAtMs: number;
}

/**
 * STS's sessions, by access key id (`ASIA` and sixteen upper-case alphanumerics, never an object
 * key JavaScript treats specially). Kept in the store, so a restarted sandbox still knows whose
 * credentials a caller holds.
 */
export interface StsState {
  sessions: Record<string, StoredSession>;
}

export const STS_SLICE = 'sts';
const SESSIONS_SCOPE = ['sessions'];

/** Always fetched afresh: a control-API reset replaces every slice. */
export function stsState(store: SandboxStore): StsState {
  return store.slice<StsState>(STS_SLICE, SESSIONS_SCOPE, () => ({ sessions: {} }));
}

/** The session with this access key, without creating an empty slice (every call asks). */
export function findSession(store: SandboxStore, accessKeyId: string): StoredSession | undefined {
  const state = store.slicesOf<StsState>(STS_SLICE)[0]?.data;
  return state && Object.hasOwn(state.sessions, accessKeyId) ? state.sessions[accessKeyId] : undefined;
}

/** `arn:aws:sts::{account}:assumed-role/{role name}/{session name}`: the role's path is not in it. */
export function assumedRoleArn(session: Pick<StoredSession, 'accountId' | 'roleName' | 'sessionName'>): string {
  return `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`;
}
