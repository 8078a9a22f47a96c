import { isActive, type ConnectionRequestRecord } from '../request/model.ts';
import { workflowContext } from './context.ts';
import { RequestNotActive } from './errors.ts';

/**
 * The guard every workflow step that changes something puts in front of its changes. A cancel
 * records the request ROLLING_BACK and stops the execution, but a step already running (Lambda runs
 * on after StopExecution) or an execution that could not be stopped must not create, attach or
 * complete anything after that: it gets RequestNotActive instead, which the state machine sends to
 * RollBack.
 */

/** The request, read consistently; RequestNotActive when it is finished or being rolled back. */
export async function activeRequest(requestId: string): Promise<ConnectionRequestRecord> {
  const record = await workflowContext().store.getRequest(requestId);
  if (!isActive(record.status)) throw new RequestNotActive(requestId, record.status);
  return record;
}

/**
 * `store.updateRequest`, applied only while the request is active: the check is part of the
 * conditional write, so a cancel landing in between is seen. When the request is no longer
 * active, `whenInactive` may still record what the step has already made (an ARN rollback must
 * know about; never a status), and then RequestNotActive is thrown.
 */
export async function updateActiveRequest(
  requestId: string,
  change: (record: ConnectionRequestRecord) => ConnectionRequestRecord | undefined,
  whenInactive?: (record: ConnectionRequestRecord) => ConnectionRequestRecord | undefined,
): Promise<ConnectionRequestRecord> {
  let inactive = false;
  const saved = await workflowContext().store.updateRequest(requestId, (current) => {
    inactive = !isActive(current.status);
    if (!inactive) return change(current);
    const recorded = whenInactive?.(current);
    return recorded && { ...recorded, status: current.status };
  });
  if (inactive) throw new RequestNotActive(requestId, saved.status);
  return saved;
}
