import { describe, expect, it } from 'vitest';
import { UnsupportedRegionError } from './input-errors.ts';
import {
  GHES_AVAILABLE_REGIONS,
  GHES_UNAVAILABLE_REGIONS,
  assertGhesRegionSupported,
  describeGhesRegionSupport,
  isGhesConnectionRegion,
} from './regions.ts';

describe('GHES connection Regions', () => {
  it.each([
    ['ap-east-1', 'Asia Pacific (Hong Kong)'],
    ['ap-south-2', 'Asia Pacific (Hyderabad)'],
    ['ap-southeast-3', 'Asia Pacific (Jakarta)'],
    ['ap-southeast-4', 'Asia Pacific (Melbourne)'],
    ['ap-northeast-3', 'Asia Pacific (Osaka)'],
    ['af-south-1', 'Africa (Cape Town)'],
    ['me-south-1', 'Middle East (Bahrain)'],
    ['me-central-1', 'Middle East (UAE)'],
    ['eu-south-2', 'Europe (Spain)'],
    ['eu-central-2', 'Europe (Zurich)'],
    ['il-central-1', 'Israel (Tel Aviv)'],
    ['us-gov-west-1', 'AWS GovCloud (US-West)'],
    ['cn-north-1', 'China (Beijing)'],
    ['cn-northwest-1', 'China (Ningxia)'],
  ])('%s (%s) is unavailable', (region, displayName) => {
    expect(isGhesConnectionRegion(region)).toBe(false);
    expect(describeGhesRegionSupport(region)).toEqual({
      status: 'unavailable',
      region,
      displayName,
      reason: `GitHub Enterprise Server connections are not available in ${displayName} (${region}).`,
    });
    expect(() => assertGhesRegionSupported(region)).toThrow(UnsupportedRegionError);
    expect(() => assertGhesRegionSupported(region, { allowUnknownRegions: true })).toThrow(`not available in ${displayName}`);
  });

  it.each(['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-2', 'sa-east-1', 'ca-central-1'])(
    '%s is available without a warning',
    (region) => {
      expect(isGhesConnectionRegion(region)).toBe(true);
      expect(describeGhesRegionSupport(region).status).toBe('available');
      expect(assertGhesRegionSupported(region)).toEqual({ region, warning: undefined });
    },
  );

  it('Europe (Milan) is available with a warning about the opt-in Region and its own app', () => {
    expect(isGhesConnectionRegion('eu-south-1')).toBe(true);
    const support = describeGhesRegionSupport('eu-south-1');
    expect(support).toMatchObject({ status: 'available-with-considerations', displayName: 'Europe (Milan)' });
    const { warning } = assertGhesRegionSupported('eu-south-1');
    expect(warning).toMatch(/opt-in Region/);
    expect(warning).toMatch(/Region-specific app/);
  });

  it('names GitLab self-managed when asked for it, with the same Regions (the action reference has one list for every provider)', () => {
    const gitLab = { providerName: 'GitLab self-managed' };
    expect(() => assertGhesRegionSupported('ap-east-1', gitLab)).toThrow('GitLab self-managed connections are not available in Asia Pacific (Hong Kong) (ap-east-1).');
    expect(() => assertGhesRegionSupported('ca-west-1', gitLab)).toThrow('ca-west-1 is not a Region where GitLab self-managed connections are documented as available.');
    expect(assertGhesRegionSupported('ca-west-1', { ...gitLab, allowUnknownRegions: true }).warning).toMatch(/^ca-west-1 is not in the documented list of Regions for GitLab self-managed connections/);
    expect(assertGhesRegionSupported('eu-west-1', gitLab)).toEqual({ region: 'eu-west-1', warning: undefined });
    // Milan's own GitHub App is GHES's; for GitLab only the opt-in is said.
    expect(assertGhesRegionSupported('eu-south-1', gitLab).warning).toBe('Europe (Milan) is an opt-in Region: it must be enabled for the account.');
  });

  it('does not confuse similar codes (eu-south-1 vs eu-south-2, ap-northeast-1 vs -3, ap-south-1 vs -2)', () => {
    expect([isGhesConnectionRegion('eu-south-1'), isGhesConnectionRegion('eu-south-2')]).toEqual([true, false]);
    expect([isGhesConnectionRegion('ap-northeast-1'), isGhesConnectionRegion('ap-northeast-3')]).toEqual([true, false]);
    expect([isGhesConnectionRegion('ap-south-1'), isGhesConnectionRegion('ap-south-2')]).toEqual([true, false]);
    expect([isGhesConnectionRegion('eu-central-1'), isGhesConnectionRegion('eu-central-2')]).toEqual([true, false]);
    expect([isGhesConnectionRegion('me-south-1'), isGhesConnectionRegion('me-central-1')]).toEqual([false, false]);
  });

  it('normalises case and spaces', () => {
    expect(isGhesConnectionRegion(' US-EAST-1 ')).toBe(true);
    expect(assertGhesRegionSupported(' EU-West-1')).toEqual({ region: 'eu-west-1', warning: undefined });
  });

  it('treats Regions in neither list as unknown: refused by default, allowed with a warning on request', () => {
    expect(describeGhesRegionSupport('ca-west-1')).toMatchObject({ status: 'unknown', region: 'ca-west-1' });
    expect(isGhesConnectionRegion('ca-west-1')).toBe(false);
    expect(() => assertGhesRegionSupported('ca-west-1')).toThrow(/not a Region where GitHub Enterprise Server connections are documented as available/);
    expect(assertGhesRegionSupported('ca-west-1', { allowUnknownRegions: true })).toEqual({
      region: 'ca-west-1',
      warning: expect.stringMatching(/creating the host may fail/),
    });
  });

  it('refuses strings that are not Region codes even when unknown Regions are allowed', () => {
    for (const region of ['', 'useast1', 'us-east', 'us_east_1', 'arn:aws:iam::1']) {
      expect(describeGhesRegionSupport(region).status).toBe('unknown');
      expect(() => assertGhesRegionSupported(region, { allowUnknownRegions: true })).toThrow(/not an AWS Region code/);
    }
  });

  it('has no Region in both lists, and every code is well formed', () => {
    const available = Object.keys(GHES_AVAILABLE_REGIONS);
    const unavailable = Object.keys(GHES_UNAVAILABLE_REGIONS);
    expect(available.filter((region) => unavailable.includes(region))).toEqual([]);
    for (const region of [...available, ...unavailable]) expect(region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
    expect(unavailable).toHaveLength(14);
  });

  it('throws errors with the Region and code', () => {
    try {
      assertGhesRegionSupported('ap-east-1');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: 'UnsupportedRegionError', code: 'UNSUPPORTED_REGION', region: 'ap-east-1' });
    }
  });
});
