import { describe, expect, it } from 'vitest';
import { requestActions, safeHref } from './actions.ts';

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

describe('safeHref', () => {
  it('keeps https links and drops every other scheme', () => {
    expect(safeHref('https://us-east-1.console.aws.amazon.com/codesuite/settings/connections')).toBe('https://us-east-1.console.aws.amazon.com/codesuite/settings/connections');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('data:text/html,hi')).toBeUndefined();
    expect(safeHref('not a url')).toBeUndefined();
    expect(safeHref(undefined)).toBeUndefined();
  });
});
