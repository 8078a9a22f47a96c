/**
 * When an approval's reminder, escalation and timeout come, counted from when the approvers were
 * first asked. The wait itself is one `.waitForTaskToken` state whose TimeoutSeconds is the
 * timeout, so however long it lasts it costs the same state transitions; the reminder and the
 * escalation are sent by the watcher (functions/waits), which looks at every wait each minute.
 */

export interface ApprovalSchedule {
  reminderAfterSeconds: number;
  escalateAfterSeconds: number;
  timeoutSeconds: number;
}

export const DEFAULT_APPROVAL_SCHEDULE: ApprovalSchedule = {
  reminderAfterSeconds: 24 * 3600,
  escalateAfterSeconds: 48 * 3600,
  timeoutSeconds: 72 * 3600,
};

export class ApprovalScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalScheduleError';
  }
}

/** Refuses a schedule that is not whole positive seconds with reminder < escalation < timeout. */
export function validApprovalSchedule(schedule: ApprovalSchedule): ApprovalSchedule {
  const { reminderAfterSeconds, escalateAfterSeconds, timeoutSeconds } = schedule;
  for (const [name, value] of Object.entries({ reminderAfterSeconds, escalateAfterSeconds, timeoutSeconds })) {
    if (!Number.isInteger(value) || value < 1) throw new ApprovalScheduleError(`${name} must be a positive whole number of seconds, got ${value}`);
  }
  if (!(reminderAfterSeconds < escalateAfterSeconds && escalateAfterSeconds < timeoutSeconds)) {
    throw new ApprovalScheduleError(
      `the approval reminder (${reminderAfterSeconds} s) must come before the escalation (${escalateAfterSeconds} s), ` +
        `and that before the timeout (${timeoutSeconds} s)`,
    );
  }
  return schedule;
}

export type ApprovalNotice = 'reminder' | 'escalation';

/**
 * The notice due now, if any. After a long pause (a clock that jumped, a watcher that was down)
 * only the latest one due is sent: an escalation says everything a reminder would.
 */
export function dueApprovalNotice(
  schedule: ApprovalSchedule,
  waitedSeconds: number,
  sent: { reminder: boolean; escalation: boolean },
): ApprovalNotice | undefined {
  if (waitedSeconds >= schedule.timeoutSeconds) return undefined;
  if (waitedSeconds >= schedule.escalateAfterSeconds) return sent.escalation ? undefined : 'escalation';
  if (waitedSeconds >= schedule.reminderAfterSeconds) return sent.reminder || sent.escalation ? undefined : 'reminder';
  return undefined;
}
