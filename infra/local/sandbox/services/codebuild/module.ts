import { type JsonProtocolService, type SandboxDeps, type SandboxModule, GENERIC_SERVER_ERROR, GENERIC_THROTTLING } from '../../service.ts';
import type { CodeBuildLookup } from '../lookups.ts';
import { codeBuildControlRoutes } from './control.ts';
import { codeBuildModel } from './model.ts';
import { codeBuildOperations } from './operations.ts';
import { existingState, findProject, SLICE, type CodeBuildState } from './state.ts';

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
    throttling: GENERIC_THROTTLING,
    serverError: GENERIC_SERVER_ERROR,
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
