import { describe, expect, it } from 'vitest';
import { placeKey, planPlaces, requestsIn } from './places.ts';
import { placesNotAudited } from './rules/places.ts';
import { record } from './test-fixtures.ts';

const home = { accountId: '111111111111', region: 'us-east-1' };

describe('where the fleet audit looks', () => {
  it("starts with the broker's own account and Region, then each registered account in its Regions, sorted", () => {
    const places = planPlaces(home, [{ accountId: '333333333333' }, { accountId: '222222222222', regions: ['eu-west-1', 'us-east-1'] }], []);
    expect(places.map(placeKey)).toEqual(['111111111111#us-east-1', '222222222222#eu-west-1', '222222222222#us-east-1', '333333333333#us-east-1']);
  });

  it('adds where live or completed requests provision, even for an account no longer registered, and nothing twice', () => {
    const requests = [
      record('r1', { accountId: '444444444444', region: 'eu-central-1', status: 'COMPLETED' }),
      record('r2', { accountId: '222222222222', region: 'us-east-1', status: 'WAITING_FOR_APPROVAL' }),
      record('r3', { accountId: '555555555555', region: 'us-east-1', status: 'FAILED' }),
      record('r4', { region: 'eu-west-1', status: 'CANCELLED' }),
      record('r5', { region: 'eu-west-2', status: 'COMPLETED' }),
    ];
    const places = planPlaces(home, [{ accountId: '222222222222' }], requests);
    expect(places.map(placeKey)).toEqual(['111111111111#us-east-1', '111111111111#eu-west-2', '222222222222#us-east-1', '444444444444#eu-central-1']);
  });

  it("gives each place only its own requests (no account: the broker's own)", () => {
    const mine = record('r1', { region: 'us-east-1' });
    const spoke = record('r2', { accountId: '222222222222', region: 'us-east-1' });
    expect(requestsIn(home, home, [mine, spoke]).map((r) => r.requestId)).toEqual(['r1']);
    expect(requestsIn({ accountId: '222222222222', region: 'us-east-1' }, home, [mine, spoke]).map((r) => r.requestId)).toEqual(['r2']);
  });
});

describe('a place that could not be audited', () => {
  it('is a high finding naming the account, Region and error, with the spoke role to check', () => {
    const findings = placesNotAudited(
      [
        { ...home, status: 'AUDITED', findings: 0 },
        { accountId: '222222222222', region: 'eu-west-1', status: 'FAILED', error: 'AccessDenied: not authorized to perform sts:AssumeRole' },
      ],
      home,
    );
    expect(findings).toEqual([
      expect.objectContaining({
        type: 'PLACE_NOT_AUDITED',
        severity: 'high',
        resource: 'account:222222222222/eu-west-1',
        accountId: '222222222222',
        region: 'eu-west-1',
        message: expect.stringContaining('AccessDenied: not authorized to perform sts:AssumeRole'),
        fix: expect.stringContaining('connection-broker-spoke'),
      }),
    ]);
  });
});
