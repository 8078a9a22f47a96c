/**
 * Errors a sandbox service raises. Each one becomes the wire error of the protocol that carried the
 * call (awsJson `__type` body, or the IAM query protocol's XML `<Error>`), so services never format
 * responses themselves.
 */
export class AwsServiceError extends Error {
  constructor(
    /** The error code as AWS sends it (`ResourceNotFoundException`, `NoSuchEntity`, ...). */
    readonly code: string,
    message: string,
    /** Overrides the status the protocol would derive (model `httpError`, else 400). */
    readonly status?: number,
    /** Extra modeled members that AWS puts on the error body. */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** AWS's unmodeled constraint-violation error, shared by every JSON service. */
export class ValidationError extends AwsServiceError {
  constructor(message: string) {
    super('ValidationException', message, 400);
  }
}

/** The body could not be read as the operation's input (wrong JSON types, bad JSON). */
export class SerializationError extends AwsServiceError {
  constructor(message: string) {
    super('SerializationException', message, 400);
  }
}

export class UnknownOperationError extends AwsServiceError {
  constructor(target: string) {
    super('UnknownOperationException', `Unknown operation ${target}`, 400);
  }
}

/** Raised by the control API: a 4xx with a JSON body naming the field. */
export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ControlApiError';
  }
}
