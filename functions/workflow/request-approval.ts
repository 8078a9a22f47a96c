import { connectionConsoleUrl } from '../core/console-links.ts';
import { newApprovalId } from '../requests/approvals.ts';
import { timelineEntry } from '../requests/store.ts';
import { workflowContext, type StepInput } from './context.ts';
import { notifyApprovalNeeded } from './notifications.ts';

/**
 * The `.waitForTaskToken` step: keeps the task token server-side under a random approval id and
 * asks the approvers to finish the handshake. The workflow resumes when an approver decides.
 */
export async function handler(event: StepInput & { taskToken: string }): Promise<void> {
  const { store, approvals, config } = workflowContext();
  const record = await store.getRequest(event.requestId);
  const approvalId = newApprovalId();
  const now = new Date();
  await approvals.create({
    approvalId,
    requestId: record.requestId,
    taskToken: event.taskToken,
    status: 'PENDING',
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + config.approvalTimeoutSeconds + 86_400,
  });
  const link = connectionConsoleUrl(record.connectionArn!);
  const updated = await store.updateRequest(record.requestId, (current) => ({
    ...current,
    status: 'WAITING_FOR_APPROVAL',
    waitingFor: {
      what: 'a GitHub organization owner to finish the connection handshake ("Update pending connection") in the AWS console, then an approver to approve',
      who: config.approversChannel ? `approvers (Slack ${config.approversChannel})` : 'approvers (admin API)',
      link,
      since: now.toISOString(),
    },
    timeline: [...current.timeline, timelineEntry('approval', 'system', 'Asked the approvers to finish the handshake and approve.')],
  }));
  const message = await notifyApprovalNeeded(updated, approvalId, link);
  if (message) await approvals.attachSlackMessage(approvalId, message);
}
