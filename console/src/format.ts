/** Words and times as the console shows them. */

export function when(iso: string | undefined): string {
  if (iso === undefined) return '';
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "in 3 h 5 min", "12 min ago": how far a deadline is. */
export function relative(iso: string | undefined, now = Date.now()): string {
  if (iso === undefined) return '';
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  const span = Math.abs(minutes);
  const text = span >= 2 * 24 * 60 ? `${Math.round(span / (24 * 60))} days` : span >= 90 ? `${Math.floor(span / 60)} h ${span % 60} min` : `${span} min`;
  return minutes >= 0 ? `in ${text}` : `${text} ago`;
}

export const ACTORS: Record<string, string> = {
  'ghes-admin': 'the GHES administrator',
  'gitlab-admin': 'the GitLab administrator',
  approver: 'an approver',
  requester: 'you (the requester)',
  'platform-admin': 'the platform team',
};

const TERMINAL = ['COMPLETED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELLED', 'DECOMMISSIONED'];
export const isTerminal = (status: string) => TERMINAL.includes(status);

export function statusLabel(status: string): string {
  return status.toLowerCase().replace(/_/g, ' ');
}
