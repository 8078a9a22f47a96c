import { describe, expect, it } from 'vitest';
import { quietSlackLogger, redactSlackTokens } from './quiet-logger.ts';

describe('quietSlackLogger', () => {
  it('drops debug and info, and blanks tokens in warnings and errors', () => {
    const lines: unknown[][] = [];
    const logger = quietSlackLogger({ warn: (...parts) => lines.push(['warn', ...parts]), error: (...parts) => lines.push(['error', ...parts]) });

    logger.debug('http request headers: Bearer xoxb-1234-5678-abcdef');
    logger.info('initialized');
    logger.warn('http request failed', 'Authorization: Bearer xoxb-1234-5678-abcdef');
    logger.error({ token: 'xoxp-9-9-9' });

    expect(lines).toEqual([
      ['warn', '[slack]', 'http request failed', 'Authorization: Bearer xoxb-[redacted]'],
      ['error', '[slack]', '{"token":"xoxp-[redacted]"}'],
    ]);
  });

  it('recognises every Slack token prefix', () => {
    for (const token of ['xoxb-1-a', 'xoxp-1-a', 'xoxa-2-a', 'xoxe-1-a', 'xoxr-1', 'xoxs-1', 'xapp-1-A1-1-abc']) {
      expect(redactSlackTokens(`t=${token}`)).not.toContain(token);
    }
  });
});
