import { describe, expect, it } from 'vitest';
import { ApiError } from '../shell/http-errors.ts';
import { asOfFrom, parseRfc3339 } from './start-audit.ts';

describe('POST /v1/audits asOf', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01t00:00:00z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T02:30:00+02:30', '2026-01-01T00:00:00.000Z'],
    ['2025-12-31T19:00:00-05:00', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00.5Z', '2026-01-01T00:00:00.500Z'],
    ['2026-01-01T00:00:00.123456789Z', '2026-01-01T00:00:00.123Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
  ])('accepts the RFC 3339 date-time %s', (text, expected) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(expected);
    expect(asOfFrom({ asOf: text })?.toISOString()).toBe(expected);
  });

  it.each([
    '2026-01-01T00:00:00',
    '2026-01-01T00:00',
    '2026-01-01',
    '2026-01-01T00:00:00+0200',
    '2026-01-01T00:00:00+02',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00.Z',
    ' 2026-01-01T00:00:00Z',
    '2026-01-01T00:00:00Z trailing',
  ])('refuses %j with 400 at the field asOf', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
    try {
      asOfFrom({ asOf: text });
      expect.unreachable(`${text} was accepted`);
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(400);
      expect((error as ApiError).details.map((detail) => detail.path)).toEqual(['asOf']);
    }
  });
});
