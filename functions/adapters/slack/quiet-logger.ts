import { LogLevel, type Logger } from '@slack/web-api';

/** Slack token shapes: bot, user, app-level, refresh and configuration tokens. */
const SLACK_TOKEN = /xox[abeprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+/g;

export interface LogSink {
  warn(...parts: unknown[]): void;
  error(...parts: unknown[]): void;
}

/**
 * The WebClient's logger: debug and info are dropped (they describe every request), warnings and
 * errors pass with anything token-shaped blanked, so a token can never reach the logs through it.
 */
export function quietSlackLogger(sink: LogSink = console): Logger {
  let name = 'slack';
  const emit = (write: (...parts: unknown[]) => void, parts: unknown[]): void =>
    write(`[${name}]`, ...parts.map((part) => redactSlackTokens(typeof part === 'string' ? part : describe(part))));
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...parts: unknown[]) => emit(sink.warn.bind(sink), parts),
    error: (...parts: unknown[]) => emit(sink.error.bind(sink), parts),
    setLevel: () => undefined,
    getLevel: () => LogLevel.WARN,
    setName: (newName: string) => {
      name = newName;
    },
  };
}

export function redactSlackTokens(text: string): string {
  return text.replace(SLACK_TOKEN, (token) => `${token.slice(0, 5)}[redacted]`);
}

function describe(part: unknown): string {
  if (part instanceof Error) return `${part.name}: ${part.message}`;
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part);
  }
}
