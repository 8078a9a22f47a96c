import { describe, expect, it } from 'vitest';
import { ApprovalScheduleError, DEFAULT_APPROVAL_SCHEDULE, dueApprovalNotice, validApprovalSchedule } from './schedule.ts';
import { readConfig } from '../shell/config.ts';

const HOUR = 3600;
const nothingSent = { reminder: false, escalation: false };

describe('validApprovalSchedule', () => {
  it('accepts the default 24 h reminder, 48 h escalation, 72 h timeout', () => {
    expect(DEFAULT_APPROVAL_SCHEDULE).toEqual({ reminderAfterSeconds: 24 * HOUR, escalateAfterSeconds: 48 * HOUR, timeoutSeconds: 72 * HOUR });
    expect(validApprovalSchedule(DEFAULT_APPROVAL_SCHEDULE)).toEqual(DEFAULT_APPROVAL_SCHEDULE);
  });

  it.each([
    [{ reminderAfterSeconds: 0, escalateAfterSeconds: 2, timeoutSeconds: 3 }, 'reminderAfterSeconds must be a positive whole number'],
    [{ reminderAfterSeconds: 1.5, escalateAfterSeconds: 2, timeoutSeconds: 3 }, 'reminderAfterSeconds must be a positive whole number'],
    [{ reminderAfterSeconds: 1, escalateAfterSeconds: 2, timeoutSeconds: Number.NaN }, 'timeoutSeconds must be a positive whole number'],
    [{ reminderAfterSeconds: 2, escalateAfterSeconds: 2, timeoutSeconds: 3 }, 'must come before the escalation'],
    [{ reminderAfterSeconds: 1, escalateAfterSeconds: 3, timeoutSeconds: 3 }, 'and that before the timeout'],
  ])('refuses a schedule that is not whole seconds in the order reminder < escalation < timeout (%o)', (schedule, message) => {
    expect(() => validApprovalSchedule(schedule)).toThrow(ApprovalScheduleError);
    expect(() => validApprovalSchedule(schedule)).toThrow(expect.objectContaining({ name: 'ApprovalScheduleError' }));
    expect(() => validApprovalSchedule(schedule)).toThrow(message);
  });
});

describe('dueApprovalNotice', () => {
  const schedule = DEFAULT_APPROVAL_SCHEDULE;

  it('sends nothing before the reminder is due', () => {
    expect(dueApprovalNotice(schedule, 0, nothingSent)).toBeUndefined();
    expect(dueApprovalNotice(schedule, 24 * HOUR - 1, nothingSent)).toBeUndefined();
  });

  it('sends the reminder at 24 h, once', () => {
    expect(dueApprovalNotice(schedule, 24 * HOUR, nothingSent)).toBe('reminder');
    expect(dueApprovalNotice(schedule, 47 * HOUR, nothingSent)).toBe('reminder');
    expect(dueApprovalNotice(schedule, 24 * HOUR + 60, { reminder: true, escalation: false })).toBeUndefined();
  });

  it('sends the escalation at 48 h, once', () => {
    expect(dueApprovalNotice(schedule, 48 * HOUR, { reminder: true, escalation: false })).toBe('escalation');
    expect(dueApprovalNotice(schedule, 48 * HOUR + 60, { reminder: true, escalation: true })).toBeUndefined();
  });

  it('after a long pause sends only the latest notice due: the escalation, not a late reminder too', () => {
    expect(dueApprovalNotice(schedule, 50 * HOUR, nothingSent)).toBe('escalation');
    expect(dueApprovalNotice(schedule, 30 * HOUR, { reminder: false, escalation: true })).toBeUndefined();
  });

  it('sends nothing once the approval has timed out', () => {
    expect(dueApprovalNotice(schedule, 72 * HOUR, nothingSent)).toBeUndefined();
    expect(dueApprovalNotice(schedule, 100 * HOUR, { reminder: true, escalation: false })).toBeUndefined();
  });

  it('follows a custom schedule', () => {
    const short = { reminderAfterSeconds: 600, escalateAfterSeconds: 1200, timeoutSeconds: 3600 };
    expect(dueApprovalNotice(short, 599, nothingSent)).toBeUndefined();
    expect(dueApprovalNotice(short, 600, nothingSent)).toBe('reminder');
    expect(dueApprovalNotice(short, 1200, { reminder: true, escalation: false })).toBe('escalation');
    expect(dueApprovalNotice(short, 3600, nothingSent)).toBeUndefined();
  });
});

describe('the approval settings', () => {
  it('come from the environment, with the defaults when unset', () => {
    expect(readConfig({ TABLE_NAME: 't' }).approvalSchedule).toEqual(DEFAULT_APPROVAL_SCHEDULE);
    const custom = readConfig({ TABLE_NAME: 't', APPROVAL_REMINDER_AFTER_SECONDS: '600', APPROVAL_ESCALATE_AFTER_SECONDS: '1200', APPROVAL_TIMEOUT_SECONDS: '3600' });
    expect(custom.approvalSchedule).toEqual({ reminderAfterSeconds: 600, escalateAfterSeconds: 1200, timeoutSeconds: 3600 });
  });

  it('refuse to start with a schedule out of order', () => {
    expect(() => readConfig({ TABLE_NAME: 't', APPROVAL_TIMEOUT_SECONDS: '3600' })).toThrow(ApprovalScheduleError);
  });

  it('default to APPROVAL_MODE=handshake and accept explicit', () => {
    expect(readConfig({ TABLE_NAME: 't' }).approvalMode).toBe('handshake');
    expect(readConfig({ TABLE_NAME: 't', APPROVAL_MODE: '' }).approvalMode).toBe('handshake');
    expect(readConfig({ TABLE_NAME: 't', APPROVAL_MODE: 'handshake' }).approvalMode).toBe('handshake');
    expect(readConfig({ TABLE_NAME: 't', APPROVAL_MODE: 'explicit' }).approvalMode).toBe('explicit');
  });

  it.each(['Explicit', 'manual', 'true'])('refuse to start with APPROVAL_MODE=%s', (mode) => {
    expect(() => readConfig({ TABLE_NAME: 't', APPROVAL_MODE: mode })).toThrow(/APPROVAL_MODE must be "handshake" or "explicit"/);
  });

  it('wait 7 days for host setup unless HOST_SETUP_TIMEOUT_SECONDS says otherwise', () => {
    expect(readConfig({ TABLE_NAME: 't' }).hostSetupTimeoutSeconds).toBe(7 * 24 * HOUR);
    expect(readConfig({ TABLE_NAME: 't', HOST_SETUP_TIMEOUT_SECONDS: '' }).hostSetupTimeoutSeconds).toBe(7 * 24 * HOUR);
    expect(readConfig({ TABLE_NAME: 't', HOST_SETUP_TIMEOUT_SECONDS: '3600' }).hostSetupTimeoutSeconds).toBe(3600);
  });

  it.each(['0', '-60', '1.5', 'a week', '1e400'])('refuse to start with HOST_SETUP_TIMEOUT_SECONDS=%s', (value) => {
    expect(() => readConfig({ TABLE_NAME: 't', HOST_SETUP_TIMEOUT_SECONDS: value })).toThrow(/HOST_SETUP_TIMEOUT_SECONDS must be a positive whole number of seconds/);
  });

  it('read the Slack workspace, app, approvers and the requester’s Slack id claim', () => {
    const settings = readConfig({ TABLE_NAME: 't', SLACK_TEAM_ID: 'T1', SLACK_APP_ID: 'A1', SLACK_APPROVERS: '{}', JWT_SLACK_USER_CLAIM: 'slack' });
    expect(settings).toMatchObject({ slackTeamId: 'T1', slackAppId: 'A1', slackApprovers: '{}', slackUserClaim: 'slack' });
    expect(readConfig({ TABLE_NAME: 't' })).toMatchObject({ slackTeamId: undefined, slackAppId: undefined, slackUserClaim: 'slack_user_id' });
  });
});
