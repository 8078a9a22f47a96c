import type { PipelineDeclaration, PipelineType, Tag } from '@aws-sdk/client-codepipeline';
import { AwsServiceError, ControlApiError } from '../../errors.ts';
import { requiredString } from '../../control/router.ts';
import { validateOperationInput } from '../../model/validate.ts';
import type { ControlRequest, ControlRoute, SandboxDeps } from '../../service.ts';
import { harmlessEdit } from './external-edit.ts';
import { CODEPIPELINE_VALIDATION_OVERRIDES, codepipelineModel } from './model.ts';
import { validatedDeclaration } from './operations.ts';
import { parseConnectionArn } from './source-connection.ts';
import { addVersion, newStoredPipeline, stateFor } from './state.ts';
import { TEMPLATE_SOURCE_PROVIDERS, templateDeclaration, templateProvider, type PipelineTemplate, type TemplateSourceProvider } from './templates.ts';
import { declarationView, pipelineArn } from './views.ts';

/**
 * Control routes for test set-up: seed a pipeline that "already exists", and play a second editor
 * changing it behind the workflow's back (for read-modify-write conflict tests).
 */
export function pipelineControlRoutes(deps: SandboxDeps): ControlRoute[] {
  return [
    {
      method: 'POST',
      path: '/pipelines',
      summary:
        'Seed a pipeline: {declaration, tags?} or the short form {name, roleArn?, sourceActionName?, ' +
        'provider? (CodeStarSourceConnection|GitHub|S3|CodeCommit; default CodeStarSourceConnection with connectionArn, else GitHub), ' +
        'pipelineType?, connectionArn?, fullRepositoryId?, branchName?, tags?}',
      handle: (request) => {
        const { accountId, region, body } = request;
        const tags = readTags(body);
        const input = body.declaration === undefined ? templateDeclaration(readTemplate(body), accountId, region) : readDeclaration(body.declaration);
        checkAgainstModel({ pipeline: input, ...(tags ? { tags } : {}) }, body.declaration === undefined ? templateFieldOf : () => 'declaration');
        const declaration = checkStructure(() => validatedDeclaration(input, 1, region));
        const state = stateFor(deps.store, accountId, region);
        const pipelines = state.pipelines;
        if (pipelines[declaration.name!]) {
          const message = `A pipeline named '${declaration.name}' already exists in ${accountId}/${region}`;
          throw new ControlApiError(409, 'PipelineNameInUse', message, 'name');
        }
        if (Object.keys(pipelines).length >= deps.config.pipelineQuota) {
          const message = `${accountId}/${region} already has ${deps.config.pipelineQuota} pipelines (pipelineQuota)`;
          throw new ControlApiError(409, 'LimitExceeded', message);
        }
        const stored = newStoredPipeline(declaration, tags ?? [], deps.clock.nowEpochSeconds());
        pipelines[declaration.name!] = stored;
        deps.store.markChanged(state, 'pipelines', declaration.name!);
        return {
          pipeline: declarationView(stored.declaration),
          metadata: { pipelineArn: pipelineArn(region, accountId, declaration.name!), created: stored.created, updated: stored.updated },
        };
      },
    },
    {
      method: 'POST',
      path: '/pipelines/:name/external-edit',
      summary:
        'Simulate another editor: bump the version with a harmless change (a CodeBuild environment variable), or with {declaration} replace the structure',
      handle: (request) => externalEdit(deps, request),
    },
  ];
}

function externalEdit(deps: SandboxDeps, { accountId, region, params, body }: ControlRequest) {
  const name = params.name!;
  const state = stateFor(deps.store, accountId, region);
  const pipeline = state.pipelines[name];
  if (!pipeline) throw new ControlApiError(404, 'PipelineNotFound', `No pipeline named '${name}' in ${accountId}/${region}`, 'name');
  const previousVersion = pipeline.declaration.version!;
  let next: PipelineDeclaration;
  let change: string;
  if (body.declaration !== undefined) {
    next = readDeclaration(body.declaration);
    if (next.name !== name) {
      throw new ControlApiError(400, 'InvalidParameter', `declaration.name must be '${name}'; a pipeline cannot be renamed`, 'declaration.name');
    }
    checkAgainstModel({ pipeline: next }, () => 'declaration');
    change = 'replaced the declaration';
  } else {
    const edit = harmlessEdit(pipeline.declaration, String(previousVersion + 1));
    if (!edit) {
      throw new ControlApiError(
        400,
        'NoHarmlessEdit',
        `Pipeline '${name}' has no CodeBuild action to edit harmlessly; send {declaration} to say what the other editor changes`,
        'declaration',
      );
    }
    ({ declaration: next, change } = edit);
  }
  addVersion(pipeline, checkStructure(() => validatedDeclaration(next, previousVersion + 1, region)), deps.clock.nowEpochSeconds());
  deps.store.markChanged(state, 'pipelines', name);
  return { name, previousVersion, version: pipeline.declaration.version, change };
}

function readDeclaration(value: unknown): PipelineDeclaration {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlApiError(400, 'InvalidParameter', 'declaration must be a PipelineDeclaration object', 'declaration');
  }
  return value as PipelineDeclaration;
}

function readTemplate(body: Record<string, unknown>): PipelineTemplate {
  const template: PipelineTemplate = { name: requiredString(body, 'name') };
  for (const field of ['roleArn', 'sourceActionName', 'fullRepositoryId', 'branchName', 'connectionArn'] as const) {
    const value = optionalString(body, field);
    if (value !== undefined) template[field] = value;
  }
  const provider = optionalString(body, 'provider');
  if (provider !== undefined) {
    if (!(TEMPLATE_SOURCE_PROVIDERS as readonly string[]).includes(provider)) {
      throw new ControlApiError(400, 'InvalidParameter', `provider must be one of ${TEMPLATE_SOURCE_PROVIDERS.join(', ')}`, 'provider');
    }
    template.provider = provider as TemplateSourceProvider;
  }
  const pipelineType = optionalString(body, 'pipelineType');
  if (pipelineType !== undefined) {
    if (pipelineType !== 'V1' && pipelineType !== 'V2') {
      throw new ControlApiError(400, 'InvalidParameter', 'pipelineType must be V1 or V2', 'pipelineType');
    }
    template.pipelineType = pipelineType as PipelineType;
  }
  if (templateProvider(template) === 'CodeStarSourceConnection') {
    if (template.connectionArn === undefined) {
      throw new ControlApiError(400, 'InvalidParameter', 'connectionArn is required for a CodeStarSourceConnection source', 'connectionArn');
    }
    if (!parseConnectionArn(template.connectionArn)) {
      const message = 'connectionArn must be a codestar-connections or codeconnections connection ARN';
      throw new ControlApiError(400, 'InvalidParameter', message, 'connectionArn');
    }
  }
  // GitLab projects may sit in subgroups: group/subgroup/project.
  if (template.fullRepositoryId !== undefined && !/^[^/\s]+(?:\/[^/\s]+)+$/.test(template.fullRepositoryId)) {
    throw new ControlApiError(400, 'InvalidParameter', 'fullRepositoryId must look like owner/repository (GitLab: group/subgroup/project)', 'fullRepositoryId');
  }
  return template;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw new ControlApiError(400, 'InvalidParameter', `${field} must be a non-empty string`, field);
  return value;
}

function readTags(body: Record<string, unknown>): Tag[] | undefined {
  if (body.tags === undefined) return undefined;
  const isTag = (tag: unknown) =>
    typeof tag === 'object' && tag !== null && typeof (tag as Tag).key === 'string' && typeof (tag as Tag).value === 'string';
  const valid = Array.isArray(body.tags) && body.tags.every(isTag);
  if (!valid) throw new ControlApiError(400, 'InvalidParameter', 'tags must be a list of {key, value} strings', 'tags');
  return body.tags as Tag[];
}

/** The same Coral checks CreatePipeline applies, reported as a control-API 400 naming the body field. */
function checkAgainstModel(input: Record<string, unknown>, fieldOf: (memberPath: string) => string): void {
  try {
    validateOperationInput(codepipelineModel, 'CreatePipeline', input, CODEPIPELINE_VALIDATION_OVERRIDES);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    const memberPath = /at '([^']+)'/.exec(error.message)?.[1] ?? '';
    throw new ControlApiError(400, error.code, error.message, fieldOf(memberPath));
  }
}

/** Which short-form field a Coral member path of the generated declaration came from. */
function templateFieldOf(memberPath: string): string {
  if (memberPath === 'pipeline.name') return 'name';
  if (memberPath === 'pipeline.roleArn') return 'roleArn';
  if (/^pipeline\.stages\.1\.member\.actions\.1\.member\.name$/.test(memberPath)) return 'sourceActionName';
  if (memberPath.startsWith('tags')) return 'tags';
  return 'body';
}

function checkStructure(validate: () => PipelineDeclaration): PipelineDeclaration {
  try {
    return validate();
  } catch (error) {
    if (error instanceof AwsServiceError) throw new ControlApiError(400, error.code, error.message, 'declaration');
    throw error;
  }
}
