import type { ActionDeclaration, PipelineDeclaration, PipelineTriggerDeclaration } from '@aws-sdk/client-codepipeline';
import { isDeepStrictEqual } from 'node:util';
import {
  attachSourceConnection,
  findSourceAction,
  isAttached,
  pointsAtConnection,
  restoreSourceAction,
  selectSourceAction,
  type SourceActionLocation,
  type SourceConnectionSettings,
} from './source-action.ts';
import { restoreSourceTrigger, setSourceTrigger, sourceTrigger, triggerOf, type TriggerFilters } from './triggers.ts';

/**
 * The pure half of attaching a connection to a pipeline and of undoing it: given the declaration
 * as it is now, what to send to UpdatePipeline (if anything). Run again on a fresh declaration
 * whenever the pipeline moved under us, so someone else's edit is never overwritten.
 */

export interface AttachTarget extends SourceConnectionSettings {
  sourceActionName?: string;
  /** When given, the V2 trigger the source action should have. */
  trigger?: TriggerFilters;
}

export interface AttachmentPlan {
  location: SourceActionLocation;
  /** What to send to UpdatePipeline; undefined when the pipeline already is as requested. */
  declaration?: PipelineDeclaration;
  actionChanged: boolean;
  previousAction: ActionDeclaration;
  attachedAction: ActionDeclaration;
  /** Present when a trigger was requested: the source action's trigger before, and the one we want. */
  trigger?: { previous: PipelineTriggerDeclaration | null; attached: PipelineTriggerDeclaration; changed: boolean };
}

/** Throws SourceActionSelectionError or TriggerNotPossibleError when the pipeline cannot take the connection. */
export function planAttachment(current: PipelineDeclaration, target: AttachTarget): AttachmentPlan {
  const location = selectSourceAction(current, target.sourceActionName);
  const actionChanged = !isAttached(current, location, target);
  let declaration = current;
  let previousAction = structuredClone(findSourceAction(current, location)!);
  let attachedAction = previousAction;
  if (actionChanged) {
    ({ declaration, previousAction, attachedAction } = attachSourceConnection(current, location, target));
  }
  let trigger: AttachmentPlan['trigger'];
  if (target.trigger) {
    const previous = structuredClone(triggerOf(current, location.actionName));
    const attached = sourceTrigger(location.actionName, target.trigger);
    const changed = !isDeepStrictEqual(stripUndefined(previous), stripUndefined(attached));
    if (changed) declaration = setSourceTrigger(declaration, location.actionName, target.trigger);
    trigger = { previous, attached, changed };
  }
  const anyChange = actionChanged || trigger?.changed === true;
  return { location, declaration: anyChange ? declaration : undefined, actionChanged, previousAction, attachedAction, ...(trigger ? { trigger } : {}) };
}

/** What the request record keeps of an attachment: enough to undo it, and to tell whether it is still in place. */
export interface AttachmentToUndo {
  stageName: string;
  actionName: string;
  /** False when the action already was as requested: rollback leaves it alone. */
  actionChanged?: boolean;
  previousAction: unknown;
  trigger?: { previous: unknown; attached: unknown; changed: boolean };
}

export interface RestorePlan {
  declaration?: PipelineDeclaration;
  /** What was left alone and why (someone changed it after us, or it is gone). */
  notes: string[];
}

/**
 * Puts back what we changed, but only where it is still what we set: a source action that no longer
 * points at our connection, or a trigger someone edited after us, is somebody else's now.
 */
export function planRestore(current: PipelineDeclaration, attachment: AttachmentToUndo, connectionArn: string): RestorePlan {
  const location = { stageName: attachment.stageName, actionName: attachment.actionName };
  const notes: string[] = [];
  let declaration = current;
  let changed = false;
  const action = findSourceAction(current, location);
  // The trigger is ours to put back only while the action still uses this connection: one moved to
  // another connection (a replacement, or by hand) keeps the trigger it runs on.
  const stillOurs = action !== undefined && pointsAtConnection(action, connectionArn);
  if (attachment.actionChanged !== false) {
    if (!action) {
      notes.push(`The source action ${location.stageName}/${location.actionName} is gone; nothing to restore.`);
    } else if (!pointsAtConnection(action, connectionArn)) {
      notes.push(`The source action ${location.actionName} does not use this connection (any more); left it as it is.`);
    } else {
      declaration = restoreSourceAction(declaration, location, attachment.previousAction as ActionDeclaration);
      changed = true;
    }
  }
  if (attachment.trigger?.changed && !stillOurs) {
    notes.push(`The source action ${location.actionName} no longer uses this connection; left its trigger as it is.`);
  } else if (attachment.trigger?.changed) {
    const now = triggerOf(current, location.actionName);
    if (isDeepStrictEqual(stripUndefined(now), stripUndefined(attachment.trigger.attached))) {
      declaration = restoreSourceTrigger(declaration, location.actionName, (attachment.trigger.previous ?? null) as PipelineTriggerDeclaration | null);
      changed = true;
    } else {
      notes.push(`The trigger for ${location.actionName} was changed after we set it; left it as it is.`);
    }
  }
  return { ...(changed ? { declaration } : {}), notes };
}

/** Values read back from DynamoDB or AWS lose `undefined` members; compare without them. */
function stripUndefined<T>(value: T): T {
  return value === undefined || value === null ? value : (JSON.parse(JSON.stringify(value)) as T);
}
