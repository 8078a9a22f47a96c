import { SmithyModel } from '../../model/smithy-model.ts';
import type { JsonProtocolService, SandboxDeps, SandboxModule } from '../../service.ts';
import type { CodeBuildLookup } from '../lookups.ts';
import { codeBuildControlRoutes } from './control.ts';
import { codeBuildOperations } from './operations.ts';
import { existingState, findProject, SLICE, type CodeBuildState } from './state.ts';

// There is no official CodeBuild model in the repository; this one is hand-written and says so inside.
const codeBuildModel = SmithyModel.load(new URL('./codebuild-local.smithy.json', import.meta.url));

/**
 * CodeBuild (awsJson1_1, `X-Amz-Target: CodeBuild_20161006.<Operation>`, SigV4 name `codebuild`):
 * projects and the service role each runs as, which CodePipeline runs read for CODEBUILD_CLONE_REF.
 */
export function createCodeBuildModule(deps: SandboxDeps): SandboxModule & { lookup: CodeBuildLookup } {
  const service: JsonProtocolService = {
    name: 'codebuild',
    contentType: 'application/x-amz-json-1.1',
    targetPrefixes: ['CodeBuild_20161006'],
    model: codeBuildModel,
    errorMessageMember: 'message',
    throttling: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    serverError: { code: 'InternalFailure', status: 500, message: 'The request processing has failed because of an unknown error, exception or failure.' },
    operations: codeBuildOperations(deps),
  };
  return {
    jsonServices: [service],
    controlRoutes: codeBuildControlRoutes(deps),
    lookup: {
      project(accountId, region, name) {
        const project = findProject(existingState(deps.store, accountId, region), name);
        return project ? { serviceRole: project.serviceRole } : undefined;
      },
    },
    inventory: () => ({
      codebuild: Object.fromEntries(
        deps.store
          .slicesOf<CodeBuildState>(SLICE)
          .map(({ scope, data }) => [scope.join('/'), { projects: data.projects.map(({ name, serviceRole }) => ({ name, serviceRole })) }]),
      ),
    }),
  };
}
