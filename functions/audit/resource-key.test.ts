import { describe, expect, it } from 'vitest';
import { resourceId, resourceKey, sameResource } from './resource-key.ts';
import { earliest, hoursSince } from './rules/age.ts';

const OLD = 'arn:aws:codestar-connections:us-east-1:111111111111:connection/7d2469ff-514a-4e4f-9003-5ca4a43cdc41';
const NEW = OLD.replace(':codestar-connections:', ':codeconnections:');

describe('resource keys: one resource under either ARN prefix', () => {
  it('gives both spellings of a host or connection one key, and different resources different keys', () => {
    expect(resourceKey(OLD)).toBe(resourceKey(NEW));
    expect(resourceKey(OLD)).not.toBe(resourceKey(OLD.replace('7d2469ff', 'aaaaaaaa')));
    expect(resourceKey(OLD)).not.toBe(resourceKey(OLD.replace(':connection/', ':host/')));
    expect(resourceKey(OLD)).not.toBe(resourceKey(OLD.replace(':111111111111:', ':222222222222:')));
    expect(resourceKey(OLD)).not.toBe(resourceKey(OLD.replace(':us-east-1:', ':eu-west-1:')));
  });

  it('leaves anything else as it is: pipeline and role names, other ARNs, look-alikes', () => {
    for (const other of ['payments', 'arn:aws:iam::111111111111:role/r', `x${OLD}`, OLD.replace(':111111111111:', ':1111:')]) {
      expect(resourceKey(other)).toBe(other);
      expect(resourceId(other)).toBe(other);
    }
  });

  it('reads the id the inventory endpoints use', () => {
    expect(resourceId(NEW)).toBe('7d2469ff-514a-4e4f-9003-5ca4a43cdc41');
  });

  it('never calls a missing ARN the same resource as anything', () => {
    expect(sameResource(OLD, NEW)).toBe(true);
    expect(sameResource(undefined, undefined)).toBe(false);
    expect(sameResource(OLD, undefined)).toBe(false);
    expect(sameResource(undefined, NEW)).toBe(false);
  });
});

describe('ages', () => {
  it('takes the earliest readable time, ignoring missing and unreadable ones', () => {
    expect(earliest(undefined, '(unknown)', '2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z')).toBe('2026-03-01T00:00:00Z');
    expect(earliest(undefined, 'garbage')).toBeUndefined();
  });

  it('counts whole hours to one decimal, never negative', () => {
    const asOf = new Date('2026-03-10T12:00:00Z');
    expect(hoursSince('2026-03-10T09:30:00Z', asOf)).toBe(2.5);
    expect(hoursSince('2026-03-11T00:00:00Z', asOf)).toBe(0);
    expect(hoursSince('not a time', asOf)).toBe(0);
  });
});
