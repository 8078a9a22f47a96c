/**
 * Safe mrkdwn from values we do not control (requester names, URLs, resource names). Slack treats
 * `&`, `<` and `>` as control characters: unescaped, a value could forge a link or a mention.
 * https://docs.slack.dev/messaging/formatting-message-text#escaping
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Longest escaped length of one interpolated value, so composed texts stay within Block Kit limits. */
export const MAX_VALUE_LENGTH = 300;

/** Escapes `value`, shortened with `…` so the escaped text is at most `maxLength` characters. */
export function escapeText(value: string, maxLength = MAX_VALUE_LENGTH): string {
  const pieces = Array.from(value, (character) => ESCAPES[character] ?? character);
  const escaped = pieces.join('');
  if (escaped.length <= maxLength) return escaped;
  // Cut between escape sequences, never inside one, leaving room for the ellipsis.
  let kept = '';
  for (const piece of pieces) {
    if (kept.length + piece.length > maxLength - 1) break;
    kept += piece;
  }
  return `${kept}…`;
}

/** A link; `url` must be http(s) and is percent-encoded where it would break the `<url|label>` syntax. */
export function link(url: string, label: string): string {
  const safeUrl = url.replace(/[<>|]/g, (character) => encodeURIComponent(character));
  return `<${safeUrl}|${escapeText(label, 100)}>`;
}

/** A mention when `who` is a Slack user id (`U…`/`W…`), otherwise the escaped name. */
export function person(who: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(who) ? `<@${who}>` : escapeText(who, 100);
}

/** Rendered by Slack in each reader's time zone; the ISO fallback shows where it cannot be. */
export function slackDate(at: Date): string {
  const epochSeconds = Math.floor(at.getTime() / 1000);
  return `<!date^${epochSeconds}^{date_short_pretty} at {time}|${at.toISOString()}>`;
}
