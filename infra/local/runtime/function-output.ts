/**
 * What the functions print (Powertools' JSON logs, EMF metric lines, the Slack client's warnings),
 * as the local terminal shows it. The terminal is for people: by default only warnings and errors,
 * one readable line each, so a failure is never hidden; `LOG_FORMAT=json` passes every line on
 * unchanged (JSON, one per line), as CloudWatch Logs would receive it.
 */

export type LogFormat = 'readable' | 'json';

/** One line a function's environment wrote. */
export interface FunctionOutputLine {
  /** The function's key in serverless.yml. */
  function: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/** `LOG_FORMAT`: `json`, or `readable` (also `text`, Lambda's name for it); unset means readable. */
export function logFormatFrom(value: string | undefined): LogFormat {
  const format = (value ?? '').trim().toLowerCase();
  if (format === 'json') return 'json';
  if (format === '' || format === 'readable' || format === 'text') return 'readable';
  throw new Error(`LOG_FORMAT must be json or readable, not ${JSON.stringify(value)}`);
}

export interface OutputStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processStreams: OutputStreams = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Where the functions' lines go: unchanged in `json`, else the readable line of each warning or error, on stderr. */
export function functionOutputWriter(format: LogFormat, streams: OutputStreams = processStreams): (output: FunctionOutputLine) => void {
  if (format === 'json') return (output) => streams[output.stream](`${output.line}\n`);
  return (output) => {
    const line = readableLine(output);
    if (line !== undefined) streams.stderr(`${line}\n`);
  };
}

/** Powertools' own keys: every line has them, so they say nothing about this one. */
const STANDARD_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);
const SHOWN_LEVELS = new Set(['WARN', 'ERROR', 'CRITICAL']);
const MAX_VALUE_LENGTH = 200;

/**
 * `10:41:02  slackInteractions   WARN   refused a Slack decision …  requestId=… userId=U0STRANGER`
 * for a warning or error; undefined for what people need not see: info and debug logs, metrics
 * (EMF, `_aws`), and anything else on stdout.
 */
export function readableLine(output: FunctionOutputLine): string | undefined {
  const text = output.line.trim();
  if (text === '') return undefined;
  const record = jsonObject(text);
  if (record) {
    if ('_aws' in record) return undefined;
    const level = String(record.level ?? '').toUpperCase();
    if (!SHOWN_LEVELS.has(level)) return undefined;
    const fields = Object.entries(record)
      .filter(([key, value]) => !STANDARD_KEYS.has(key) && value !== undefined && value !== null)
      .map(([key, value]) => `${key}=${fieldValue(value)}`);
    return [clock(record.timestamp), output.function.padEnd(18), level.padEnd(5), oneLine(String(record.message ?? '')), ...fields].join('  ');
  }
  // Not a log record: a warning printed by a library (the Slack client's, Node's). Shown only from stderr.
  if (output.stream !== 'stderr') return undefined;
  const level = /error\b|exception|\bfail/i.test(text) ? 'ERROR' : 'WARN';
  return [clock(undefined), output.function.padEnd(18), level.padEnd(5), oneLine(text)].join('  ');
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A field as `key=value` shows it: an error by its name and message (no stack), objects as compact JSON, all capped. */
function fieldValue(value: unknown): string {
  let text: string;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'message' in value) {
    const error = value as { name?: unknown; message?: unknown };
    text = error.name ? `${String(error.name)}: ${String(error.message)}` : String(error.message);
  } else if (typeof value === 'string') {
    text = /\s/.test(value) ? JSON.stringify(value) : value;
  } else {
    text = JSON.stringify(value) ?? String(value);
  }
  return cap(oneLine(text), MAX_VALUE_LENGTH);
}

/** `HH:MM:SS` in local time, of the record's own timestamp (the functions' clock, the sandbox's) or now. */
export function clock(timestamp: unknown): string {
  const at = typeof timestamp === 'string' || typeof timestamp === 'number' ? new Date(timestamp) : new Date();
  const shown = Number.isNaN(at.getTime()) ? new Date() : at;
  return [shown.getHours(), shown.getMinutes(), shown.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export function cap(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
