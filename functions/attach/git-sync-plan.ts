/**
 * Git sync's decisions, pure: where a repository is (owner and name), whether a role's trust policy
 * lets Git sync assume it (and the policy that does), and what the first sync's status means for the
 * workflow. functions/attach/git-sync.ts acts on them.
 */

/** Git sync's one kind of sync configuration: a CloudFormation stack. */
export const SYNC_TYPE = 'CFN_STACK_SYNC';

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

export interface PolicyDocument {
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
  /** How long since the sync configuration was made (absent: unknown). */
  waitedMs?: number;
}

/**
 * How long the workflow watches a first sync that is under way before it completes without its end:
 * a stack's first deployment can take far longer than the FirstRun state's retries (about 17
 * minutes), and a healthy deployment is no reason to roll back and delete its sync configuration.
 * Well inside that budget, so the last look still comes before the retries run out.
 */
export const FIRST_SYNC_PATIENCE_MS = 12 * 60_000;

/** An attempt Git sync has started and not finished. */
const UNDER_WAY = new Set(['INITIATED', 'IN_PROGRESS', 'QUEUED']);

/**
 * What the first sync means for the request: `done` once a sync SUCCEEDED; `blocked` while a
 * blocker is open (Git sync stops until someone resolves it: the request completes with that as
 * its next action); `failed` rolls back; `deploying` when an attempt is still under way after
 * FIRST_SYNC_PATIENCE_MS (the request completes, the deployment goes on); `waiting` looks again.
 * Git sync that has not started an attempt by then is not `deploying`: the wait runs out and rolls back.
 */
export function firstSyncOutcome(facts: SyncFacts): 'done' | 'blocked' | 'failed' | 'deploying' | 'waiting' {
  if (facts.activeBlockers > 0) return 'blocked';
  if (facts.latestStatus === 'SUCCEEDED') return 'done';
  if (facts.latestStatus === 'FAILED') return 'failed';
  if (facts.latestStatus !== undefined && UNDER_WAY.has(facts.latestStatus) && (facts.waitedMs ?? 0) >= FIRST_SYNC_PATIENCE_MS) return 'deploying';
  return 'waiting';
}
