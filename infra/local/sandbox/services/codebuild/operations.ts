import type { BatchGetProjectsInput, CreateProjectInput, DeleteProjectInput } from '@aws-sdk/client-codebuild';
import type { CallContext } from '../../context.ts';
import { AwsServiceError } from '../../errors.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import { findProject, PROJECT_QUOTA, projectArn, serviceRoleArn, stateFor, type StoredProject } from './state.ts';

/** The CodeBuild operations the sandbox serves: enough to look up which role a project runs as. */
export function codeBuildOperations(deps: SandboxDeps): Record<string, OperationHandler> {
  const state = (call: CallContext) => stateFor(deps.store, call.accountId, call.region);
  return {
    BatchGetProjects: ({ names }: BatchGetProjectsInput, call) => {
      const projects: StoredProject[] = [];
      const projectsNotFound: string[] = [];
      for (const name of names!) {
        const project = findProject(state(call), name);
        if (project) projects.push(project);
        else projectsNotFound.push(name);
      }
      return { projects: projects.map(projectView), projectsNotFound };
    },

    CreateProject: (input: CreateProjectInput, call) => ({ project: projectView(createProject(deps, call.accountId, call.region, input)) }),

    DeleteProject: ({ name }: DeleteProjectInput, call) => {
      // Deleting a project that does not exist succeeds, as in AWS.
      const projects = state(call);
      projects.projects = projects.projects.filter((project) => project.name !== name && project.arn !== name);
      deps.store.markChanged(projects, 'projects');
      return {};
    },
  };
}

/** CreateProject's rules, shared with the control route that seeds projects. */
export function createProject(deps: SandboxDeps, accountId: string, region: string, input: CreateProjectInput): StoredProject {
  const state = stateFor(deps.store, accountId, region);
  const projects = state.projects;
  if (projects.some((project) => project.name === input.name)) {
    throw new AwsServiceError('ResourceAlreadyExistsException', `Project already exists: ${input.name}`);
  }
  if (projects.length >= PROJECT_QUOTA) {
    throw new AwsServiceError('AccountLimitExceededException', `Cannot have more than ${PROJECT_QUOTA} projects in account ${accountId}`);
  }
  if (input.source!.type === 'CODEPIPELINE' && input.artifacts!.type !== 'CODEPIPELINE') {
    throw new AwsServiceError('InvalidInputException', 'Project with source type CODEPIPELINE must have artifacts type CODEPIPELINE');
  }
  const now = deps.clock.nowEpochSeconds();
  const project: StoredProject = {
    name: input.name!,
    arn: projectArn(region, accountId, input.name!),
    ...(input.description ? { description: input.description } : {}),
    source: { type: input.source!.type!, ...(input.source!.location ? { location: input.source!.location } : {}), ...(input.source!.buildspec ? { buildspec: input.source!.buildspec } : {}) },
    artifacts: { type: input.artifacts!.type!, ...(input.artifacts!.location ? { location: input.artifacts!.location } : {}) },
    environment: { type: input.environment!.type!, image: input.environment!.image!, computeType: input.environment!.computeType! },
    serviceRole: serviceRoleArn(accountId, input.serviceRole!),
    timeoutInMinutes: input.timeoutInMinutes ?? 60,
    queuedTimeoutInMinutes: input.queuedTimeoutInMinutes ?? 480,
    tags: input.tags ?? [],
    created: now,
    lastModified: now,
  };
  projects.push(project);
  deps.store.markChanged(state, 'projects', projects.length - 1);
  return project;
}

/** A project as BatchGetProjects and CreateProject return it (timestamps as epoch seconds, their wire form). */
export function projectView(project: StoredProject) {
  return {
    ...project,
    encryptionKey: `arn:aws:kms:${project.arn.split(':')[3]}:${project.arn.split(':')[4]}:alias/aws/s3`,
    badge: { badgeEnabled: false },
    projectVisibility: 'PRIVATE',
  };
}
