import { runtimeError } from './errors.ts';
import type { WaitEnvelope } from './transform.ts';

/** ASL: an uppercase T between date and time, and Z or a numeric offset (RFC 3339). */
const RFC3339 = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** AWS's largest Wait: 99999999 seconds. */
const MAX_WAIT_SECONDS = 99_999_999;

/**
 * When a Wait state entered at `enteredAtMs` (sandbox time) is over. A timestamp in the past ends
 * the wait at once, as in AWS. Bad values fail the execution with States.Runtime, as in AWS.
 */
export function waitDueMs(envelope: WaitEnvelope, enteredAtMs: number): number {
  if ('seconds' in envelope) {
    const seconds = envelope.seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
      throw runtimeError(`The Wait state's seconds must be an integer from 0 to ${MAX_WAIT_SECONDS}, got ${JSON.stringify(seconds)}`);
    }
    return enteredAtMs + seconds * 1000;
  }
  if ('timestamp' in envelope) {
    const timestamp = envelope.timestamp;
    if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
      throw runtimeError(`The Wait state's timestamp must be an RFC 3339 timestamp, got ${JSON.stringify(timestamp)}`);
    }
    return Date.parse(timestamp);
  }
  throw runtimeError('A Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath');
}
