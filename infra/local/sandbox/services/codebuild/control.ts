import { AwsServiceError, ControlApiError } from '../../errors.ts';
import { requiredString } from '../../control/router.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { createProject, projectView } from './operations.ts';

/** Seed a CodeBuild project that "already exists", with the service role it runs as. */
export function codeBuildControlRoutes(deps: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'POST',
      path: '/codebuild/projects',
      summary: 'Seed a CodeBuild project {name, serviceRole (role name or ARN)}: a CODEPIPELINE-sourced Linux build',
      handle: ({ body, accountId, region }) => {
        const name = requiredString(body, 'name');
        const serviceRole = requiredString(body, 'serviceRole');
        if (!/^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/.test(name)) {
          throw new ControlApiError(400, 'InvalidParameter', 'name must be 2..255 letters, digits, - and _, starting with a letter or digit', 'name');
        }
        try {
          const project = createProject(deps, accountId, region, {
            name,
            serviceRole,
            source: { type: 'CODEPIPELINE' },
            artifacts: { type: 'CODEPIPELINE' },
            environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
          });
          // createProject tells the store what it made.
          return { project: projectView(project) };
        } catch (error) {
          if (error instanceof AwsServiceError) throw new ControlApiError(error.code === 'ResourceAlreadyExistsException' ? 409 : 400, error.code, error.message, 'name');
          throw error;
        }
      },
    },
  ];
}
