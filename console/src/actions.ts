import { IN_PLACE_STATUSES, isActive } from '../../functions/request/model.ts';
import type { RequestView } from '../../functions/request/request-view.ts';

/**
 * Which buttons the request page offers the viewer: only what the API would do for them now, so a
 * button never leads to a refusal the page could have foreseen (functions/request/manage-request.ts
 * refuses a cancel once the request rolls back, is decommissioned or has its host updated).
 */
export interface RequestActions {
  cancel: boolean;
  checkNow: boolean;
  decide: boolean;
}

type Viewer = { id: string; isAdmin: boolean };
type Viewed = Pick<RequestView, 'status' | 'requester' | 'waitingFor' | 'hostUpdate'>;

const APPROVAL_STATUSES: readonly string[] = ['WAITING_FOR_APPROVAL', 'WAITING_FOR_DECOMMISSION_APPROVAL'];

export function requestActions(request: Viewed, viewer: Viewer): RequestActions {
  const mayAct = request.requester.id === viewer.id || viewer.isAdmin;
  const hostUpdateUnderWay = request.hostUpdate !== undefined && request.hostUpdate.finishedAt === undefined && request.hostUpdate.abandoned === undefined;
  return {
    cancel: mayAct && isActive(request.status) && !hostUpdateUnderWay,
    checkNow: mayAct && request.waitingFor !== undefined,
    decide: viewer.isAdmin && APPROVAL_STATUSES.includes(request.status),
  };
}

/**
 * The sync blockers the viewer may resolve from the request page: the API resolves them for admins
 * only, and finds the request's Git sync only while the request is active (not rolling back) or
 * completed (functions/sync/resolve-blocker.ts); a rolled-back request has no sync configuration left.
 */
export function resolvableBlockers(request: Pick<RequestView, 'status' | 'gitSync'>, viewer: Viewer): string[] {
  if (!viewer.isAdmin || request.gitSync === undefined) return [];
  if (!IN_PLACE_STATUSES.includes(request.status)) return [];
  return request.gitSync.blockers.map((blocker) => blocker.id);
}

/** A link from the API as an href: only https (console pages), never `javascript:` or `data:`. */
export function safeHref(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
