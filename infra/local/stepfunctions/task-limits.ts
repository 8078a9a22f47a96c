import { runtimeError } from './errors.ts';
import { libraryTimeoutErrorClass } from './library.ts';
import type { TaskEnvelope } from './transform.ts';

/** A Task state's time limits, in sandbox-clock seconds. */
export interface TaskLimits {
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

/** Reads TimeoutSeconds(Path) and HeartbeatSeconds(Path) as evaluated into the envelope; AWS wants positive integers. */
export function taskLimitsOf(envelope: TaskEnvelope): TaskLimits {
  const limits: TaskLimits = {};
  if ('timeoutSeconds' in envelope) limits.timeoutSeconds = positiveInteger(envelope.timeoutSeconds, 'TimeoutSeconds');
  if ('heartbeatSeconds' in envelope) limits.heartbeatSeconds = positiveInteger(envelope.heartbeatSeconds, 'HeartbeatSeconds');
  return limits;
}

function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw runtimeError(`The Task state's ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export type TimeoutKind = 'task' | 'heartbeat';
export type TimeoutErrorFactory = (kind: TimeoutKind) => Error;

/**
 * Timeout errors as the library's own class (see library.ts), named `States.Timeout` or, for a missed
 * heartbeat, `States.HeartbeatTimeout` (which the transform makes `States.Timeout` rules match too).
 * AWS gives a timed-out task no cause.
 */
export async function loadTimeoutErrors(): Promise<TimeoutErrorFactory> {
  const LibraryTimeoutError = await libraryTimeoutErrorClass();
  return (kind) => {
    const error = new LibraryTimeoutError();
    error.name = kind === 'heartbeat' ? 'States.HeartbeatTimeout' : 'States.Timeout';
    error.message = '';
    return error;
  };
}

export function isTimeoutError(error: Error): boolean {
  return error.name === 'States.Timeout' || error.name === 'States.HeartbeatTimeout';
}
