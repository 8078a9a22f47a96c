import { GetHostCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { nextPoll } from '../core/backoff.ts';
import { hostConsoleUrl } from '../core/console-links.ts';
import { hostSetupStep, mustSentence, waitingForPhrase } from '../requests/next-action.ts';
import { timelineEntry } from '../requests/store.ts';
import type { RemainingTime } from '../shared/deadline.ts';
import { activeRequest, updateActiveRequest } from './active-request.ts';
import { workflowContext, type StepInput } from './context.ts';
import { HostInError, HostSetupTimedOut, VpcInitializationFailed } from './errors.ts';
import { noticeDeadline, notifyHostSetupNeeded, recordNotDelivered } from './notifications.ts';
import { connectionsClientFor } from '../shared/clients.ts';

/** Where the host-setup wait stands; the state machine carries it between polls. */
export interface HostPoll {
  /** `available`: go on; `wait`: Wait `waitSeconds`, then check again. */
  action: 'available' | 'wait';
  attempt: number;
  elapsedSeconds: number;
  waitSeconds: number;
  status: string;
}

/**
 * The host is not AVAILABLE yet: tell the GHES admins what to do in the console, record who the
 * request now waits for, and start the polling schedule. Slack gets the time the step can spare
 * (noticeDeadline): a notice it does not take in time is recorded as not delivered, and the wait
 * starts anyway (the request's record says what is needed, with the console link).
 */
export async function notifyHandler(event: StepInput & { host: { hostArn: string; status: string } }, context?: RemainingTime): Promise<HostPoll> {
  const { config } = workflowContext();
  const deadline = noticeDeadline(context);
  const link = hostConsoleUrl(event.host.hostArn);
  const record = await updateActiveRequest(event.requestId, (current) => {
    // The words of the request's nextAction and of the Slack notice (requests/next-action.ts).
    const step = hostSetupStep({ providerEndpoint: current.providerEndpoint, vpc: current.vpcConfiguration !== undefined });
    return {
      ...current,
      status: 'WAITING_FOR_HOST_SETUP',
      waitingFor: {
        what: waitingForPhrase(step),
        who: config.hostAdminsChannel ? `GHES administrators (Slack ${config.hostAdminsChannel})` : 'GHES administrators',
        link,
        since: new Date().toISOString(),
      },
      timeline: [...current.timeline, timelineEntry('host-setup', 'system', `Asked the GHES administrators for host ${event.host.hostArn}: ${mustSentence(step)}`)],
    };
  });
  const notice = await notifyHostSetupNeeded(record, event.host.hostArn, link, { deadline });
  await recordNotDelivered(record.requestId, 'host-setup', notice);
  const first = nextPoll({ attempt: 0, elapsedSeconds: 0 }, config.hostPoll);
  if (first.action !== 'wait') throw new HostSetupTimedOut(event.host.hostArn, 0);
  return { action: 'wait', attempt: first.attempt, elapsedSeconds: first.elapsedSeconds, waitSeconds: first.waitSeconds, status: event.host.status };
}

/** One poll of the host: AVAILABLE ends the wait; a failed VPC, ERROR or an exhausted budget end the request. */
export async function checkHandler(event: StepInput & { host: { hostArn: string }; poll: HostPoll }): Promise<HostPoll> {
  const { aws, config } = workflowContext();
  const hostArn = event.host.hostArn;
  // A cancelled request stops polling here, even if its execution could not be stopped.
  await activeRequest(event.requestId);
  const host = await connectionsClientFor(hostArn, aws).send(new GetHostCommand({ HostArn: hostArn }));
  const status = host.Status ?? 'UNKNOWN';
  if (status === 'AVAILABLE') {
    await updateActiveRequest(event.requestId, (current) => ({
      ...current,
      waitingFor: undefined,
      timeline: [...current.timeline, timelineEntry('host-setup', 'aws-console', `Host ${hostArn} is AVAILABLE.`)],
    }));
    return { ...event.poll, action: 'available', waitSeconds: 0, status };
  }
  if (status === 'VPC_CONFIG_FAILED_INITIALIZATION') throw new VpcInitializationFailed(hostArn, await statusMessageOf(hostArn));
  if (status === 'ERROR') throw new HostInError(hostArn);
  const next = nextPoll({ attempt: event.poll.attempt, elapsedSeconds: event.poll.elapsedSeconds }, config.hostPoll);
  if (next.action !== 'wait') throw new HostSetupTimedOut(hostArn, next.elapsedSeconds);
  return { action: 'wait', attempt: next.attempt, elapsedSeconds: next.elapsedSeconds, waitSeconds: next.waitSeconds, status };
}

/** GetHost has no StatusMessage; ListHosts does. */
async function statusMessageOf(hostArn: string): Promise<string | undefined> {
  const { aws } = workflowContext();
  let nextToken: string | undefined;
  do {
    const page = await aws.connections.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken }));
    const host = page.Hosts?.find((candidate) => candidate.HostArn === hostArn);
    if (host) return host.StatusMessage;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}
