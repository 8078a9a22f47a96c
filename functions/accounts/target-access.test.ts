import { describe, expect, it } from 'vitest';
import type { AccountRegistration } from './contract.ts';
import { decideTargetAccess, type TargetAccessInput } from './target-access.ts';

const broker = { accountId: '111111111111', region: 'us-east-1' };
const payments: AccountRegistration = {
  accountId: '222222222222',
  team: 'payments',
  registeredBy: 'root@example.com',
  registeredAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

function decide(overrides: Partial<TargetAccessInput>) {
  return decideTargetAccess({
    caller: { isAdmin: false, teams: ['payments'] },
    requested: {},
    broker,
    registration: undefined,
    providerEndpoint: 'https://ghe.example.com',
    ...overrides,
  });
}

describe('decideTargetAccess', () => {
  it("provisions in the broker's own account and Region when the request names neither", () => {
    expect(decide({})).toEqual({ allowed: true, target: { region: 'us-east-1' } });
  });

  it('treats the broker account named explicitly as home, in the Region asked for, with no registration', () => {
    expect(decide({ requested: { accountId: '111111111111', region: 'eu-west-1' } })).toEqual({ allowed: true, target: { region: 'eu-west-1' } });
  });

  it('refuses an unregistered account with 422 at accountId, saying how to register it', () => {
    const decision = decide({ requested: { accountId: '333333333333' } });
    expect(decision).toMatchObject({ allowed: false, status: 422, code: 'AccountNotRegistered', path: 'accountId' });
    expect(decision.allowed === false && decision.message).toContain('PUT /v1/accounts/333333333333');
  });

  it("lets a requester ask for their team's account, in the Region asked for", () => {
    expect(decide({ requested: { accountId: '222222222222', region: 'eu-west-1' }, registration: payments })).toEqual({
      allowed: true,
      target: { accountId: '222222222222', region: 'eu-west-1' },
      registration: payments,
    });
  });

  it("refuses another team's account with 403 at accountId, naming the owner and the caller's teams", () => {
    const decision = decide({ caller: { isAdmin: false, teams: ['search', 'ads'] }, requested: { accountId: '222222222222' }, registration: payments });
    expect(decision).toMatchObject({ allowed: false, status: 403, code: 'AccountNotAllowed', path: 'accountId' });
    expect(decision.allowed === false && decision.message).toContain('team payments');
    expect(decision.allowed === false && decision.message).toContain('search, ads');
  });

  it('says so when the token names no team at all', () => {
    const decision = decide({ caller: { isAdmin: false, teams: [] }, requested: { accountId: '222222222222' }, registration: payments });
    expect(decision.allowed === false && decision.message).toContain('your token names no team');
  });

  it('lets an admin ask for any registered account', () => {
    expect(decide({ caller: { isAdmin: true, teams: [] }, requested: { accountId: '222222222222' }, registration: payments })).toMatchObject({ allowed: true });
  });

  it("narrows the endpoints to the account's own list, 403 at providerEndpoint", () => {
    const registration = { ...payments, allowedEndpoints: ['*.payments.example.com'] };
    expect(decide({ requested: { accountId: '222222222222' }, registration, providerEndpoint: 'https://ghe.payments.example.com' })).toMatchObject({ allowed: true });
    expect(decide({ requested: { accountId: '222222222222' }, registration, providerEndpoint: 'https://ghe.example.com' })).toMatchObject({
      allowed: false,
      status: 403,
      path: 'providerEndpoint',
    });
  });
});
