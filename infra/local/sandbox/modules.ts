import { createCodeBuildModule } from './services/codebuild/module.ts';
import { createCodePipelineModule } from './services/codepipeline/module.ts';
import { createConnectionsModule } from './services/codestar-connections/module.ts';
import { createIamModule } from './services/iam/module.ts';
import { createSlackModule } from './services/slack/module.ts';
import type { SandboxDeps, SandboxModule } from './service.ts';

/**
 * The emulated services. CodePipeline reads connections, role policies and CodeBuild projects (whose
 * role clones a CODEBUILD_CLONE_REF source) to decide how a run goes.
 */
export function createModules(deps: SandboxDeps): SandboxModule[] {
  const connections = createConnectionsModule(deps);
  const iam = createIamModule(deps);
  const codeBuild = createCodeBuildModule(deps);
  const pipelines = createCodePipelineModule(deps, { connections: connections.lookup, iam: iam.lookup, codeBuild: codeBuild.lookup });
  return [connections, pipelines, iam, codeBuild, createSlackModule(deps)];
}
