import { describe, expect, it } from 'vitest';
import { readAuditSettings } from '../audit/settings.ts';
import { readConfig } from '../shell/config.ts';
import { readQuotas } from './quotas.ts';

describe('quotas (serverless.yml params hostQuota, connectionQuota)', () => {
  it("default to AWS's 50 hosts and 250 connections when unset or empty", () => {
    expect(readQuotas({})).toEqual({ hosts: 50, connections: 250 });
    expect(readQuotas({ HOST_QUOTA: '', CONNECTION_QUOTA: ' ' })).toEqual({ hosts: 50, connections: 250 });
  });

  it('take raised quotas from the environment', () => {
    expect(readQuotas({ HOST_QUOTA: '100', CONNECTION_QUOTA: '1000' })).toEqual({ hosts: 100, connections: 1000 });
  });

  it.each([['0'], ['-5'], ['2.5'], ['fifty'], ['Infinity']])('refuse %s, naming the variable and the param', (value) => {
    expect(() => readQuotas({ HOST_QUOTA: value })).toThrow(`HOST_QUOTA must be a positive whole number (serverless.yml param hostQuota), not "${value}".`);
    expect(() => readQuotas({ CONNECTION_QUOTA: value })).toThrow(/^CONNECTION_QUOTA must be a positive whole number \(serverless.yml param connectionQuota\)/);
  });

  it('reach the API config (pre-flight) and the auditor, which refuse a non-positive quota too', () => {
    const env = { TABLE_NAME: 't', HOST_QUOTA: '60', CONNECTION_QUOTA: '300' };
    expect(readConfig(env).quotas).toEqual({ hosts: 60, connections: 300 });
    expect(readAuditSettings(env).thresholds).toMatchObject({ hostQuota: 60, connectionQuota: 300 });
    expect(() => readConfig({ ...env, CONNECTION_QUOTA: '0' })).toThrow(/CONNECTION_QUOTA/);
    expect(() => readAuditSettings({ ...env, HOST_QUOTA: '-1' })).toThrow(/HOST_QUOTA/);
  });
});
