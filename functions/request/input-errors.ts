/**
 * Named errors thrown by the pure decision functions in `functions/request/`.
 *
 * Each error carries a stable, machine-readable `code` (handlers map it to an HTTP status or a
 * Step Functions error name without parsing messages), a human-readable `message` that says what
 * is wrong and how to fix it, and keeps the underlying `cause` when there is one.
 */

/** Every `code` a core error can carry. */
export type CoreErrorCode =
  | 'INVALID_PROVIDER_ENDPOINT'
  | 'PROVIDER_ENDPOINT_NOT_ALLOWED'
  | 'INVALID_CONNECTION_NAME'
  | 'INVALID_NAMING_INPUT'
  | 'UNSUPPORTED_REGION'
  | 'UNSUPPORTED_GHES_VERSION'
  | 'INVALID_ARN'
  | 'INVALID_TLS_CERTIFICATE';

/** Options shared by every core error. */
export interface CoreErrorOptions {
  /** The lower-level error that led to this one (kept as the standard `Error.cause`). */
  cause?: unknown;
}

/** Base class of all core errors: use `instanceof CoreError` or {@link isCoreError} to catch them all. */
export abstract class CoreError extends Error {
  /** Stable machine-readable identifier of the failure. */
  abstract readonly code: CoreErrorCode;
  /**
   * The class's name, as a string literal in each subclass: a minifier renames classes, so
   * `new.target.name` could be `E` in a bundle, and the name is what logs and errorType show.
   */
  abstract override readonly name: string;

  protected constructor(message: string, options: CoreErrorOptions = {}) {
    // Only pass `cause` when given so `'cause' in error` stays meaningful.
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
  }
}

/** True when `value` is one of the errors defined here. */
export function isCoreError(value: unknown): value is CoreError {
  return value instanceof CoreError;
}

/** The GHES URL is not something we can register as a CodeStar host (wrong scheme, userinfo, localhost, ...). */
export class InvalidProviderEndpointError extends CoreError {
  readonly code = 'INVALID_PROVIDER_ENDPOINT' as const;
  override readonly name = 'InvalidProviderEndpointError';

  constructor(
    /** The value as the caller gave it (truncated by the caller if it could be huge). */
    readonly input: string,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}

/** The GHES URL is well formed but its host is not on the operator's allow-list. */
export class ProviderEndpointNotAllowedError extends CoreError {
  readonly code = 'PROVIDER_ENDPOINT_NOT_ALLOWED' as const;
  override readonly name = 'ProviderEndpointNotAllowedError';

  constructor(
    readonly host: string,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}

/** A user-supplied connection name that CodeStar would reject or that would be unsafe to display. */
export class InvalidConnectionNameError extends CoreError {
  readonly code = 'INVALID_CONNECTION_NAME' as const;
  override readonly name = 'InvalidConnectionNameError';

  constructor(
    readonly connectionName: string,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}

/** A programming error: a naming function was given inputs it cannot derive a name from. */
export class InvalidNamingInputError extends CoreError {
  readonly code = 'INVALID_NAMING_INPUT' as const;
  override readonly name = 'InvalidNamingInputError';

  constructor(message: string, options?: CoreErrorOptions) {
    super(message, options);
  }
}


/** GHES connections are not offered (or not known to be offered) in the Region. */
export class UnsupportedRegionError extends CoreError {
  readonly code = 'UNSUPPORTED_REGION' as const;
  override readonly name = 'UnsupportedRegionError';

  constructor(
    readonly region: string,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}

/** The GHES instance runs a version CodeStar Connections cannot work with (2.22.0). */
export class UnsupportedGhesVersionError extends CoreError {
  readonly code = 'UNSUPPORTED_GHES_VERSION' as const;
  override readonly name = 'UnsupportedGhesVersionError';

  constructor(
    readonly version: string,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}

/** A string that is not a host, connection or pipeline ARN of the expected shape. */
export class InvalidArnError extends CoreError {
  readonly code = 'INVALID_ARN' as const;
  override readonly name = 'InvalidArnError';

  constructor(
    readonly arn: string,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}

/** Why a TLS certificate was refused; stable values a handler may branch on. */
export type TlsCertificateProblem =
  | 'empty'
  | 'too-long'
  | 'not-pem'
  | 'contains-private-key'
  | 'multiple-certificates'
  | 'unexpected-content'
  | 'unparseable'
  | 'not-yet-valid'
  | 'expired';

/** The `tlsCertificate` of a VPC host is not a single, currently valid PEM certificate. */
export class InvalidTlsCertificateError extends CoreError {
  readonly code = 'INVALID_TLS_CERTIFICATE' as const;
  override readonly name = 'InvalidTlsCertificateError';

  constructor(
    readonly problem: TlsCertificateProblem,
    message: string,
    options?: CoreErrorOptions,
  ) {
    super(message, options);
  }
}
