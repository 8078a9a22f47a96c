import { errorText, logger } from '../shell/powertools.ts';
import { ListConnectionsCommand, ListHostsCommand } from '@aws-sdk/client-codestar-connections';
import { resourceKey } from '../audit/resource-key.ts';
import { workflowContext } from '../workflow/context.ts';
import { noticeDeadline } from '../workflow/notifications.ts';
import type { RemainingTime } from '../shell/deadline.ts';
import { provideClients, type Clients } from '../adapters/aws-clients.ts';
import { connectionsClient } from '../adapters/aws/codestar-connections.ts';
import { documentsClient } from '../adapters/aws/dynamodb.ts';
import { stepFunctionsClient } from '../adapters/aws/step-functions.ts';
import { lambdaHandler } from '../shell/lambda-handler.ts';
import { actOn, type ActOutcome } from './act.ts';
import { DEFAULT_MISSING_AFTER_SECONDS, listingsNeeded, placeOf, planSweep, type Listing, type ObservedResource } from './sweep-plan.ts';


provideClients(connectionsClient, stepFunctionsClient, documentsClient);

/** What one sweep did; its AWS calls are the query pages plus the list pages, whatever the number of waits. */
export interface SweepSummary {
  waiting: number;
  /** DynamoDB query pages, ListHosts pages, ListConnections pages. */
  calls: { query: number; listHosts: number; listConnections: number };
  resumed: number;
  failed: number;
  notified: number;
  /** Waits that were already over (cancelled, timed out, resumed elsewhere) when acted on. */
  closed: number;
  /** Waits whose action threw; the next sweep decides them again. */
  errors: number;
}

/**
 * The watcher: every minute (EventBridge `rate(1 minute)`; locally on the sandbox clock) it looks
 * once for everybody instead of once per request. No waits: one query and nothing else. Otherwise
 * it lists hosts and/or connections once (paginated) and acts on each wait whose resource moved.
 * A sweep that fails part-way changes nothing it did not finish; the next one decides again from
 * what AWS shows then, so nothing is lost.
 */
async function sweep(_event?: unknown, context?: RemainingTime): Promise<SweepSummary> {
  const { waits, awsForArn, config } = workflowContext();
  const now = new Date();
  const { waits: waiting, queries } = await waits.all();
  const summary: SweepSummary = { waiting: waiting.length, calls: { query: queries, listHosts: 0, listConnections: 0 }, resumed: 0, failed: 0, notified: 0, closed: 0, errors: 0 };
  if (waiting.length === 0) return summary;

  const listed = new Map<string, ObservedResource>();
  // Per account and Region the waits are in (one listing when all are the broker's own). A place
  // that cannot be listed (its spoke role gone, throttled) is left for the next sweep: its waits
  // are not decided on, so nothing there is taken for deleted.
  const unlisted = new Map<string, string>();
  for (const needed of listingsNeeded(waiting)) {
    try {
      await listPlace(needed, awsForArn(needed.anyArn), listed, summary);
    } catch (error) {
      unlisted.set(needed.where, errorText(error));
      summary.errors++;
      logger.warn('could not list the waited resources of one account and Region; the next sweep tries again', { where: needed.where, error: errorText(error) });
    }
  }

  const decidable = waiting.filter((wait) => !unlisted.has(placeOf(wait.resourceArn)));
  const decisions = planSweep(decidable, listed, now, { approvalSchedule: config.approvalSchedule, missingAfterSeconds: DEFAULT_MISSING_AFTER_SECONDS });
  const count: Record<ActOutcome, keyof SweepSummary | undefined> = { resumed: 'resumed', failed: 'failed', notified: 'notified', closed: 'closed', nothing: undefined };
  for (const decision of decisions) {
    if (decision.kind === 'keep-waiting') continue;
    try {
      const outcome = await actOn(decision, { by: 'watcher' }, { deadline: noticeDeadline(context) });
      const field = count[outcome];
      if (field) (summary[field] as number)++;
    } catch (error) {
      summary.errors++;
      logger.warn('could not act on a wait; the next sweep tries again', { requestId: decision.wait.requestId, kind: decision.wait.kind, decision: decision.kind, error: errorText(error) });
    }
  }
  if (summary.resumed + summary.failed + summary.notified + summary.closed + summary.errors > 0) logger.info('sweep', { ...summary });
  // The other places were swept; the invocation still fails, so the function's error metric shows it.
  if (unlisted.size > 0) throw new Error(`the sweep could not list ${[...unlisted].map(([where, why]) => `${where} (${why})`).join(', ')}`);
  return summary;
}


/** Hosts and/or connections of one account and Region, by resource key; counts its pages. */
async function listPlace(needed: Listing, aws: Clients, listed: Map<string, ObservedResource>, summary: SweepSummary): Promise<void> {
  if (needed.hosts) {
    let nextToken: string | undefined;
    do {
      const page = await aws.connections.send(new ListHostsCommand({ MaxResults: 100, NextToken: nextToken }));
      summary.calls.listHosts++;
      for (const host of page.Hosts ?? []) listed.set(resourceKey(host.HostArn!), { status: host.Status ?? 'UNKNOWN', statusMessage: host.StatusMessage });
      nextToken = page.NextToken;
    } while (nextToken);
  }
  if (needed.connections) {
    let nextToken: string | undefined;
    do {
      const page = await aws.connections.send(new ListConnectionsCommand({ MaxResults: 100, NextToken: nextToken }));
      summary.calls.listConnections++;
      for (const connection of page.Connections ?? []) listed.set(resourceKey(connection.ConnectionArn!), { status: connection.ConnectionStatus ?? 'UNKNOWN' });
      nextToken = page.NextToken;
    } while (nextToken);
  }
}

/** Each wait's lines name its request; the sweep itself is about no one request. */
export const handler = lambdaHandler(sweep);
