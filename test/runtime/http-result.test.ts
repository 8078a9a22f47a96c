import { describe, expect, it } from 'vitest';
import { mapHandlerResult } from '../../infra/local/runtime/http-result.ts';

const text = (body: Buffer) => body.toString('utf8');

describe('handler result → HTTP response', () => {
  it('maps a structured result: status, headers stringified, cookies, body', () => {
    const response = mapHandlerResult({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-count': 3, 'x-flag': true },
      cookies: ['a=1; Path=/', 'b=2'],
      body: '{"id":"r1"}',
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'x-count': '3', 'x-flag': 'true' });
    expect(response.cookies).toEqual(['a=1; Path=/', 'b=2']);
    expect(text(response.body)).toBe('{"id":"r1"}');
  });

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([1, 2, 3, 254]);
    const response = mapHandlerResult({ statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: bytes.toString('base64'), isBase64Encoded: true });
    expect(response.body.equals(bytes)).toBe(true);
  });

  it('turns a result without statusCode into a 200 JSON body, as API Gateway infers', () => {
    expect(mapHandlerResult({ ok: true })).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(text(mapHandlerResult({ ok: true }).body)).toBe('{"ok":true}');
    // The whole object is the body: headers/body members are not interpreted without statusCode.
    expect(text(mapHandlerResult({ headers: { a: 'b' }, body: 'x' }).body)).toBe('{"headers":{"a":"b"},"body":"x"}');
    expect(text(mapHandlerResult('hello').body)).toBe('"hello"');
    expect(text(mapHandlerResult([1, 2]).body)).toBe('[1,2]');
    expect(text(mapHandlerResult(undefined).body)).toBe('null');
  });

  it('answers an empty body for a structured result without one, with no content type added', () => {
    const response = mapHandlerResult({ statusCode: 204 });
    expect(response.body.length).toBe(0);
    expect(response.headers).toEqual({});
  });

  it('defaults a structured body with no content type to text/plain', () => {
    expect(mapHandlerResult({ statusCode: 200, body: 'hi' }).headers).toEqual({ 'content-type': 'text/plain; charset=utf-8' });
    expect(mapHandlerResult({ statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>' }).headers).toEqual({ 'Content-Type': 'text/html' });
  });

  it.each([
    ['a non-numeric statusCode', { statusCode: '200', body: 'x' }],
    ['an out-of-range statusCode', { statusCode: 42 }],
    ['an object body', { statusCode: 200, body: { a: 1 } }],
    ['an object header value', { statusCode: 200, headers: { a: { b: 1 } } }],
    ['non-string cookies', { statusCode: 200, cookies: [1] }],
  ])('answers 500 Internal Server Error for %s', (_, result) => {
    const response = mapHandlerResult(result);
    expect(response.statusCode).toBe(500);
    expect(text(response.body)).toBe('{"message":"Internal Server Error"}');
  });
});
