import { describe, expect, it } from 'vitest';
import { DEFAULT_APPROVAL_SCHEDULE } from '../approval/schedule.ts';
import { resourceKey } from '../audit/resource-key.ts';
import { DEFAULT_MISSING_AFTER_SECONDS, decideWait, listingsNeeded, listsNeeded, placeOf, planSweep, type ObservedResource, type WaitRules } from './sweep-plan.ts';
import type { WaitRecord } from './wait-store.ts';

/** What one look at AWS decides for each wait: pure, so no AWS, no table, no clock. */

const HOUR = 3600;
const SINCE = new Date('2026-03-01T00:00:00.000Z');
const rules: WaitRules = { approvalSchedule: DEFAULT_APPROVAL_SCHEDULE, missingAfterSeconds: DEFAULT_MISSING_AFTER_SECONDS };

const HOST = 'arn:aws:codestar-connections:us-east-1:111111111111:host/ghe-example-com-0a1b2c3d';
const CONNECTION = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const OTHER_CONNECTION = 'arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-4333-8444-555555555555';

function after(seconds: number): Date {
  return new Date(SINCE.getTime() + seconds * 1000);
}

function hostWait(extra: Partial<WaitRecord> = {}): WaitRecord {
  return {
    requestId: 'r-host',
    kind: 'host-setup',
    resourceArn: HOST,
    since: SINCE.toISOString(),
    deadline: after(7 * 24 * HOUR).toISOString(),
    taskToken: 'host-token',
    expiresAt: 0,
    ...extra,
  };
}

function handshakeWait(extra: Partial<WaitRecord> = {}): WaitRecord {
  return {
    requestId: 'r-handshake',
    kind: 'handshake',
    resourceArn: CONNECTION,
    since: SINCE.toISOString(),
    deadline: after(72 * HOUR).toISOString(),
    approvalId: 'q8Xr2c1VwZk0d5nYbH3p9A',
    availableApproves: true,
    expiresAt: 0,
    ...extra,
  };
}

const seen = (status: string, statusMessage?: string): ObservedResource => ({ status, statusMessage });

describe('decideWait: a host waiting for "Set up host"', () => {
  it('resumes once the host is AVAILABLE, however long it took', () => {
    expect(decideWait(hostWait(), seen('AVAILABLE'), after(120), rules)).toEqual({ kind: 'resume', wait: hostWait() });
    expect(decideWait(hostWait(), seen('AVAILABLE'), after(6 * 24 * HOUR), rules).kind).toBe('resume');
  });

  it('keeps waiting while the host is PENDING, and sends no reminders (those are the approval’s)', () => {
    for (const seconds of [0, 30 * 60, 25 * HOUR, 49 * HOUR, 6 * 24 * HOUR]) {
      expect(decideWait(hostWait(), seen('PENDING'), after(seconds), rules)).toEqual({ kind: 'keep-waiting', wait: hostWait() });
    }
  });

  it('fails with VpcInitializationFailed carrying AWS’s StatusMessage when the VPC set-up failed', () => {
    const decision = decideWait(hostWait(), seen('VPC_CONFIG_FAILED_INITIALIZATION', 'Subnet subnet-0abc is not in VPC vpc-0def.'), after(300), rules);
    expect(decision).toMatchObject({ kind: 'fail', error: 'VpcInitializationFailed' });
    expect(decision.kind === 'fail' && decision.cause).toContain(`The host ${HOST} could not initialize its VPC configuration: Subnet subnet-0abc is not in VPC vpc-0def.`);
  });

  it('still fails, without a reason to quote, when AWS gives no StatusMessage', () => {
    const decision = decideWait(hostWait(), seen('VPC_CONFIG_FAILED_INITIALIZATION'), after(300), rules);
    expect(decision).toMatchObject({ kind: 'fail', error: 'VpcInitializationFailed' });
    expect(decision.kind === 'fail' && decision.cause).toContain(`The host ${HOST} could not initialize its VPC configuration. `);
  });

  it('fails with HostInError when the host is in ERROR', () => {
    expect(decideWait(hostWait(), seen('ERROR'), after(300), rules)).toMatchObject({ kind: 'fail', error: 'HostInError', cause: expect.stringContaining(HOST) });
  });
});

describe('decideWait: a connection waiting for the handshake', () => {
  it('resumes (approves) once the connection is AVAILABLE, in APPROVAL_MODE=handshake', () => {
    expect(decideWait(handshakeWait(), seen('AVAILABLE'), after(3 * HOUR), rules)).toEqual({ kind: 'resume', wait: handshakeWait() });
  });

  it('does not resume on AVAILABLE in explicit mode: an approver still has to approve', () => {
    const explicit = handshakeWait({ availableApproves: false });
    expect(decideWait(explicit, seen('AVAILABLE'), after(3 * HOUR), rules)).toEqual({ kind: 'keep-waiting', wait: explicit });
    // Its reminders still come, though the connection is AVAILABLE.
    expect(decideWait(explicit, seen('AVAILABLE'), after(24 * HOUR), rules)).toMatchObject({ kind: 'notify', notice: 'reminder' });
  });

  it('keeps waiting while PENDING', () => {
    expect(decideWait(handshakeWait(), seen('PENDING'), after(HOUR), rules)).toEqual({ kind: 'keep-waiting', wait: handshakeWait() });
  });

  it('fails with ConnectionInError when the connection is in ERROR, in either mode', () => {
    for (const availableApproves of [true, false]) {
      expect(decideWait(handshakeWait({ availableApproves }), seen('ERROR'), after(HOUR), rules)).toMatchObject({
        kind: 'fail',
        error: 'ConnectionInError',
        cause: expect.stringContaining(CONNECTION),
      });
    }
  });

  it('is due the reminder at 24 h and the escalation at 48 h, each once', () => {
    expect(decideWait(handshakeWait(), seen('PENDING'), after(24 * HOUR - 1), rules).kind).toBe('keep-waiting');
    expect(decideWait(handshakeWait(), seen('PENDING'), after(24 * HOUR), rules)).toMatchObject({ kind: 'notify', notice: 'reminder' });
    const reminded = handshakeWait({ remindedAt: after(24 * HOUR).toISOString() });
    expect(decideWait(reminded, seen('PENDING'), after(24 * HOUR + 60), rules).kind).toBe('keep-waiting');
    expect(decideWait(reminded, seen('PENDING'), after(48 * HOUR), rules)).toMatchObject({ kind: 'notify', notice: 'escalation' });
    const escalated = handshakeWait({ remindedAt: after(24 * HOUR).toISOString(), escalatedAt: after(48 * HOUR).toISOString() });
    expect(decideWait(escalated, seen('PENDING'), after(48 * HOUR + 60), rules).kind).toBe('keep-waiting');
  });

  it('sends nothing once the approval has timed out (the workflow rolls back on its own)', () => {
    expect(decideWait(handshakeWait(), seen('PENDING'), after(72 * HOUR), rules).kind).toBe('keep-waiting');
    expect(decideWait(handshakeWait({ remindedAt: after(24 * HOUR).toISOString() }), seen('PENDING'), after(80 * HOUR), rules).kind).toBe('keep-waiting');
  });

  it('prefers resuming to a notice that is due', () => {
    expect(decideWait(handshakeWait(), seen('AVAILABLE'), after(50 * HOUR), rules).kind).toBe('resume');
  });

  it('follows the configured schedule', () => {
    const short: WaitRules = { ...rules, approvalSchedule: { reminderAfterSeconds: 600, escalateAfterSeconds: 1200, timeoutSeconds: 3600 } };
    expect(decideWait(handshakeWait(), seen('PENDING'), after(600), short)).toMatchObject({ kind: 'notify', notice: 'reminder' });
  });
});

describe('decideWait: a resource missing from the list', () => {
  it.each([
    ['host', hostWait()],
    ['connection', handshakeWait()],
  ])('keeps a young %s waiting (it may not be listed yet), and fails with WaitedResourceGone after 600 s', (_name, wait) => {
    expect(decideWait(wait, undefined, after(0), rules).kind).toBe('keep-waiting');
    expect(decideWait(wait, undefined, after(DEFAULT_MISSING_AFTER_SECONDS - 1), rules).kind).toBe('keep-waiting');
    expect(decideWait(wait, undefined, after(DEFAULT_MISSING_AFTER_SECONDS), rules)).toMatchObject({
      kind: 'fail',
      error: 'WaitedResourceGone',
      cause: `${wait.resourceArn} no longer exists: it was deleted while the request waited for it.`,
    });
  });

  it('counts from when the wait began, not from a clock running behind it', () => {
    expect(decideWait(hostWait(), undefined, after(-3600), rules).kind).toBe('keep-waiting');
  });
});

describe('planSweep', () => {
  it('decides every wait from one listing, matching either ARN prefix (codestar-connections or codeconnections)', () => {
    const hostAsConsoleNamesIt = HOST.replace(':codestar-connections:', ':codeconnections:');
    const listed = new Map<string, ObservedResource>([
      [resourceKey(hostAsConsoleNamesIt), seen('AVAILABLE')],
      [resourceKey(CONNECTION), seen('PENDING')],
      [resourceKey(OTHER_CONNECTION), seen('ERROR')],
    ]);
    const waits = [
      hostWait(),
      handshakeWait(),
      handshakeWait({ requestId: 'r-other', resourceArn: OTHER_CONNECTION.replace(':codeconnections:', ':codestar-connections:') }),
      hostWait({ requestId: 'r-gone', resourceArn: HOST.replace('0a1b2c3d', 'deadbeef') }),
    ];
    const decisions = planSweep(waits, listed, after(HOUR), rules);
    expect(decisions.map((decision) => [decision.wait.requestId, decision.kind])).toEqual([
      ['r-host', 'resume'],
      ['r-handshake', 'keep-waiting'],
      ['r-other', 'fail'],
      ['r-gone', 'fail'],
    ]);
    expect(decisions[3]).toMatchObject({ error: 'WaitedResourceGone' });
  });

  it('decides the same for a sweep that comes late: it looks at the status now, not at a change', () => {
    const listed = new Map([[resourceKey(HOST), seen('AVAILABLE')]]);
    expect(planSweep([hostWait()], listed, after(60), rules)).toEqual(planSweep([hostWait()], listed, after(5 * HOUR), rules));
  });

  it('decides nothing for no waits', () => {
    expect(planSweep([], new Map(), after(0), rules)).toEqual([]);
  });
});

describe('listsNeeded', () => {
  it('lists hosts only for host waits and connections only for handshake waits, and nothing for none', () => {
    expect(listsNeeded([])).toEqual({ hosts: false, connections: false });
    expect(listsNeeded([hostWait(), hostWait({ requestId: 'r2' })])).toEqual({ hosts: true, connections: false });
    expect(listsNeeded([handshakeWait()])).toEqual({ hosts: false, connections: true });
    expect(listsNeeded([handshakeWait(), hostWait()])).toEqual({ hosts: true, connections: true });
  });
});

describe('listingsNeeded', () => {
  const inSpoke = (arn: string) => arn.replace(`:${placeOf(arn).split('|')[0]}:`, ':222222222222:');

  it('lists once per account and Region, only what is waited on there', () => {
    const spokeHost = hostWait({ requestId: 'r-spoke', resourceArn: inSpoke(HOST) });
    const listings = listingsNeeded([hostWait(), handshakeWait(), spokeHost]);
    expect(listings).toEqual([
      { where: placeOf(HOST), anyArn: HOST, hosts: true, connections: true },
      { where: '222222222222|' + placeOf(HOST).split('|')[1], anyArn: spokeHost.resourceArn, hosts: true, connections: false },
    ]);
  });

  it('is one listing when every wait is in one place, and none for no waits', () => {
    expect(listingsNeeded([hostWait(), hostWait({ requestId: 'r2' })])).toHaveLength(1);
    expect(listingsNeeded([])).toEqual([]);
  });

  it('tells Regions of one account apart', () => {
    const elsewhere = hostWait({ requestId: 'r-eu', resourceArn: HOST.replace(/:[a-z]{2}-[a-z]+-\d:/, ':eu-west-1:') });
    expect(listingsNeeded([hostWait(), elsewhere]).map((listing) => listing.where.split('|')[1])).toEqual([placeOf(HOST).split('|')[1], 'eu-west-1']);
  });
});
