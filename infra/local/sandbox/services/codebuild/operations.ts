import type { BatchGetProjectsInput, CreateProjectInput, DeleteProjectInput, ListProjectsInput, ProjectSource } from '@aws-sdk/client-codebuild';
import type { CallContext } from '../../context.ts';
import { AwsServiceError } from '../../errors.ts';
import type { OperationHandler, SandboxDeps } from '../../service.ts';
import { paginate } from '../pagination.ts';
import { findProject, PROJECT_QUOTA, projectArn, serviceRoleArn, stateFor, type StoredProject, type StoredSource } from './state.ts';

/** ListProjects answers at most 100 names a page (API reference: "only the first 100 items are returned"). */
const LIST_PROJECTS_PAGE_SIZE = 100;

/**
 * SourceAuthType. The model types `auth.type` as a plain string so that another value is refused
 * here, with CodeBuild's InvalidInputException rather than the Coral ValidationException a model
 * enum would give.
 */
export const SOURCE_AUTH_TYPES: readonly string[] = ['OAUTH', 'CODECONNECTIONS', 'SECRETS_MANAGER'];

/** API reference, ProjectSource.sourceIdentifier: "only alphanumeric characters and underscores, and must be less than 128 characters". */
const SOURCE_IDENTIFIER = /^[A-Za-z0-9_]{1,127}$/;

/** The CodeBuild operations the sandbox serves: which role a project runs as, and what its sources are. */
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

    ListProjects: ({ sortBy = 'NAME', sortOrder = 'ASCENDING', nextToken }: ListProjectsInput, call) => {
      // AWS documents no default order; the sandbox lists by name, ascending.
      const ordered = [...state(call).projects].sort(projectOrder(sortBy, sortOrder));
      const { page, nextToken: next } = paginate(ordered, {
        // A token resumes only the listing (and order) that issued it.
        list: `projects:${sortBy}:${sortOrder}`,
        keyOf: (project) => project.name,
        sortedByKey: sortBy === 'NAME' && sortOrder === 'ASCENDING',
        pageSize: LIST_PROJECTS_PAGE_SIZE,
        nextToken,
        invalidToken: () => new AwsServiceError('InvalidInputException', 'Invalid nextToken'),
      });
      return { projects: page.map((project) => project.name), nextToken: next };
    },

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
    source: storedSource(input.source!),
    ...(input.secondarySources && input.secondarySources.length > 0 ? { secondarySources: input.secondarySources.map(storedSecondarySource) } : {}),
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

function storedSource(source: ProjectSource): StoredSource {
  const auth = source.auth;
  if (auth && !SOURCE_AUTH_TYPES.includes(auth.type!)) {
    throw new AwsServiceError('InvalidInputException', `Invalid input: source auth type ${auth.type} is not one of ${SOURCE_AUTH_TYPES.join(', ')}`);
  }
  return {
    type: source.type!,
    ...(source.location ? { location: source.location } : {}),
    ...(source.buildspec ? { buildspec: source.buildspec } : {}),
    ...(auth ? { auth: { type: auth.type!, ...(auth.resource ? { resource: auth.resource } : {}) } } : {}),
    ...(source.sourceIdentifier ? { sourceIdentifier: source.sourceIdentifier } : {}),
  };
}

/** A secondary source is named by its identifier, which the buildspec uses (CODEBUILD_SRC_DIR_<identifier>). */
function storedSecondarySource(source: ProjectSource): StoredSource {
  if (!source.sourceIdentifier || !SOURCE_IDENTIFIER.test(source.sourceIdentifier)) {
    throw new AwsServiceError('InvalidInputException', 'Invalid input: identifier must contain only alphanumeric characters and underscores and be less than 128 characters in length');
  }
  return storedSource(source);
}

function projectOrder(sortBy: string, sortOrder: string): (a: StoredProject, b: StoredProject) => number {
  const key = (project: StoredProject) => (sortBy === 'CREATED_TIME' ? project.created : sortBy === 'LAST_MODIFIED_TIME' ? project.lastModified : 0);
  const direction = sortOrder === 'DESCENDING' ? -1 : 1;
  // Names break ties (projects made in the same second), so pages never overlap.
  return (a, b) => direction * (key(a) - key(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
