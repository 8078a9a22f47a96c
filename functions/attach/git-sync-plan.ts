/**
 * Git sync's decisions, pure: where a repository is (owner and name), whether a role's trust policy
 * lets Git sync assume it (and the policy that does), and what the first sync's status means for the
 * workflow. functions/attach/git-sync.ts acts on them.
 */

/** The service principal Git sync assumes a stack's role as (CodeConnections user guide, "Git sync" IAM role). */
export const GIT_SYNC_PRINCIPAL = 'cloudformation.sync.codeconnections.amazonaws.com';

/** `owner/name` → CreateRepositoryLink's OwnerId and RepositoryName; a GitLab path's subgroups stay with the owner. */
export function repositoryParts(repository: string): { ownerId: string; repositoryName: string } {
  const at = repository.lastIndexOf('/');
  return { ownerId: repository.slice(0, at), repositoryName: repository.slice(at + 1) };
}

interface PolicyStatement {
  Effect?: string;
  Principal?: string | { Service?: string | string[]; [kind: string]: unknown };
  Action?: string | string[];
  [key: string]: unknown;
}

interface PolicyDocument {
  Version?: string;
  Statement?: PolicyStatement | PolicyStatement[];
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Whether the trust policy already lets Git sync assume the role (an Allow of sts:AssumeRole to its principal). */
export function trustsGitSync(document: PolicyDocument): boolean {
  return asList(document.Statement).some(
    (statement) =>
      statement.Effect === 'Allow' &&
      typeof statement.Principal === 'object' &&
      asList(statement.Principal.Service).includes(GIT_SYNC_PRINCIPAL) &&
      asList(statement.Action).some((action) => action === 'sts:AssumeRole' || action === 'sts:*' || action === '*'),
  );
}

/**
 * The trust policy with Git sync added as a statement of its own (nothing else changes, so a
 * rollback can put the old document back as it was), or undefined when it trusts Git sync already.
 */
export function trustWithGitSync(document: PolicyDocument): PolicyDocument | undefined {
  if (trustsGitSync(document)) return undefined;
  return {
    Version: document.Version ?? '2012-10-17',
    Statement: [...asList(document.Statement), { Sid: GIT_SYNC_TRUST_SID, Effect: 'Allow', Principal: { Service: GIT_SYNC_PRINCIPAL }, Action: 'sts:AssumeRole' }],
  };
}

/** The Sid of the statement the broker adds; only that one is ever taken back. */
export const GIT_SYNC_TRUST_SID = 'ConnectionBrokerGitSync';

/**
 * The trust policy without the broker's Git sync statement (whatever else changed since stays), or
 * undefined when it has none.
 */
export function trustWithoutGitSync(document: PolicyDocument): PolicyDocument | undefined {
  const statements = asList(document.Statement);
  const kept = statements.filter((statement) => statement.Sid !== GIT_SYNC_TRUST_SID);
  return kept.length === statements.length ? undefined : { ...document, Statement: kept };
}

export interface SyncFacts {
  /** The latest sync attempt's status (GetResourceSyncStatus), absent before the first. */
  latestStatus?: string;
  /** How many ACTIVE blockers GetSyncBlockerSummary lists. */
  activeBlockers: number;
}

/**
 * What the first sync means for the request: `done` once a sync SUCCEEDED; `blocked` while a
 * blocker is open (Git sync stops until someone resolves it: the request completes with that as
 * its next action); `failed` rolls back; `waiting` looks again.
 */
export function firstSyncOutcome(facts: SyncFacts): 'done' | 'blocked' | 'failed' | 'waiting' {
  if (facts.activeBlockers > 0) return 'blocked';
  if (facts.latestStatus === 'SUCCEEDED') return 'done';
  if (facts.latestStatus === 'FAILED') return 'failed';
  return 'waiting';
}
