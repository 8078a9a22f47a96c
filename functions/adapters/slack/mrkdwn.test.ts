import { describe, expect, it } from 'vitest';
import { escapeText, link, person, slackDate } from './mrkdwn.ts';

describe('escapeText', () => {
  it('escapes the three characters Slack treats as control characters, and only those', () => {
    expect(escapeText('a & b <c> *d* _e_')).toBe('a &amp; b &lt;c&gt; *d* _e_');
  });

  it('shortens to the limit with an ellipsis, never cutting an escape sequence', () => {
    const escaped = escapeText('ab&&&&', 8);
    expect(escaped).toBe('ab&amp;…');
    expect(escaped.length).toBeLessThanOrEqual(8);
    expect(escapeText('abcdef', 6)).toBe('abcdef');
    expect(escapeText('abcdefg', 6)).toBe('abcde…');
  });

  it('never splits a surrogate pair', () => {
    expect(escapeText('😀😀😀', 5)).toBe('😀😀…');
  });
});

describe('link, person and slackDate', () => {
  it('builds a link whose label is escaped and whose URL cannot end the link early', () => {
    expect(link('https://x.example/a|b>c', 'A & B')).toBe('<https://x.example/a%7Cb%3Ec|A &amp; B>');
  });

  it('mentions Slack user ids and escapes anything else', () => {
    expect(person('U0APPROVER')).toBe('<@U0APPROVER>');
    expect(person('W0ENTERPRISE')).toBe('<@W0ENTERPRISE>');
    expect(person('alice <admin>')).toBe('alice &lt;admin&gt;');
  });

  it('formats a date for each reader with an ISO fallback', () => {
    expect(slackDate(new Date('2026-01-02T03:04:05.678Z'))).toBe('<!date^1767323045^{date_short_pretty} at {time}|2026-01-02T03:04:05.678Z>');
  });
});
