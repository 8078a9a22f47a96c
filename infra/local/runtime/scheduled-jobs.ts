/**
 * The functions' `schedule` events as jobs for `startSchedules`: each run calls the handler with
 * the event EventBridge would deliver (a Scheduled Event, or the rule's `input` when it has one).
 * The event's `time` is the sandbox clock, so locally a scheduled run sees the days that
 * `POST /_sandbox/clock/advance` has passed, as the workflow's waits do.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledJob } from './schedules.ts';
import type { LocalFunction } from './service-config.ts';

export interface ScheduledJobContext {
  accountId: string;
  region: string;
  /** The sandbox clock, epoch milliseconds. */
  nowMs: () => number;
  invoke: (fn: LocalFunction, event: unknown) => Promise<unknown>;
}

export function scheduledJobs(functions: readonly LocalFunction[], context: ScheduledJobContext): ScheduledJob[] {
  return functions.flatMap((fn) =>
    fn.schedules
      .filter((schedule) => schedule.enabled)
      .map((schedule, index) => ({
        name: `${fn.name}#${index + 1}`,
        expression: schedule.rate,
        run: () => context.invoke(fn, schedule.input ?? scheduledEvent(fn, index, context)),
      })),
  );
}

function scheduledEvent(fn: LocalFunction, index: number, { accountId, region, nowMs }: ScheduledJobContext) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: accountId,
    // EventBridge writes whole seconds.
    time: new Date(Math.floor(nowMs() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region,
    resources: [`arn:aws:events:${region}:${accountId}:rule/${fn.functionName}-schedule-${index + 1}`],
    detail: {},
  };
}
