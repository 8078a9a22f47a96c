/**
 * Whether something read at `readAt` may be reused at `asOf`. A time after `asOf` (an admin audited
 * "as of" an earlier time) is not trusted either: better one read too many than a stale answer.
 */
export function isFresh(readAt: string | undefined, asOf: Date, maxAgeMs: number): boolean {
  if (!readAt) return false;
  const age = asOf.getTime() - Date.parse(readAt);
  return Number.isFinite(age) && age >= 0 && age < maxAgeMs;
}
