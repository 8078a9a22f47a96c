import type { ConnectionRequestRecord, RequestStatus, RoleGrant } from '../request/model.ts';

/**
 * What rollback undoes, in order: the pipeline reference (so nothing runs against what goes next),
 * Git sync's configuration, repository link and role trust, the UseConnection policies this request put on roles, the connection, then the host; for a shared
 * connection, the account's association with the hub's resource share instead of those two.
 */
export type RollbackStep =
  | { kind: 'restore-pipeline'; pipelineName: string }
  | { kind: 'repoint-back'; pipelineName: string; from: string; to: string }
  | { kind: 'delete-sync-configuration'; stackName: string }
  | { kind: 'delete-repository-link'; repositoryLinkId: string }
  | { kind: 'restore-trust'; roleName: string; document: string }
  | { kind: 'remove-grant'; grant: RoleGrant }
  | { kind: 'leave-share'; shareArn: string; accountId: string }
  | { kind: 'delete-connection'; connectionArn: string }
  | { kind: 'release-host'; hostArn: string; deleteIfUnused: boolean };

export function planRollback(record: ConnectionRequestRecord): RollbackStep[] {
  const steps: RollbackStep[] = [];
  // A replacement's pipelines go back to the connection they had, which is still there: the old
  // one is decommissioned only after the replacement completed.
  for (const moved of record.repointed ?? []) {
    if (record.replaces && record.connectionArn) steps.push({ kind: 'repoint-back', pipelineName: moved.pipelineName, from: record.connectionArn, to: record.replaces.connectionArn });
  }
  // An action that already pointed at the connection before we came is not ours to restore.
  if (record.pipeline && record.attachment !== undefined && (record.attachment.actionChanged !== false || record.attachment.trigger?.changed)) {
    steps.push({ kind: 'restore-pipeline', pipelineName: record.pipeline.name });
  }
  // Git sync: the sync configuration first (it holds the link), then the link if this request made
  // it (kept while another sync uses it), then the role's trust as it was; its grant goes with the rest.
  const gitSync = record.gitSyncState;
  if (record.gitSync && gitSync?.syncConfigurationCreated) steps.push({ kind: 'delete-sync-configuration', stackName: record.gitSync.stackName });
  if (gitSync?.repositoryLinkId && gitSync.linkCreatedByRequest) steps.push({ kind: 'delete-repository-link', repositoryLinkId: gitSync.repositoryLinkId });
  if (gitSync?.trust) steps.push({ kind: 'restore-trust', roleName: gitSync.trust.roleName, document: gitSync.trust.previousDocument });
  for (const grant of record.grants ?? []) steps.push({ kind: 'remove-grant', grant });
  // A shared request borrowed the hub's connection: it leaves the account's association, which goes
  // when no other request uses it and the broker made it (never the share, never the connection).
  if (record.connectionStrategy === 'shared') {
    if (record.share?.shareArn && record.accountId) {
      steps.push({ kind: 'leave-share', shareArn: record.share.shareArn, accountId: record.accountId });
    }
    return steps;
  }
  if (record.connectionArn) steps.push({ kind: 'delete-connection', connectionArn: record.connectionArn });
  if (record.hostArn) {
    steps.push({ kind: 'release-host', hostArn: record.hostArn, deleteIfUnused: record.hostCreatedByRequest === true });
  }
  return steps;
}

/** The error that ended the workflow, as Step Functions hands it to a Catch (`Error`, `Cause`). */
export interface WorkflowFailure {
  Error?: string;
  Cause?: string;
}

/** How a request ends, given why the workflow stopped. */
export function outcomeOf(failure: WorkflowFailure | undefined): { status: RequestStatus; failure?: { code: string; message: string } } {
  const code = failure?.Error ?? 'Unknown';
  const message = causeMessage(failure?.Cause) ?? code;
  switch (code) {
    case 'Rejected':
      return { status: 'REJECTED', failure: { code, message } };
    case 'Cancelled':
      return { status: 'CANCELLED', failure: { code, message } };
    case 'States.Timeout':
      return { status: 'TIMED_OUT', failure: { code: 'ApprovalTimedOut', message: 'Nobody completed the handshake and approved in time.' } };
    // The host wait's timeout, named by the state machine (a Pass state) so it reads apart from the approval's.
    case 'HostSetupTimedOut':
      return { status: 'TIMED_OUT', failure: { code, message } };
    default:
      return { status: 'FAILED', failure: { code, message } };
  }
}

/**
 * The workflow failure that {@link outcomeOf} turns into a recorded failure, back again: a rollback
 * taken up anew (the local runtime re-driving a request after a restart) ends as the first one
 * would have.
 */
export function workflowFailureOf(recorded: { code: string; message: string } | undefined): WorkflowFailure {
  if (!recorded) return { Error: 'Unknown', Cause: 'Unknown' };
  if (recorded.code === 'ApprovalTimedOut') return { Error: 'States.Timeout', Cause: recorded.message };
  return { Error: recorded.code, Cause: recorded.message };
}

/** Lambda errors reach Catch as a JSON Cause `{errorType, errorMessage}`; others as plain text. */
function causeMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // plain text cause
  }
  return cause;
}
