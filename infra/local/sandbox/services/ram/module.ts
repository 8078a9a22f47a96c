import { AwsServiceError } from '../../errors.ts';
import { SmithyModel } from '../../model/smithy-model.ts';
import type { RestJsonProtocolService, SandboxDeps, SandboxModule } from '../../service.ts';
import { ramOperations, type RamLookups } from './operations.ts';
import { allRamStates } from './state.ts';

const ramModel = SmithyModel.load(new URL('../../models/ram.smithy.json', import.meta.url));

/**
 * AWS RAM (Resource Access Manager), for sharing CodeConnections connections between the
 * sandbox's accounts. restJson1 as the real service (POST /createresourceshare ...), so that
 * @aws-sdk/client-ram and `aws ram` reach it with only an endpoint override. The server dispatches
 * its calls like every other service's: IAM authorises them (AccessDeniedException, 403), faults
 * apply to them (RAM's modeled ThrottlingException 429 and ServerInternalException 500) and the
 * call log counts them.
 */
export function createRamModule(deps: SandboxDeps, lookups: RamLookups): SandboxModule {
  const service: RestJsonProtocolService = {
    name: 'ram',
    model: ramModel,
    operations: ramOperations(deps, lookups),
    // RAM models MissingRequiredParameterException and InvalidParameterException, not Coral's
    // ValidationException: a missing member is the former, any other violation the latter.
    validationError: (error) =>
      new AwsServiceError(/must not be null/.test(error.message) ? 'MissingRequiredParameterException' : 'InvalidParameterException', error.message),
    // Fault injection answers with RAM's modeled errors, their texts from the model's documentation.
    throttling: {
      code: 'ThrottlingException',
      status: 429,
      message: 'The operation failed because it exceeded the rate at which you are allowed to perform this operation. Please try again later.',
    },
    serverError: {
      code: 'ServerInternalException',
      status: 500,
      message: 'The operation failed because the service could not respond to the request due to an internal problem. Try again later.',
    },
  };
  return {
    restJsonServices: [service],
    inventory: () => ({
      ramResourceShares: Object.fromEntries(
        allRamStates(deps.store).map(({ accountId, region, state }) => [
          `${accountId}/${region}`,
          Object.values(state.resourceShares).map(({ arn, name, status, resources, principals }) => ({
            arn,
            name,
            status,
            resources: Object.values(resources).map(({ associatedEntity, status: associationStatus }) => ({ arn: associatedEntity, status: associationStatus })),
            principals: Object.values(principals).map(({ associatedEntity, status: associationStatus }) => ({ accountId: associatedEntity, status: associationStatus })),
          })),
        ]),
      ),
    }),
  };
}
