import { SmithyModel } from '../../model/smithy-model.ts';
import { type JsonProtocolService, type SandboxModule, GENERIC_SERVER_ERROR, GENERIC_THROTTLING } from '../../service.ts';
import type { LocalStepFunctions } from '../../../stepfunctions/engine.ts';
import { stepFunctionsControlRoutes } from './control.ts';
import { stepFunctionsOperations } from './operations.ts';

// There is no official SFN model in the repository; this one is hand-written and says so inside.
const sfnModel = SmithyModel.load(new URL('./sfn-local.smithy.json', import.meta.url));

/**
 * AWS Step Functions (awsJson1_0, `X-Amz-Target: AWSStepFunctions.<Operation>`, SigV4 name `states`)
 * served by the local engine. Clients reach it through AWS_ENDPOINT_URL_SFN or AWS_ENDPOINT_URL.
 */
export function createStepFunctionsModule(engine: LocalStepFunctions): SandboxModule {
  const service: JsonProtocolService = {
    name: 'states',
    contentType: 'application/x-amz-json-1.0',
    targetPrefixes: ['AWSStepFunctions'],
    model: sfnModel,
    errorMessageMember: 'message',
    throttling: GENERIC_THROTTLING,
    serverError: GENERIC_SERVER_ERROR,
    operations: stepFunctionsOperations(engine),
  };
  return {
    jsonServices: [service],
    controlRoutes: stepFunctionsControlRoutes(engine),
    inventory: () => ({
      stepFunctions: {
        stateMachines: engine.listStateMachines(engine.scope).map(({ arn, name }) => ({ arn, name })),
        executions: engine.listExecutions().map((execution) => ({
          arn: execution.arn,
          status: execution.status,
          transitions: execution.transitions,
        })),
      },
    }),
  };
}
