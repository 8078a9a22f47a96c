import { describe, expect, it } from 'vitest';
import { functionOutputWriter, logFormatFrom, readableLine, type FunctionOutputLine } from '../../infra/local/runtime/function-output.ts';

/** What the local terminal shows of the functions' output: readable warnings by default, everything as JSON with LOG_FORMAT=json. */

const at = '2026-03-01T12:34:56.000Z';
const local = (iso: string) => {
  const date = new Date(iso);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
};
const powertools = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    message: 'something happened',
    timestamp: at,
    service: 'connection-broker-slack',
    cold_start: true,
    function_arn: 'arn:aws:lambda:us-east-1:111111111111:function:connection-broker-local-slackInteractions',
    function_memory_size: '256',
    function_name: 'connection-broker-local-slackInteractions',
    function_request_id: '7a1e…',
    sampling_rate: 0,
    ...fields,
  });
const out = (line: string, stream: 'stdout' | 'stderr' = 'stdout'): FunctionOutputLine => ({ function: 'slackInteractions', stream, line });

const EMF = JSON.stringify({ _aws: { Timestamp: 0, CloudWatchMetrics: [{ Namespace: 'ConnectionBroker', Dimensions: [[]], Metrics: [{ Name: 'Findings' }] }] }, Findings: 3 });

describe('LOG_FORMAT', () => {
  it('is readable unless set to json; anything else stops the start', () => {
    expect(logFormatFrom(undefined)).toBe('readable');
    expect(logFormatFrom('')).toBe('readable');
    expect(logFormatFrom('text')).toBe('readable');
    expect(logFormatFrom('JSON')).toBe('json');
    expect(() => logFormatFrom('yaml')).toThrow(/LOG_FORMAT must be json or readable/);
  });
});

describe('a readable line', () => {
  it("shows a warning or error in one line: time, function, level, message and the record's own fields", () => {
    const line = readableLine(out(powertools({ level: 'WARN', message: 'refused a Slack decision', requestId: 'r-1', userId: 'U0STRANGER', note: 'two words' })));
    expect(line).toBe(`${local(at)}  slackInteractions   WARN   refused a Slack decision  requestId=r-1  userId=U0STRANGER  note="two words"`);
    const error = readableLine(out(powertools({ level: 'ERROR', message: 'failed', error: { name: 'AccessDenied', message: 'no', stack: 'at x\n at y' } })));
    expect(error).toBe(`${local(at)}  slackInteractions   ERROR  failed  error=AccessDenied: no`);
    expect(readableLine(out(powertools({ level: 'CRITICAL', message: 'down' })))).toContain('CRITICAL  down');
  });

  it('leaves out info and debug logs, metrics, and plain lines on stdout', () => {
    expect(readableLine(out(powertools({ level: 'INFO' })))).toBeUndefined();
    expect(readableLine(out(powertools({ level: 'DEBUG' })))).toBeUndefined();
    expect(readableLine(out(EMF))).toBeUndefined();
    expect(readableLine(out('some stray console.log'))).toBeUndefined();
    expect(readableLine(out('   '))).toBeUndefined();
  });

  it("shows a library's plain warning on stderr, one line", () => {
    expect(readableLine(out('[slack] rate limited, retrying in 1 s', 'stderr'))).toMatch(/^\d\d:\d\d:\d\d {2}slackInteractions +WARN {3}\[slack\] rate limited, retrying in 1 s$/);
    expect(readableLine(out('TypeError: x is not a function', 'stderr'))).toMatch(/ERROR {2}TypeError: x is not a function$/);
  });

  it('keeps each field short and on the line', () => {
    const line = readableLine(out(powertools({ level: 'WARN', detail: { text: 'y'.repeat(1000) }, multi: 'a\nb' })))!;
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(400);
  });
});

describe('the writer', () => {
  const collect = (format: 'readable' | 'json') => {
    const written: { stream: string; text: string }[] = [];
    const write = functionOutputWriter(format, { stdout: (text) => written.push({ stream: 'stdout', text }), stderr: (text) => written.push({ stream: 'stderr', text }) });
    return { written, write };
  };

  it('passes every line on unchanged with LOG_FORMAT=json, on its own stream', () => {
    const { written, write } = collect('json');
    const info = powertools({ level: 'INFO' });
    write(out(info));
    write(out(EMF));
    write(out('[slack] a warning', 'stderr'));
    expect(written).toEqual([
      { stream: 'stdout', text: `${info}\n` },
      { stream: 'stdout', text: `${EMF}\n` },
      { stream: 'stderr', text: '[slack] a warning\n' },
    ]);
  });

  it('prints only the readable warnings by default, on stderr', () => {
    const { written, write } = collect('readable');
    write(out(powertools({ level: 'INFO' })));
    write(out(EMF));
    write(out(powertools({ level: 'WARN', message: 'careful' })));
    expect(written).toEqual([{ stream: 'stderr', text: `${local(at)}  slackInteractions   WARN   careful\n` }]);
  });
});
