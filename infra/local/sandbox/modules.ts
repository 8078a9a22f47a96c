import { createCloudFormationModule } from './services/cloudformation/module.ts';
import { createCodeBuildModule } from './services/codebuild/module.ts';
import { createCodePipelineModule } from './services/codepipeline/module.ts';
import { createConnectionsModule } from './services/codestar-connections/module.ts';
import { createIamModule } from './services/iam/module.ts';
import { createRamModule } from './services/ram/module.ts';
import { createSharingLookup } from './services/ram/sharing.ts';
import { createSlackModule } from './services/slack/module.ts';
import { createStsModule } from './services/sts/module.ts';
import type { SandboxDeps, SandboxModule } from './service.ts';

/**
 * The emulated services. CodePipeline reads connections, role policies and CodeBuild projects (whose
 * role clones a CODEBUILD_CLONE_REF source) to decide how a run goes.
 */
export function createModules(deps: SandboxDeps): SandboxModule[] {
  const iam = createIamModule(deps);
  const cloudFormation = createCloudFormationModule(deps);
  // RAM shares connections: an account reads and uses those shared with it as well as its own.
  // Git sync reads a sync configuration's role (its trust policy) from IAM when it syncs, and a
  // successful sync deploys its stack in CloudFormation.
  const connections = createConnectionsModule(deps, { sharing: createSharingLookup(deps), iam: iam.lookup, cloudFormation: cloudFormation.lookup });
  const ram = createRamModule(deps, { connections: connections.lookup });
  const codeBuild = createCodeBuildModule(deps);
  const pipelines = createCodePipelineModule(deps, { connections: connections.lookup, iam: iam.lookup, codeBuild: codeBuild.lookup });
  // STS reads roles (trust policy, policies) from IAM to issue and authorise sessions.
  const sts = createStsModule(deps, { iam: iam.lookup });
  return [connections, pipelines, iam, codeBuild, createSlackModule(deps), ram, sts, cloudFormation];
}
