import { AwsServiceError } from '../../errors.ts';

/** The service's modeled errors; the HTTP status comes from the model's httpError trait. */
export const resourceNotFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message);
export const resourceUnavailable = (message: string) => new AwsServiceError('ResourceUnavailableException', message);
export const limitExceeded = (message: string) => new AwsServiceError('LimitExceededException', message);
export const conflict = (message: string) => new AwsServiceError('ConflictException', message);
export const unsupportedOperation = (message: string) => new AwsServiceError('UnsupportedOperationException', message);
export const resourceAlreadyExists = (message: string) => new AwsServiceError('ResourceAlreadyExistsException', message);
export const invalidInput = (message: string) => new AwsServiceError('InvalidInputException', message);
export const syncConfigurationStillExists = (message: string) =>
  new AwsServiceError('SyncConfigurationStillExistsException', message);
export const syncBlockerDoesNotExist = (message: string) => new AwsServiceError('SyncBlockerDoesNotExistException', message);
/** Rules AWS enforces beyond the model, reported as its unmodeled ValidationException. */
export const validation = (message: string) => new AwsServiceError('ValidationException', message, 400);
