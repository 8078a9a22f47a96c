import { describe, expect, it } from 'vitest';
import { requestActions, resolvableBlockers, safeHref } from './actions.ts';

const alice = { id: 'alice', isAdmin: false };
const admin = { id: 'root', isAdmin: true };
const request = (status: string, extra: Record<string, unknown> = {}) => ({ status, requester: { id: 'alice' }, waitingFor: undefined, hostUpdate: undefined, ...extra }) as Parameters<typeof requestActions>[0];
const waitingFor = { what: 'handshake', who: 'approver', since: '2026-12-04T10:00:00.000Z' };

describe('requestActions', () => {
  it('lets the requester cancel and check a waiting request, and only an admin decide', () => {
    expect(requestActions(request('WAITING_FOR_APPROVAL', { waitingFor }), alice)).toEqual({ cancel: true, checkNow: true, decide: false });
    expect(requestActions(request('WAITING_FOR_APPROVAL', { waitingFor }), admin)).toEqual({ cancel: true, checkNow: true, decide: true });
  });

  it('offers nothing to someone else, and no cancel where the API would refuse one', () => {
    expect(requestActions(request('WAITING_FOR_HOST_SETUP', { waitingFor }), { id: 'bob', isAdmin: false })).toEqual({ cancel: false, checkNow: false, decide: false });
    for (const status of ['ROLLING_BACK', 'DECOMMISSIONING', 'COMPLETED', 'FAILED']) expect(requestActions(request(status), alice).cancel).toBe(false);
    const updating = request('WAITING_FOR_HOST_SETUP', { waitingFor, hostUpdate: { by: 'alice', at: '2026-12-04T10:00:00.000Z', vpcConfigurationChanged: false } });
    expect(requestActions(updating, alice)).toEqual({ cancel: false, checkNow: true, decide: false });
    expect(requestActions(request('WAITING_FOR_DECOMMISSION_APPROVAL'), admin)).toEqual({ cancel: false, checkNow: false, decide: true });
  });
});

describe('resolvableBlockers', () => {
  const blocker = (id: string) => ({ id, type: 'AUTOMATED', reason: 'Stack is in UPDATE_ROLLBACK_FAILED', createdAt: '2026-12-04T10:00:00.000Z' });
  const synced = (status: string, blockers = [blocker('b-1'), blocker('b-2')]) =>
    ({ status, gitSync: { stackName: 'payments-infra', repository: 'acme/infra', branch: 'main', configFile: 'deploy.yaml', roleArn: 'arn:aws:iam::111111111111:role/r', blockers } }) as Parameters<typeof resolvableBlockers>[0];

  it('offers an admin every open blocker of a completed or active request', () => {
    expect(resolvableBlockers(synced('COMPLETED'), admin)).toEqual(['b-1', 'b-2']);
    expect(resolvableBlockers(synced('ATTACHING_PIPELINE'), admin)).toEqual(['b-1', 'b-2']);
  });

  it('offers nothing to a requester, nothing without blockers or Git sync, and nothing where the API no longer finds the request’s Git sync', () => {
    expect(resolvableBlockers(synced('COMPLETED'), alice)).toEqual([]);
    expect(resolvableBlockers(synced('COMPLETED', []), admin)).toEqual([]);
    expect(resolvableBlockers({ status: 'COMPLETED' } as Parameters<typeof resolvableBlockers>[0], admin)).toEqual([]);
    for (const status of ['ROLLING_BACK', 'FAILED', 'CANCELLED', 'DECOMMISSIONED']) expect(resolvableBlockers(synced(status), admin)).toEqual([]);
  });
});

describe('safeHref', () => {
  it('keeps https links and drops every other scheme', () => {
    expect(safeHref('https://us-east-1.console.aws.amazon.com/codesuite/settings/connections')).toBe('https://us-east-1.console.aws.amazon.com/codesuite/settings/connections');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,hi')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
    expect(safeHref(undefined)).toBeUndefined();
  });
});
