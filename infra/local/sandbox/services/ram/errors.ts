import { AwsServiceError } from '../../errors.ts';

/**
 * RAM's modeled errors; the HTTP status comes from the model's httpError trait (all 400 but
 * ThrottlingException 429, ServerInternalException 500, ServiceUnavailableException 503). Texts
 * quoted from AWS answers are marked; the others follow the model's documentation of the error.
 */
export const malformedShareArn = () =>
  // Observed text (hashicorp/terraform-provider-aws#40360).
  new AwsServiceError('MalformedArnException', 'The specified resource share ARN is not valid. Verify the ARN and try again.');
export const malformedResourceArn = (arn: string) =>
  new AwsServiceError('MalformedArnException', `The specified resource ARN ${arn} is not valid. Verify the ARN and try again.`);
export const malformedPrincipal = (principal: string) =>
  // Observed text (hashicorp/terraform-provider-aws#7769).
  new AwsServiceError('InvalidParameterException', `Principal ID ${principal} is malformed. Verify the ID and try again.`);
export const unknownOrganization = (id: string) =>
  // Observed text (hashicorp/terraform-provider-aws#7769): the sandbox's accounts form no named organization.
  new AwsServiceError('UnknownResourceException', `Organization ${id} could not be found.`);
export const unknownResourceShare = (arn: string) => new AwsServiceError('UnknownResourceException', `ResourceShare ${arn} could not be found.`);
export const unknownResource = (arn: string) => new AwsServiceError('UnknownResourceException', `The resource ${arn} could not be found.`);
export const invalidParameter = (message: string) => new AwsServiceError('InvalidParameterException', message);
export const invalidResourceType = (type: string) =>
  new AwsServiceError('InvalidResourceTypeException', `The specified resource type ${type} is not valid.`);
export const invalidStateTransition = (message: string) => new AwsServiceError('InvalidStateTransitionException', message);
export const idempotentParameterMismatch = (token: string) =>
  new AwsServiceError(
    'IdempotentParameterMismatchException',
    `The client token ${token} was already used with different parameters. Use a new client token or the same parameters.`,
  );
export const invalidNextToken = () => new AwsServiceError('InvalidNextTokenException', 'The specified value for NextToken is not valid.');
