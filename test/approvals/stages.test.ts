import { describe, expect, it } from 'vitest';
import { ApprovalScheduleError, DEFAULT_APPROVAL_SCHEDULE, isApprovalStage, nextStage, stageTimeouts } from '../../functions/approvals/stages.ts';
import { readConfig } from '../../functions/shared/config.ts';

describe('stageTimeouts', () => {
  it('splits the default 24 h reminder, 48 h escalation, 72 h timeout into three 24 h waits', () => {
    expect(stageTimeouts(DEFAULT_APPROVAL_SCHEDULE)).toEqual({ request: 86_400, reminder: 86_400, escalation: 86_400 });
  });

  it('measures each stage from the end of the previous one', () => {
    expect(stageTimeouts({ reminderAfterSeconds: 3600, escalateAfterSeconds: 4 * 3600, timeoutSeconds: 5 * 3600 })).toEqual({
      request: 3600,
      reminder: 3 * 3600,
      escalation: 3600,
    });
  });

  it.each([
    [{ reminderAfterSeconds: 0, escalateAfterSeconds: 2, timeoutSeconds: 3 }, 'reminderAfterSeconds must be a positive whole number'],
    [{ reminderAfterSeconds: 1.5, escalateAfterSeconds: 2, timeoutSeconds: 3 }, 'reminderAfterSeconds must be a positive whole number'],
    [{ reminderAfterSeconds: 2, escalateAfterSeconds: 2, timeoutSeconds: 3 }, 'must come before the escalation'],
    [{ reminderAfterSeconds: 1, escalateAfterSeconds: 3, timeoutSeconds: 3 }, 'and that before the timeout'],
  ])('refuses a schedule whose stages would not each last a second (%o)', (schedule, message) => {
    expect(() => stageTimeouts(schedule)).toThrow(ApprovalScheduleError);
    expect(() => stageTimeouts(schedule)).toThrow(message);
  });
});

describe('stage order', () => {
  it('goes request → reminder → escalation, then ends', () => {
    expect(nextStage('request')).toBe('reminder');
    expect(nextStage('reminder')).toBe('escalation');
    expect(nextStage('escalation')).toBeUndefined();
    expect(isApprovalStage('reminder')).toBe(true);
    expect(isApprovalStage('later')).toBe(false);
  });
});

describe('the approval settings', () => {
  it('come from the environment, with the defaults when unset', () => {
    expect(readConfig({ TABLE_NAME: 't' }).approvalStageTimeouts).toEqual({ request: 86_400, reminder: 86_400, escalation: 86_400 });
    const custom = readConfig({ TABLE_NAME: 't', APPROVAL_REMINDER_AFTER_SECONDS: '600', APPROVAL_ESCALATE_AFTER_SECONDS: '1200', APPROVAL_TIMEOUT_SECONDS: '3600' });
    expect(custom.approvalSchedule).toEqual({ reminderAfterSeconds: 600, escalateAfterSeconds: 1200, timeoutSeconds: 3600 });
    expect(custom.approvalStageTimeouts).toEqual({ request: 600, reminder: 600, escalation: 2400 });
  });

  it('refuse to start with a schedule out of order', () => {
    expect(() => readConfig({ TABLE_NAME: 't', APPROVAL_TIMEOUT_SECONDS: '3600' })).toThrow(ApprovalScheduleError);
  });

  it('read the Slack workspace, app, approvers and the requester’s Slack id claim', () => {
    const settings = readConfig({ TABLE_NAME: 't', SLACK_TEAM_ID: 'T1', SLACK_APP_ID: 'A1', SLACK_APPROVERS: '{}', JWT_SLACK_USER_CLAIM: 'slack' });
    expect(settings).toMatchObject({ slackTeamId: 'T1', slackAppId: 'A1', slackApprovers: '{}', slackUserClaim: 'slack' });
    expect(readConfig({ TABLE_NAME: 't' })).toMatchObject({ slackTeamId: undefined, slackAppId: undefined, slackUserClaim: 'slack_user_id' });
  });
});
