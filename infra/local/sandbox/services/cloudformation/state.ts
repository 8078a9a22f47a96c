import { randomUUID } from 'node:crypto';
import type { SandboxStore } from '../../store.ts';

/** CloudFormation's stack statuses (the StackStatus enum of the 2010-05-15 API). */
export const STACK_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
] as const;

export type StackStatus = (typeof STACK_STATUSES)[number];

export interface StackTag {
  Key: string;
  Value: string;
}

/**
 * One stack. A deleted stack stays (DELETE_COMPLETE, with its DeletionTime): AWS still describes it
 * by its StackId, while its name is free for a new stack with another id.
 */
export interface StackRecord {
  /** Creation order within the account and Region. */
  seq: number;
  stackId: string;
  stackName: string;
  status: StackStatus;
  /** Sandbox clock, epoch ms. */
  creationTimeMs: number;
  /** Set by the first update (AWS leaves LastUpdatedTime out until the stack has been updated). */
  lastUpdatedTimeMs?: number;
  deletionTimeMs?: number;
  tags: StackTag[];
}

/** CloudFormation's stacks in one account and Region (stacks are Regional), by StackId. */
export interface CloudFormationState {
  nextSeq: number;
  stacks: Record<string, StackRecord>;
}

export const CLOUDFORMATION_SLICE = 'cloudformation';

export function cloudFormationState(store: SandboxStore, accountId: string, region: string): CloudFormationState {
  return store.slice<CloudFormationState>(CLOUDFORMATION_SLICE, [accountId, region], () => ({ nextSeq: 1, stacks: {} }));
}

/** Tells the store that a stack changed (its record, and the sequence a new one takes). */
export function stackChanged(store: SandboxStore, state: CloudFormationState, stack: StackRecord): void {
  store.markChanged(state, 'stacks', stack.stackId);
  store.markChanged(state, 'nextSeq');
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `arn:aws:cloudformation:{Region}:{Account}:stack/{StackName}/{uuid}`: a new id for each stack made. */
export function newStackId(accountId: string, region: string, stackName: string): string {
  return `arn:${partitionOf(region)}:cloudformation:${region}:${accountId}:stack/${stackName}/${randomUUID()}`;
}

export const isLive = (stack: StackRecord): boolean => stack.status !== 'DELETE_COMPLETE';

/** The live stack with this name (names are case-sensitive; a deleted stack has none). */
export function liveStackNamed(state: CloudFormationState, stackName: string): StackRecord | undefined {
  return Object.values(state.stacks).find((stack) => isLive(stack) && stack.stackName === stackName);
}

/** Creates a stack, in `status`, now. */
export function addStack(
  state: CloudFormationState,
  accountId: string,
  region: string,
  stackName: string,
  nowMs: number,
  { status = 'CREATE_COMPLETE', tags = [] }: { status?: StackStatus; tags?: StackTag[] } = {},
): StackRecord {
  const stack: StackRecord = {
    seq: state.nextSeq++,
    stackId: newStackId(accountId, region, stackName),
    stackName,
    status,
    creationTimeMs: nowMs,
    tags,
  };
  if (status === 'DELETE_COMPLETE') stack.deletionTimeMs = nowMs;
  state.stacks[stack.stackId] = stack;
  return stack;
}

/** The stack as DescribeStacks shows it (members AWS leaves out when unset are left out). */
export function describeStack(stack: StackRecord) {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    CreationTime: new Date(stack.creationTimeMs).toISOString(),
    DeletionTime: stack.deletionTimeMs === undefined ? undefined : new Date(stack.deletionTimeMs).toISOString(),
    LastUpdatedTime: stack.lastUpdatedTimeMs === undefined ? undefined : new Date(stack.lastUpdatedTimeMs).toISOString(),
    StackStatus: stack.status,
    DisableRollback: false,
    Tags: stack.tags.length > 0 ? stack.tags.map(({ Key, Value }) => ({ Key, Value })) : undefined,
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}
