import type { CreateProjectInput } from '@aws-sdk/client-codebuild';
import { AwsServiceError, ControlApiError } from '../../errors.ts';
import { requiredString } from '../../control/router.ts';
import { validateOperationInput } from '../../model/validate.ts';
import type { ControlRoute, SandboxDeps } from '../../service.ts';
import { codeBuildModel } from './model.ts';
import { createProject, projectView } from './operations.ts';

/** Seed a CodeBuild project that "already exists", with the service role it runs as and, if given, its sources. */
export function codeBuildControlRoutes(deps: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'POST',
      path: '/codebuild/projects',
      summary:
        'Seed a CodeBuild project {name, serviceRole (role name or ARN), source?, secondarySources?} (sources as CreateProject takes them, e.g. ' +
        "{type: 'GITHUB_ENTERPRISE', location, auth: {type: 'CODECONNECTIONS', resource: connectionArn}}): a Linux build, CODEPIPELINE-sourced by default",
      handle: ({ body, accountId, region }) => {
        const name = requiredString(body, 'name');
        const serviceRole = requiredString(body, 'serviceRole');
        if (!/^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/.test(name)) {
          throw new ControlApiError(400, 'InvalidParameter', 'name must be 2..255 letters, digits, - and _, starting with a letter or digit', 'name');
        }
        const source = (body.source ?? { type: 'CODEPIPELINE' }) as CreateProjectInput['source'];
        const input = {
          name,
          serviceRole,
          source,
          ...(body.secondarySources === undefined ? {} : { secondarySources: body.secondarySources as CreateProjectInput['secondarySources'] }),
          // CodeBuild pairs CODEPIPELINE sources with CODEPIPELINE artifacts; any other source builds without artifacts.
          artifacts: { type: source?.type === 'CODEPIPELINE' ? 'CODEPIPELINE' : 'NO_ARTIFACTS' },
          environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
        } as CreateProjectInput;
        try {
          // The same checks CreateProject makes: the model's, then CodeBuild's own.
          validateOperationInput(codeBuildModel, 'CreateProject', input);
          const project = createProject(deps, accountId, region, input);
          // createProject tells the store what it made.
          return { project: projectView(project) };
        } catch (error) {
          if (error instanceof AwsServiceError) throw new ControlApiError(error.code === 'ResourceAlreadyExistsException' ? 409 : 400, error.code, error.message, fieldOf(error));
          throw error;
        }
      },
    },
  ];
}

/** Which body field a refusal is about: a Coral message names the member; CodeBuild's own refusals here are about the sources, else the name. */
function fieldOf(error: AwsServiceError): string {
  const member = /at '([^'.]+)/.exec(error.message)?.[1];
  if (member) return member;
  if (error.code !== 'InvalidInputException') return 'name';
  return /identifier/.test(error.message) ? 'secondarySources' : 'source';
}
