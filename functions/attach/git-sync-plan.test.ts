import { describe, expect, it } from 'vitest';
import { FIRST_SYNC_PATIENCE_MS, firstSyncOutcome, GIT_SYNC_PRINCIPAL, repositoryParts, trustsGitSync, trustWithGitSync, trustWithoutGitSync } from './git-sync-plan.ts';

const codeBuildTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

describe('repositoryParts', () => {
  it('splits owner and name at the last slash, keeping GitLab subgroups with the owner', () => {
    expect(repositoryParts('acme/payments-infra')).toEqual({ ownerId: 'acme', repositoryName: 'payments-infra' });
    expect(repositoryParts('acme/platform/infra')).toEqual({ ownerId: 'acme/platform', repositoryName: 'infra' });
  });
});

describe('trustWithGitSync', () => {
  it('adds Git sync as a statement of its own and keeps the rest as it was', () => {
    const trusted = trustWithGitSync(codeBuildTrust);
    expect(trusted?.Statement).toEqual([codeBuildTrust.Statement[0], { Sid: 'ConnectionBrokerGitSync', Effect: 'Allow', Principal: { Service: GIT_SYNC_PRINCIPAL }, Action: 'sts:AssumeRole' }]);
    expect(trustsGitSync(trusted!)).toBe(true);
  });

  it('changes nothing when Git sync is trusted already, in a list of services too', () => {
    expect(trustWithGitSync({ Statement: [{ Effect: 'Allow', Principal: { Service: ['codebuild.amazonaws.com', GIT_SYNC_PRINCIPAL] }, Action: ['sts:AssumeRole'] }] })).toBeUndefined();
  });

  it('does not count a Deny, or another action, as trust', () => {
    expect(trustsGitSync({ Statement: { Effect: 'Deny', Principal: { Service: GIT_SYNC_PRINCIPAL }, Action: 'sts:AssumeRole' } })).toBe(false);
    expect(trustsGitSync({ Statement: { Effect: 'Allow', Principal: { Service: GIT_SYNC_PRINCIPAL }, Action: 'sts:TagSession' } })).toBe(false);
  });
});

describe('trustWithoutGitSync', () => {
  it('takes back only the broker’s statement, keeping what others changed since', () => {
    const added = trustWithGitSync(codeBuildTrust)!;
    const editedSince = { ...added, Statement: [...(added.Statement as object[]), { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    expect(trustWithoutGitSync(editedSince as never)?.Statement).toEqual([codeBuildTrust.Statement[0], { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(trustWithoutGitSync(codeBuildTrust)).toBeUndefined();
  });
});

describe('firstSyncOutcome', () => {
  it('waits for the first sync, completes on success, rolls back on failure, and stops at an open blocker whatever the status', () => {
    expect(firstSyncOutcome({ activeBlockers: 0 })).toBe('waiting');
    expect(firstSyncOutcome({ latestStatus: 'INITIATED', activeBlockers: 0 })).toBe('waiting');
    expect(firstSyncOutcome({ latestStatus: 'IN_PROGRESS', activeBlockers: 0 })).toBe('waiting');
    expect(firstSyncOutcome({ latestStatus: 'SUCCEEDED', activeBlockers: 0 })).toBe('done');
    expect(firstSyncOutcome({ latestStatus: 'FAILED', activeBlockers: 0 })).toBe('failed');
    expect(firstSyncOutcome({ latestStatus: 'FAILED', activeBlockers: 1 })).toBe('blocked');
  });

  it('completes without the end of a first deployment still under way after FIRST_SYNC_PATIENCE_MS, but not one Git sync never started', () => {
    const patience = FIRST_SYNC_PATIENCE_MS;
    expect(firstSyncOutcome({ latestStatus: 'IN_PROGRESS', activeBlockers: 0, waitedMs: patience - 1 })).toBe('waiting');
    for (const latestStatus of ['INITIATED', 'IN_PROGRESS', 'QUEUED']) expect(firstSyncOutcome({ latestStatus, activeBlockers: 0, waitedMs: patience })).toBe('deploying');
    expect(firstSyncOutcome({ activeBlockers: 0, waitedMs: patience * 2 })).toBe('waiting');
    expect(firstSyncOutcome({ latestStatus: 'IN_PROGRESS', activeBlockers: 0 })).toBe('waiting');
    expect(firstSyncOutcome({ latestStatus: 'FAILED', activeBlockers: 0, waitedMs: patience })).toBe('failed');
    // Well inside the FirstRun state's retries (20 looks, 10 s growing by 1.5 to at most 60 s: about 17 minutes).
    expect(patience).toBeLessThanOrEqual(15 * 60_000);
  });
});
