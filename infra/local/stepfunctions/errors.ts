/** Errors of the local Step Functions engine itself (registration) and the errors its states raise. */

/** Thrown by `register`: some Task states have no in-process handler (the library would call real AWS Lambda). */
export class UnmappedTaskStateError extends Error {
  constructor(readonly unmapped: Array<{ name: string; resource: string }>) {
    const list = unmapped.map(({ name, resource }) => `'${name}' (${resource})`).join(', ');
    super(`No task handler for ${unmapped.length === 1 ? 'Task state' : 'Task states'} ${list}`);
    this.name = 'UnmappedTaskStateError';
  }
}

/** Thrown by `register`: the definition is not valid ASL, or uses something the local engine would run differently than AWS. */
export class InvalidDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDefinitionError';
  }
}

/**
 * An error a state raises, as Step Functions sees it: `name` is the error name that Retry/Catch
 * `ErrorEquals` match and `message` becomes the Cause. The library reads `isRetryable`/`isCatchable`
 * by duck typing (absent means yes).
 */
export class StateError extends Error {
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(errorName: string, cause: string, { recoverable = true }: { recoverable?: boolean } = {}) {
    super(cause);
    this.name = errorName;
    this.isRetryable = recoverable;
    this.isCatchable = recoverable;
  }
}

/** AWS's `States.Runtime`: a bad value at run time (a SecondsPath that is not a number, ...). Never retried or caught. */
export function runtimeError(cause: string): StateError {
  return new StateError('States.Runtime', cause, { recoverable: false });
}

/** What a state waiting on something sees when its execution is stopped or times out. Never retried or caught. */
export function executionClosedError(): StateError {
  return new StateError('States.ExecutionClosed', 'The execution is no longer running', { recoverable: false });
}

/**
 * A handler's thrown value as a state error. Lambda reports a JavaScript error's `name` as its
 * errorType, which Step Functions uses as the error name; anything thrown that is not an Error is
 * reported as `Error` with its text.
 */
export function stateErrorFrom(thrown: unknown): StateError {
  if (thrown instanceof StateError) return thrown;
  if (thrown instanceof Error) return new StateError(thrown.name || 'Error', thrown.message);
  return new StateError('Error', typeof thrown === 'string' ? thrown : JSON.stringify(thrown) ?? String(thrown));
}
