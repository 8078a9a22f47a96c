/**
 * The approval wait in stages. A paused `.waitForTaskToken` state costs nothing however long it
 * waits, so instead of a polling loop the wait is split where something must happen:
 *
 *   request ──(reminder due)──▶ reminder ──(escalation due)──▶ escalation ──(timeout)──▶ TIMED_OUT
 *
 * Each stage is one callback state whose `TimeoutSeconds` is the time until the next event; its
 * timeout leads straight into the next stage, whose handler sends the reminder or escalation and
 * re-points the same approval id at the new task token. The whole approval costs one state
 * transition per stage it reaches (at most three), whatever the intervals.
 *
 * Each stage's timer starts when the previous stage ends. On AWS that is when the previous one
 * timed out; a test that jumps the sandbox clock past several stages at once sees one stage end per
 * jump, so it advances stage by stage.
 */

export const APPROVAL_STAGES = ['request', 'reminder', 'escalation'] as const;
export type ApprovalStage = (typeof APPROVAL_STAGES)[number];

/** When things happen, counted from when the approvers were first asked. */
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

/** How long each stage's callback state waits: its `TimeoutSeconds` (a positive integer on AWS). */
export type StageTimeouts = Record<ApprovalStage, number>;

export class ApprovalScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalScheduleError';
  }
}

/**
 * Turns the schedule into stage timeouts. Every stage must last at least a second, so the reminder
 * comes before the escalation, which comes before the timeout.
 */
export function stageTimeouts({ reminderAfterSeconds, escalateAfterSeconds, timeoutSeconds }: ApprovalSchedule): StageTimeouts {
  for (const [name, value] of Object.entries({ reminderAfterSeconds, escalateAfterSeconds, timeoutSeconds })) {
    if (!Number.isInteger(value) || value < 1) throw new ApprovalScheduleError(`${name} must be a positive whole number of seconds, got ${value}`);
  }
  if (!(reminderAfterSeconds < escalateAfterSeconds && escalateAfterSeconds < timeoutSeconds)) {
    throw new ApprovalScheduleError(
      `the approval reminder (${reminderAfterSeconds} s) must come before the escalation (${escalateAfterSeconds} s), ` +
        `and that before the timeout (${timeoutSeconds} s)`,
    );
  }
  return {
    request: reminderAfterSeconds,
    reminder: escalateAfterSeconds - reminderAfterSeconds,
    escalation: timeoutSeconds - escalateAfterSeconds,
  };
}

/** The stage after `stage`, or undefined for the last one (whose timeout ends the request). */
export function nextStage(stage: ApprovalStage): ApprovalStage | undefined {
  return APPROVAL_STAGES[APPROVAL_STAGES.indexOf(stage) + 1];
}

export function isApprovalStage(value: unknown): value is ApprovalStage {
  return typeof value === 'string' && (APPROVAL_STAGES as readonly string[]).includes(value);
}
