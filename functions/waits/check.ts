import { GetConnectionCommand, GetHostCommand, ListHostsCommand, ResourceNotFoundException } from '@aws-sdk/client-codestar-connections';
import { resourceKey } from '../audit/resource-key.ts';
import { connectionsClientFor } from '../adapters/aws/codestar-connections.ts';
import { workflowContext } from '../workflow/context.ts';
import type { NoticeOptions } from '../workflow/notifications.ts';
import { actOn } from './act.ts';
import { DEFAULT_MISSING_AFTER_SECONDS, decideWait, type ObservedResource } from './sweep-plan.ts';
import type { WaitKind } from './wait-store.ts';

/** What "check now" found and did. */
export type CheckOutcome =
  /** The request waits on no person's step (it is working, finished, or not yet waiting). */
  | { outcome: 'not-waiting' }
  | {
      outcome: 'resumed' | 'failed' | 'still-waiting' | 'needs-approval';
      waitingOn: WaitKind;
      resourceArn: string;
      /** The host's or connection's status as AWS gave it just now. */
      resourceStatus: string;
    };

/**
 * "Done — check now" (Slack) and POST /v1/connection-requests/{id}/check: look at the one
 * request's host or connection at once and act exactly as the minute sweep would. Reminders stay
 * the sweep's. `needs-approval`: the handshake is done but APPROVAL_MODE=explicit wants an Approve.
 */
export async function checkRequest(requestId: string, checkedBy: string, slack: NoticeOptions = {}): Promise<CheckOutcome> {
  const { waits, config } = workflowContext();
  const [wait] = await waits.forRequest(requestId);
  if (!wait) return { outcome: 'not-waiting' };
  const observed = await observe(wait.kind, wait.resourceArn);
  const decision = decideWait(wait, observed, new Date(), { approvalSchedule: config.approvalSchedule, missingAfterSeconds: DEFAULT_MISSING_AFTER_SECONDS });
  const facts = { waitingOn: wait.kind, resourceArn: wait.resourceArn, resourceStatus: observed?.status ?? 'NOT_FOUND' };
  if (decision.kind !== 'resume' && decision.kind !== 'fail') {
    return { ...facts, outcome: wait.kind === 'handshake' && observed?.status === 'AVAILABLE' ? 'needs-approval' : 'still-waiting' };
  }
  const acted = await actOn(decision, { by: 'check', who: checkedBy }, slack);
  if (acted === 'resumed') return { ...facts, outcome: 'resumed' };
  if (acted === 'failed') return { ...facts, outcome: 'failed' };
  // Over meanwhile (resumed by the sweep, cancelled): nothing waits any more.
  return { outcome: 'not-waiting' };
}

async function observe(kind: WaitKind, arn: string): Promise<ObservedResource | undefined> {
  const aws = workflowContext().awsForArn(arn);
  const client = connectionsClientFor(arn, aws);
  try {
    if (kind === 'handshake') {
      const { Connection } = await client.send(new GetConnectionCommand({ ConnectionArn: arn }));
      return { status: Connection?.ConnectionStatus ?? 'UNKNOWN' };
    }
    const host = await client.send(new GetHostCommand({ HostArn: arn }));
    const status = host.Status ?? 'UNKNOWN';
    // GetHost has no StatusMessage; ListHosts does, and a failed VPC host's reason is worth a list.
    return status === 'VPC_CONFIG_FAILED_INITIALIZATION' ? { status, statusMessage: await statusMessageOf(arn) } : { status };
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function statusMessageOf(hostArn: string): Promise<string | undefined> {
  const aws = workflowContext().awsForArn(hostArn);
  let nextToken: string | undefined;
  do {
    const page = await aws.connections.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken }));
    const host = page.Hosts?.find((candidate) => resourceKey(candidate.HostArn!) === resourceKey(hostArn));
    if (host) return host.StatusMessage;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** What the person who asked to check is told, in the API answer and the Slack reply alike. */
export function checkMessage(check: CheckOutcome, requestStatus: string): string {
  if (check.outcome === 'not-waiting') return `Request is ${requestStatus}: it is not waiting for a step in the AWS console, so there was nothing to check.`;
  const what = check.waitingOn === 'host-setup' ? 'host' : 'connection';
  switch (check.outcome) {
    case 'resumed':
      return check.waitingOn === 'host-setup'
        ? 'The host is AVAILABLE: the request goes on and creates the connection.'
        : 'The connection is AVAILABLE: the finished handshake approves the request, which goes on.';
    case 'failed':
      return `The ${what} is ${check.resourceStatus} and will not become AVAILABLE: the request fails with AWS's reason and is rolled back.`;
    case 'needs-approval':
      return 'The connection is AVAILABLE: an approver must now approve it (APPROVAL_MODE=explicit).';
    case 'still-waiting':
      return `The ${what} is still ${check.resourceStatus}: the console step is not finished yet. The broker keeps looking every minute.`;
  }
}
