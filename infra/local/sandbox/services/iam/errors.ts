import { AwsServiceError } from '../../errors.ts';

/** IAM's error codes, statuses and wording, as the live service sends them. */

export function noSuchRole(roleName: string): AwsServiceError {
  return new AwsServiceError('NoSuchEntity', `The role with name ${roleName} cannot be found.`, 404);
}

export function noSuchRolePolicy(policyName: string): AwsServiceError {
  return new AwsServiceError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
}

export function noSuchPermissionsBoundary(policyArn: string): AwsServiceError {
  return new AwsServiceError('NoSuchEntity', `Scope ARN: ${policyArn} does not exist or is not attachable.`, 404);
}

export function roleAlreadyExists(roleName: string): AwsServiceError {
  return new AwsServiceError('EntityAlreadyExists', `Role with name ${roleName} already exists.`, 409);
}

export function malformedPolicyDocument(message: string): AwsServiceError {
  return new AwsServiceError('MalformedPolicyDocument', message, 400);
}

export function roleHasInlinePolicies(): AwsServiceError {
  return new AwsServiceError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
}

export function inlinePolicyQuotaExceeded(roleName: string, quota: number): AwsServiceError {
  return new AwsServiceError('LimitExceeded', `Maximum policy size of ${quota} bytes exceeded for role ${roleName}`, 409);
}

export function trustPolicyQuotaExceeded(quota: number): AwsServiceError {
  return new AwsServiceError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${quota}`, 409);
}

/** IAM's quota wording ("Cannot exceed quota for PoliciesPerRole: 10"), for the 50 tags a role may have. */
export function tagQuotaExceeded(quota: number): AwsServiceError {
  return new AwsServiceError('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${quota}`, 409);
}

export function invalidInput(message: string): AwsServiceError {
  return new AwsServiceError('InvalidInput', message, 400);
}

/** IAM's constraint-violation error: code `ValidationError` (not the JSON services' `ValidationException`). */
export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message, 400);
}
