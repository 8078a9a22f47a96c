import { AwsServiceError } from '../../errors.ts';
import { validationError } from '../iam/errors.ts';

/** STS's error codes, statuses and wording (query protocol: the code is the `<Code>` element). */

/**
 * What AssumeRole answers whenever the caller may not assume the role: no such role, a trust
 * policy that does not name the caller, a wrong or missing external id. AWS does not say which,
 * so a caller cannot probe another account's roles.
 */
export function notAuthorizedToAssume(callerArn: string, roleArn: string): AwsServiceError {
  return new AwsServiceError('AccessDenied', `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
}

/** STS's constraint-violation error: code `ValidationError` (not the JSON services' `ValidationException`). */
/** STS answers a bad parameter as IAM does. */
export { validationError };

/** A RoleArn that is not an ARN at all. */
export function invalidRoleArn(): AwsServiceError {
  return validationError('Request ARN is invalid');
}

export function durationExceedsRoleMaximum(): AwsServiceError {
  return validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
}

/** Role chaining (a role session assuming a role) is limited to one hour (AssumeRole, DurationSeconds). */
export function durationExceedsChainingLimit(): AwsServiceError {
  return validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
}
