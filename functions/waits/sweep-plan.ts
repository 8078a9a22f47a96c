import { resourceKey } from '../audit/resource-key.ts';
import { dueApprovalNotice, type ApprovalNotice, type ApprovalSchedule } from '../approval/schedule.ts';
import { ConnectionInError, HostInError, VpcInitializationFailed, WaitedResourceGone } from '../workflow/errors.ts';
import type { WaitRecord } from './wait-store.ts';

/** A host or connection as a list (or a Get) showed it. */
export interface ObservedResource {
  status: string;
  /** ListHosts' StatusMessage: why a VPC host failed to initialize. */
  statusMessage?: string;
}

/** What to do about one wait, given what AWS shows now. */
export type WaitDecision =
  /** The person's step is done: resume the workflow (a handshake is approved by it). */
  | { kind: 'resume'; wait: WaitRecord }
  /** The resource will never become AVAILABLE: fail the waiting state with AWS's reason. */
  | { kind: 'fail'; wait: WaitRecord; error: string; cause: string }
  /** Still waiting, and the approvers are due a reminder or an escalation. */
  | { kind: 'notify'; wait: WaitRecord; notice: ApprovalNotice }
  | { kind: 'keep-waiting'; wait: WaitRecord };

export interface WaitRules {
  approvalSchedule: ApprovalSchedule;
  /**
   * A resource missing from the list this long after the wait began was deleted by someone (a
   * younger one may just not be listed yet).
   */
  missingAfterSeconds: number;
}

export const DEFAULT_MISSING_AFTER_SECONDS = 600;

/**
 * One wait, one look. The decision depends on the resource's status now, not on a change seen
 * since the last look, so a sweep that failed or was skipped loses nothing: the next one decides
 * the same. Pure: the caller lists, decides, then acts.
 */
export function decideWait(wait: WaitRecord, observed: ObservedResource | undefined, now: Date, rules: WaitRules): WaitDecision {
  const waitedSeconds = Math.max(0, (now.getTime() - Date.parse(wait.since)) / 1000);
  if (observed === undefined) {
    return waitedSeconds >= rules.missingAfterSeconds ? failWith(wait, new WaitedResourceGone(wait.resourceArn)) : { kind: 'keep-waiting', wait };
  }
  if (wait.kind === 'host-setup') {
    switch (observed.status) {
      case 'AVAILABLE':
        return { kind: 'resume', wait };
      case 'VPC_CONFIG_FAILED_INITIALIZATION':
        return failWith(wait, new VpcInitializationFailed(wait.resourceArn, observed.statusMessage));
      case 'ERROR':
        return failWith(wait, new HostInError(wait.resourceArn));
      default:
        return { kind: 'keep-waiting', wait };
    }
  }
  if (observed.status === 'AVAILABLE' && wait.availableApproves) return { kind: 'resume', wait };
  if (observed.status === 'ERROR') return failWith(wait, new ConnectionInError(wait.resourceArn));
  const notice = dueApprovalNotice(rules.approvalSchedule, waitedSeconds, { reminder: wait.remindedAt !== undefined, escalation: wait.escalatedAt !== undefined });
  return notice ? { kind: 'notify', wait, notice } : { kind: 'keep-waiting', wait };
}

/** What one sweep must list: hosts only when a request waits on one, connections likewise. */
export function listsNeeded(waits: readonly WaitRecord[]): { hosts: boolean; connections: boolean } {
  return { hosts: waits.some((wait) => wait.kind === 'host-setup'), connections: waits.some((wait) => wait.kind === 'handshake') };
}

/** `<account>|<region>` of an ARN (`arn:aws:<service>:<region>:<account>:…`). */
export function placeOf(arn: string): string {
  const [, , , region = '', account = ''] = arn.split(':');
  return `${account}|${region}`;
}

/** One place the sweep lists: an account and Region (read from the waited ARNs), and which lists it needs there. */
export interface Listing {
  /** `<account>|<region>` of the waited resources. */
  where: string;
  /** One waited ARN there: the sweep reaches the account and Region through it. */
  anyArn: string;
  hosts: boolean;
  connections: boolean;
}

/**
 * Where the sweep must list, and what: hosts and connections are per account and Region, so the
 * waits are grouped by the account and Region their ARNs name (the broker's own, and each spoke
 * that has waits). With every wait at home this is one listing, as before.
 */
export function listingsNeeded(waits: readonly WaitRecord[]): Listing[] {
  const byPlace = new Map<string, WaitRecord[]>();
  for (const wait of waits) {
    const where = placeOf(wait.resourceArn);
    byPlace.set(where, [...(byPlace.get(where) ?? []), wait]);
  }
  return [...byPlace.entries()].map(([where, here]) => ({ where, anyArn: here[0]!.resourceArn, ...listsNeeded(here) }));
}

/** Every wait against the listed resources (keyed by resourceKey, so either ARN prefix matches). */
export function planSweep(waits: readonly WaitRecord[], listed: ReadonlyMap<string, ObservedResource>, now: Date, rules: WaitRules): WaitDecision[] {
  return waits.map((wait) => decideWait(wait, listed.get(resourceKey(wait.resourceArn)), now, rules));
}

function failWith(wait: WaitRecord, error: Error): WaitDecision {
  return { kind: 'fail', wait, error: error.name, cause: error.message };
}
