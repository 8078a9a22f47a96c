/** Whole hours with one decimal, never negative (a record written after `asOf` is simply new). */
export function hoursSince(since: string, asOf: Date): number {
  const hours = (asOf.getTime() - Date.parse(since)) / 3_600_000;
  return Number.isFinite(hours) ? Math.max(0, Math.round(hours * 10) / 10) : 0;
}

/** The earliest of the given times (ISO 8601), ignoring missing ones. */
export function earliest(...times: (string | undefined)[]): string | undefined {
  return times.filter((time): time is string => time !== undefined && Number.isFinite(Date.parse(time))).sort()[0];
}
