import { type JsonProtocolService, type SandboxDeps, type SandboxModule, GENERIC_SERVER_ERROR, GENERIC_THROTTLING } from '../../service.ts';
import type { CodeBuildLookup, ConnectionLookup, IamLookup } from '../lookups.ts';
import { pipelineControlRoutes } from './control.ts';
import { CODEPIPELINE_VALIDATION_OVERRIDES, codepipelineModel } from './model.ts';
import { pipelineOperations } from './operations.ts';
import { SLICE, type CodePipelineState } from './state.ts';

/**
 * CodePipeline (awsJson1_1): pipelines, their versions and runs. Runs read the CodeStar Connections
 * and IAM services through the lookups to decide whether a connection source action can fetch, and
 * CodeBuild (when given) to decide whether a CODEBUILD_CLONE_REF build may clone.
 */
export function createCodePipelineModule(
  deps: SandboxDeps,
  lookups: { connections: ConnectionLookup; iam: IamLookup; codeBuild?: CodeBuildLookup },
): SandboxModule {
  const service: JsonProtocolService = {
    name: 'codepipeline',
    contentType: 'application/x-amz-json-1.1',
    targetPrefixes: ['CodePipeline_20150709'],
    model: codepipelineModel,
    validationOverrides: CODEPIPELINE_VALIDATION_OVERRIDES,
    errorMessageMember: 'message',
    throttling: GENERIC_THROTTLING,
    serverError: GENERIC_SERVER_ERROR,
    operations: pipelineOperations(deps, lookups),
  };
  return {
    jsonServices: [service],
    controlRoutes: pipelineControlRoutes(deps),
    inventory: () => ({
      codepipeline: Object.fromEntries(
        deps.store.slicesOf<CodePipelineState>(SLICE).map(({ scope, data }) => [
          scope.join('/'),
          {
            pipelines: Object.values(data.pipelines)
              .map(({ declaration, executions }) => ({
                name: declaration.name,
                version: declaration.version,
                pipelineType: declaration.pipelineType,
                executions: executions.length,
                latestExecution: executions[0] ? { id: executions[0].pipelineExecutionId, status: executions[0].status } : undefined,
              }))
              .sort((a, b) => (a.name! < b.name! ? -1 : 1)),
          },
        ]),
      ),
    }),
  };
}
