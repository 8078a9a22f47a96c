import { describe, expect, it } from 'vitest';
import { ApiError } from '../shell/http-errors.ts';
import { parseCursor } from './manage-request.ts';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const mine = { index: 'gsi1', partition: 'REQUESTER#alice' } as const;

function refusal(text: string, scope: Parameters<typeof parseCursor>[1] = mine): ApiError {
  try {
    parseCursor(text, scope);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('parseCursor', () => {
  it('reads back the last key of a page of the index listed', () => {
    const key = { pk: 'REQ#r1', sk: 'REQUEST', gsi1pk: 'REQUESTER#alice', gsi1sk: '2026-01-01T00:00:00.000Z#r1' };
    expect(parseCursor(encode(key), mine)).toEqual(key);
    const all = { pk: 'REQ#r1', sk: 'REQUEST', gsi2pk: 'REQUESTS', gsi2sk: '2026-01-01T00:00:00.000Z#r1' };
    expect(parseCursor(encode(all), { index: 'gsi2', partition: 'REQUESTS' })).toEqual(all);
  });

  it.each([
    ['e30', '{}'],
    ['bnVsbA', 'null'],
    ['WzEsMl0', '[1,2]'],
    [encode({ pk: 'REQ#r1', sk: 'REQUEST', gsi2pk: 'REQUESTS', gsi2sk: 'x' }), 'another index'],
    [encode({ pk: 'REQ#r1', sk: 'REQUEST', gsi1pk: 'REQUESTER#bob', gsi1sk: 'x' }), "another requester's partition"],
    [encode({ pk: 'REQ#r1', sk: 'REQUEST', gsi1pk: 'REQUESTER#alice', gsi1sk: 1 }), 'a number'],
    [encode({ pk: 'REQ#r1', sk: 'REQUEST', gsi1pk: 'REQUESTER#alice', gsi1sk: 'x', extra: 'y' }), 'an extra attribute'],
    [encode({ pk: `REQ#${'x'.repeat(2100)}`, sk: 'REQUEST', gsi1pk: 'REQUESTER#alice', gsi1sk: 'x' }), 'a key too long for DynamoDB'],
    ['not base64!', 'not base64url'],
    ['bm90IGpzb24', 'not JSON'],
  ])('refuses %s (%s) with 400 at the field cursor', (text) => {
    const error = refusal(text);
    expect(error.status).toBe(400);
    expect(error.details.map((detail) => detail.path)).toEqual(['cursor']);
  });
});
