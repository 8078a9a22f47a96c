/**
 * EventBridge cron expressions: `cron(minutes hours day-of-month month day-of-week year)`,
 * evaluated in UTC as EventBridge rules are. Supported: numbers, names (JAN-DEC,
 * SUN-SAT), `*`, `?`, lists, ranges and increments (`0/15`, `*\/5`, `8-17/2`).
 * Not supported locally: `L`, `W` and `#`; they are rejected with a clear error rather
 * than approximated.
 */

export interface CronSchedule {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  /** undefined: any (`*` or `?`). */
  daysOfMonth?: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 1 = Sunday … 7 = Saturday, as EventBridge counts; undefined: any. */
  daysOfWeek?: ReadonlySet<number>;
  years?: ReadonlySet<number>;
}

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { label: 'minutes', min: 0, max: 59 },
  { label: 'hours', min: 0, max: 23 },
  { label: 'day-of-month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { label: 'day-of-week', min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
  { label: 'year', min: 1970, max: 2199 },
];

/** Parses the inside of `cron(...)`. */
export function parseCron(body: string): CronSchedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`cron(${body}) needs 6 fields (minutes hours day-of-month month day-of-week year)`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = parts.map((part, index) => parseField(part, FIELDS[index] as FieldSpec, body));
  // EventBridge: "If you specify a value or a * in one of the fields, you must use a ? in the other."
  if ((parts[2] === '?') === (parts[4] === '?')) {
    throw new Error(`cron(${body}): exactly one of day-of-month and day-of-week must be "?"`);
  }
  return {
    minutes: minutes ?? fullRange(FIELDS[0] as FieldSpec),
    hours: hours ?? fullRange(FIELDS[1] as FieldSpec),
    ...(daysOfMonth === undefined ? {} : { daysOfMonth }),
    months: months ?? fullRange(FIELDS[3] as FieldSpec),
    ...(daysOfWeek === undefined ? {} : { daysOfWeek }),
    ...(years === undefined ? {} : { years }),
  };
}

/** The first minute strictly after `after` that the schedule names, or undefined when none is left (past 2199). */
export function nextCronTime(cron: CronSchedule, after: Date): Date | undefined {
  const limit = Date.UTC(2200, 0, 1);
  let candidate = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  while (candidate.getTime() < limit) {
    if (!dayMatches(cron, candidate)) {
      candidate = new Date(Date.UTC(candidate.getUTCFullYear(), candidate.getUTCMonth(), candidate.getUTCDate() + 1));
      continue;
    }
    const hour = firstAtLeast(cron.hours, candidate.getUTCHours());
    if (hour === undefined) {
      candidate = new Date(Date.UTC(candidate.getUTCFullYear(), candidate.getUTCMonth(), candidate.getUTCDate() + 1));
      continue;
    }
    const minute = firstAtLeast(cron.minutes, hour === candidate.getUTCHours() ? candidate.getUTCMinutes() : 0);
    if (minute === undefined) {
      candidate = new Date(Date.UTC(candidate.getUTCFullYear(), candidate.getUTCMonth(), candidate.getUTCDate(), hour + 1));
      continue;
    }
    return new Date(Date.UTC(candidate.getUTCFullYear(), candidate.getUTCMonth(), candidate.getUTCDate(), hour, minute));
  }
  return undefined;
}

function dayMatches(cron: CronSchedule, day: Date): boolean {
  return (
    (cron.years === undefined || cron.years.has(day.getUTCFullYear())) &&
    cron.months.has(day.getUTCMonth() + 1) &&
    (cron.daysOfMonth === undefined || cron.daysOfMonth.has(day.getUTCDate())) &&
    (cron.daysOfWeek === undefined || cron.daysOfWeek.has(day.getUTCDay() + 1))
  );
}

function firstAtLeast(values: ReadonlySet<number>, minimum: number): number | undefined {
  let best: number | undefined;
  for (const value of values) if (value >= minimum && (best === undefined || value < best)) best = value;
  return best;
}

/** undefined means "any" (`*`, or `?` where allowed). */
function parseField(text: string, spec: FieldSpec, body: string): Set<number> | undefined {
  const fail = (why: string) => new Error(`cron(${body}): ${spec.label} "${text}" ${why}`);
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (name) => (spec.names?.includes(name.toUpperCase()) ? '0' : name)))) {
    throw fail('uses L, W or #, which the local scheduler does not support');
  }
  if (text === '*' || text === '?') {
    if (text === '?' && spec.label !== 'day-of-month' && spec.label !== 'day-of-week') throw fail('may not be "?"');
    return undefined;
  }
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item);
    if (match === null) throw fail('is not a value, range, list or increment');
    const [, startText = '', endText, stepText] = match;
    const start = startText === '*' ? spec.min : valueOf(startText, spec, fail);
    const end = endText !== undefined ? valueOf(endText, spec, fail) : startText === '*' || stepText !== undefined ? spec.max : start;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) throw fail('has an increment below 1');
    if (end < start) throw fail('has a range that ends before it starts');
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}

function valueOf(text: string, spec: FieldSpec, fail: (why: string) => Error): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) throw fail(`is outside ${spec.min}-${spec.max}`);
  return value;
}

function fullRange(spec: FieldSpec): Set<number> {
  return new Set(Array.from({ length: spec.max - spec.min + 1 }, (_, index) => spec.min + index));
}
