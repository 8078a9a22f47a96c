import { describe, expect, it } from 'vitest';
import { scheduledJobs } from '../../infra/local/runtime/scheduled-jobs.ts';
import type { LocalFunction } from '../../infra/local/runtime/service-config.ts';

const fn = (schedules: LocalFunction['schedules']): LocalFunction => ({
  name: 'auditor',
  functionName: 'connection-broker-local-auditor',
  logicalId: 'AuditorLambdaFunction',
  handlerFile: '/x.ts',
  exportName: 'handler',
  environment: {},
  httpRoutes: [],
  schedules,
  timeoutSeconds: 900,
});

describe('scheduled jobs', () => {
  it("invokes the function with EventBridge's Scheduled Event, timed by the sandbox clock", async () => {
    const events: unknown[] = [];
    const jobs = scheduledJobs([fn([{ rate: 'rate(1 hour)', enabled: true }, { rate: 'rate(1 day)', enabled: false }])], {
      accountId: '111111111111',
      region: 'us-east-1',
      nowMs: () => Date.parse('2030-01-02T03:04:05.678Z'),
      invoke: async (_, event) => events.push(event),
    });
    expect(jobs.map((job) => [job.name, job.expression])).toEqual([['auditor#1', 'rate(1 hour)']]);
    await jobs[0]!.run();
    expect(events[0]).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111111111111',
      region: 'us-east-1',
      time: '2030-01-02T03:04:05Z',
      detail: {},
    });
  });

  it("passes the rule's input instead when it has one", async () => {
    const events: unknown[] = [];
    const [job] = scheduledJobs([fn([{ rate: 'cron(0 * * * ? *)', enabled: true, input: { full: true } }])], {
      accountId: '1',
      region: 'r',
      nowMs: () => 0,
      invoke: async (_, event) => events.push(event),
    });
    await job!.run();
    expect(events).toEqual([{ full: true }]);
  });
});
