import { hostConsoleUrl } from '../request/console-links.ts';
import { hostSetupStep, mustSentence, waitingForPhrase } from '../request/next-action.ts';
import { timelineEntry } from '../request/store.ts';
import { hostWords, providerTypeOf } from '../request/provider.ts';
import type { RemainingTime } from '../shell/deadline.ts';
import { activeRequest, updateActiveRequest } from '../workflow/active-request.ts';
import { workflowContext, type StepInput } from '../workflow/context.ts';
import { noticeDeadline, notifyHostSetupNeeded, recordNotDelivered } from '../workflow/notifications.ts';
import { provideClients } from '../adapters/aws-clients.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepHandler } from '../workflow/step-handler.ts';

provideClients(documentsClient);

export type HostSetupWaitInput = StepInput & { host: { hostArn: string; status: string }; taskToken: string };

/**
 * The AwaitHostSetup state (`.waitForTaskToken`, TimeoutSeconds = HOST_SETUP_TIMEOUT_SECONDS): the
 * host is not AVAILABLE yet. Record who the request waits for, store the task token server-side
 * (the wait record; it never reaches Slack, a URL or a log), and tell the GHES (or GitLab) admins what to do.
 * Then the workflow pauses at no cost until the watcher, or someone's "check now", sees the host
 * AVAILABLE (resume) or failed (fail with AWS's reason), or the timeout rolls it back.
 *
 * A retried attempt re-points the wait at its new token and does not post again. Slack gets the
 * time the step can spare: a notice it does not take in time is recorded as not delivered, and
 * the wait begins anyway (the request's record says what is needed, with the console link).
 */
async function waitForHostSetup(event: HostSetupWaitInput, context?: RemainingTime): Promise<void> {
  const { config, waits } = workflowContext();
  const deadline = noticeDeadline(context);
  const hostArn = event.host.hostArn;
  const link = hostConsoleUrl(hostArn);
  // The wait (with its token) is recorded before the request says it waits: whoever sees
  // WAITING_FOR_HOST_SETUP and asks to check finds the wait. A retried attempt keeps its `since`.
  const current = await activeRequest(event.requestId);
  const retried = current.status === 'WAITING_FOR_HOST_SETUP';
  const since = retried && current.waitingFor ? current.waitingFor.since : new Date().toISOString();
  await waits.begin({
    requestId: current.requestId,
    kind: 'host-setup',
    resourceArn: hostArn,
    since,
    deadline: new Date(Date.parse(since) + config.hostSetupTimeoutSeconds * 1000).toISOString(),
    taskToken: event.taskToken,
    expiresAt: Math.floor(Date.parse(since) / 1000) + config.hostSetupTimeoutSeconds + 86_400,
  });
  let firstAttempt = false;
  const record = await updateActiveRequest(event.requestId, (latest) => {
    firstAttempt = latest.status !== 'WAITING_FOR_HOST_SETUP';
    if (!firstAttempt) return undefined;
    // The words of the request's nextAction and of the Slack notice (requests/next-action.ts).
    const providerType = providerTypeOf(latest);
    const admins = hostWords(providerType).hostAdmins;
    const step = hostSetupStep({ providerEndpoint: latest.providerEndpoint, vpc: latest.vpcConfiguration !== undefined, providerType });
    return {
      ...latest,
      status: 'WAITING_FOR_HOST_SETUP',
      waitingFor: {
        what: waitingForPhrase(step),
        who: config.hostAdminsChannel ? `${admins} (Slack ${config.hostAdminsChannel})` : admins,
        link,
        since,
      },
      timeline: [...latest.timeline, timelineEntry('host-setup', 'system', `Asked the ${admins} for host ${hostArn}: ${mustSentence(step)}`)],
    };
  });
  if (!firstAttempt) return;
  const notice = await notifyHostSetupNeeded(record, hostArn, link, { deadline });
  await recordNotDelivered(record.requestId, 'host-setup', notice);
}

export const handler = stepHandler('await-host-setup', waitForHostSetup);
