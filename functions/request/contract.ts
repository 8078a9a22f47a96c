/**
 * The body of `POST /v1/connection-requests`: its schema, and a parser that reports every problem
 * at once with a dotted path (`vpcConfiguration.subnetIds.2`) and a plain-English message, so the
 * API can answer a `400` problem whose `errors: [{ path, message }]` a requester can act on.
 *
 * Constraints mirror the CodeStar Connections and CodePipeline models (aws-api-facts §3.3, §4.3)
 * so a request we accept is not refused by AWS halfway through the workflow, plus a few checks AWS
 * leaves to run time (the URL is a usable GHES or GitLab endpoint, the TLS certificate parses). Unknown
 * fields are rejected, at every level, so a typo (`subnetID`) is an error rather than silently
 * ignored.
 *
 * This schema is the contract's one definition: the OpenAPI document's `NewConnectionRequest` (and
 * the view's `pipeline` and `vpcConfiguration`) are generated from it with `z.toJSONSchema`. So
 * every check is a JSON Schema keyword where one can say it: a pattern (each with a message
 * function that explains a refusal), `uniqueItems`, `minProperties`, an `if`/`then`; the few checks
 * JSON Schema cannot express (the endpoint's host is one AWS can reach, the certificate parses and
 * is valid now, list-form tag keys are distinct) are said in the field's description.
 *
 * The parsed value is normalised: `providerEndpoint` is the canonical URL
 * ({@link normaliseProviderEndpoint}), `providerType`, `pipeline.outputArtifactFormat` and
 * `pipeline.detectChanges` have their defaults, and `tags` is always an object of key → value
 * whichever form was sent (the list form cannot repeat a key, so nothing is lost; AWS's
 * `[{ Key, Value }]` is one map away). `pipeline.fullRepositoryId` is checked against the
 * request's provider (GitLab's may name subgroups).
 */

import * as z from 'zod';
import { branchPushFilters } from '../attach/triggers.ts';
import { normaliseProviderEndpoint } from './endpoint.ts';
import { accountIdSchema, regionSchema } from '../accounts/contract.ts';
import { isCoreError } from './input-errors.ts';
import { checkConnectionName, MAX_CONNECTION_NAME_LENGTH } from '../connection/naming.ts';
import { MAX_TLS_CERTIFICATE_LENGTH, parseTlsCertificate, parseTlsCertificateIgnoringDates } from './tls-certificate.ts';
import { CLOUD_PROVIDER_ENDPOINTS, CLOUD_PROVIDER_TYPES, DEFAULT_PROVIDER_TYPE, isCloudProvider, PROVIDER_TYPES, providerTypeOf, providerWords, type ProviderType } from './provider.ts';

/** One problem with a request body. */
export interface RequestProblem {
  /** Dotted path of the offending value (`pipeline.branchName`, `tags.3.key`); `''` for the body itself. */
  path: string;
  /** What is wrong, in plain English. */
  message: string;
}

/** The result of {@link parseConnectionRequest}. */
export type ParseConnectionRequestResult = { ok: true; value: ConnectionRequest } | { ok: false; details: RequestProblem[] };

/** Options of {@link parseConnectionRequest}. */
export interface ParseConnectionRequestOptions {
  /**
   * When given, `vpcConfiguration.tlsCertificate` must also be valid at this instant (not expired,
   * not yet valid). Without it only the certificate's shape is checked: pass the request time.
   */
  now?: Date;
}

/** Tags we accept per request: CodePipeline allows 50 per pipeline (CodeStar allows 200). */
export const MAX_REQUEST_TAGS = 50;

const VPC_ID = /^vpc-\w{8}(\w{9})?$/u;
const SUBNET_ID = /^subnet-\w{8}(\w{9})?$/u;
const SECURITY_GROUP_ID = /^sg-\w{8}(\w{9})?$/u;
const PIPELINE_OR_ACTION_NAME = /^[A-Za-z0-9.@\-_]+$/u;
// GitHub owners are letters, digits and hyphens; GHES can also have "_" and "." in (LDAP/SAML) names.
const REPOSITORY_OWNER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/u;
const REPOSITORY_NAME = /^[A-Za-z0-9_.-]+$/u;
/** `owner/repository` (GitHub Enterprise Server): what {@link repositoryIdProblem} explains, as one pattern. */
const FULL_REPOSITORY_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\/(?!\.+$)(?![\s\S]*\.git$)[A-Za-z0-9_.-]{1,100}$/u;
/**
 * `group/project`, or `group/subgroup/…/project` (GitLab self-managed nests groups at most 20 levels
 * deep): what {@link gitLabPathProblem} explains, as one pattern. Each part is a GitLab path of at
 * most 255 characters, not ending in `.git` or `.atom`. Newer GitLab versions also refuse a leading
 * `_` or a trailing `.`, which older instances still have, so those are let through.
 */
const GITLAB_PROJECT_PATH =
  /^(?!(?:[^/]*\/)*[^/]*\.(?:git|atom)(?:\/|$))(?!(?:[^/]*\/)*[^/]{256})[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*){1,20}$/u;
/** What either provider accepts: the field's own pattern; the request's providerType narrows it to one of the two. */
const ANY_REPOSITORY_ID = new RegExp(`${FULL_REPOSITORY_ID.source}|${GITLAB_PROJECT_PATH.source}`, 'u');
const GITLAB_PATH_PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/u;
const MAX_GITLAB_GROUP_DEPTH = 20;
/** A usable Git branch name (git check-ref-format), as one pattern; {@link branchNameProblem} explains a refusal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BRANCH_NAME = /^(?!-)(?!\/)(?![\s\S]*\/$)(?![\s\S]*\/\/)(?![\s\S]*\.\.)(?![\s\S]*@\{)(?!@$)(?![\s\S]*\.$)(?![\s\S]*\.lock$)(?!\.)(?![\s\S]*\/\.)[^\s\u0000-\u001f\u007f~^:?*[\\]*$/u;
/** What CodeStar accepts as a connection name besides its length: no surrounding whitespace, no control characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONNECTION_NAME = /^(?!\s)(?![\s\S]*\s$)[^\u0000-\u001f\u007f-\u009f]*$/u;
/**
 * The shape {@link normaliseProviderEndpoint} insists on before it parses: `https://` (any case),
 * a host part without user information, no whitespace, control characters or backslashes.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PROVIDER_ENDPOINT = /^\s*[Hh][Tt][Tt][Pp][Ss]:\/\/[^\s\u0000-\u001f\u007f\\/?#@]+(?:[/?#][^\s\u0000-\u001f\u007f\\]*)?\s*$/u;
/** One PEM certificate block and nothing else (CRLF or LF line ends, surrounding whitespace allowed). */
const PEM_CERTIFICATE = /^\s*-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/u;
/** Tag keys AWS reserves (`aws:` in any case), and the one key plain objects cannot hold. */
const TAG_KEY = /^(?![aA][wW][sS]:)(?!__proto__$)/u;
/** Characters a trigger's branch filter reads as a glob. */
const GLOB_CHARACTERS = /[{}!]/u;

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Why `value` is not `owner/repo`, or undefined when it is. */
function repositoryIdProblem(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length !== 2) return 'Must be owner/repository, for example platform/payments-api';
  const [owner = '', repository = ''] = parts;
  if (owner.length === 0 || owner.length > 100 || !REPOSITORY_OWNER.test(owner)) {
    return `"${owner.slice(0, 100)}" is not a valid repository owner (letters, digits, hyphens, underscores and dots)`;
  }
  if (repository.endsWith('.git')) return 'Give the repository name without the .git suffix';
  if (repository.length === 0 || repository.length > 100 || !REPOSITORY_NAME.test(repository) || /^\.+$/u.test(repository)) {
    return `"${repository.slice(0, 100)}" is not a valid repository name (letters, digits, hyphens, underscores and dots)`;
  }
  return undefined;
}

/** Why `value` is not a GitLab `group/…/project` path, or undefined when it is. */
function gitLabPathProblem(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length < 2 || parts.includes('')) return 'Must be group/project or group/subgroup/project, for example platform/backend/payments-api';
  if (parts.length > MAX_GITLAB_GROUP_DEPTH + 1) return `GitLab nests groups at most ${MAX_GITLAB_GROUP_DEPTH} levels deep`;
  const project = parts.at(-1)!;
  if (project.endsWith('.git')) return 'Give the project path without the .git suffix';
  const bad = parts.find((part) => part.length > 255 || !GITLAB_PATH_PART.test(part) || /\.(?:git|atom)$/u.test(part));
  if (bad !== undefined) {
    return `"${bad.slice(0, 100)}" is not a valid GitLab group or project path (letters, digits, underscores, dots and hyphens, starting with a letter, digit or underscore; not ending in .git or .atom; at most 255 characters)`;
  }
  return undefined;
}

/** Why `value` is neither provider's repository id (the field does not know the request's provider). */
function anyRepositoryIdProblem(value: string): string {
  // Three parts or more can only be meant as a GitLab path (a URL, with its empty part, is neither); two read as owner/repository.
  const parts = value.split('/');
  const problem = parts.length > 2 && !parts.includes('') ? gitLabPathProblem(value) : repositoryIdProblem(value);
  return problem ?? 'Must be owner/repository, for example platform/payments-api';
}

/**
 * The repository id checked against the request's provider: GitLab paths may nest groups, a GHES
 * repository is `owner/repository`. A value neither accepts is explained at the field itself, and
 * an unknown provider at `providerType`, so neither is reported twice. Runs on what the parse made
 * of the body even when other fields failed, so it reads it defensively.
 */
function checkRepositoryIdForProvider(request: { providerType?: unknown; pipeline?: unknown }, ctx: z.RefinementCtx): void {
  const { pipeline } = request;
  const id = typeof pipeline === 'object' && pipeline !== null ? (pipeline as { fullRepositoryId?: unknown }).fullRepositoryId : undefined;
  if (typeof id !== 'string' || !ANY_REPOSITORY_ID.test(id)) return;
  const providerType = providerTypeOf({ providerType: typeof request.providerType === 'string' ? request.providerType : DEFAULT_PROVIDER_TYPE });
  let problem: string | undefined;
  if (providerType === 'GitLabSelfManaged' || providerType === 'GitLab') {
    if (!GITLAB_PROJECT_PATH.test(id)) problem = gitLabPathProblem(id) ?? 'Must be group/project or group/subgroup/project';
  } else if (providerType !== 'AzureDevOps' && !FULL_REPOSITORY_ID.test(id)) {
    // GitHub, GitHub Enterprise Server and Bitbucket name a repository by its owner (workspace) and name.
    const shape = providerWords(providerType).repositoryIdShape;
    problem =
      id.split('/').length > 2
        ? `Nested groups (group/subgroup/project) are for GitLab only: a ${providerWords(providerType).product} repository is ${shape}`
        : (repositoryIdProblem(id) ?? `Must be ${shape}, for example platform/payments-api`);
  }
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['pipeline', 'fullRepositoryId'], message: problem });
}

/**
 * A self-managed server is where the request says (`providerEndpoint`, required), and may sit in a
 * VPC; a cloud provider is where AWS knows, with no host and so no endpoint or VPC to give.
 */
function checkProviderFields(request: { providerType?: unknown; providerEndpoint?: unknown; vpcConfiguration?: unknown }, ctx: z.RefinementCtx): void {
  const providerType = typeof request.providerType === 'string' ? providerTypeOf({ providerType: request.providerType }) : DEFAULT_PROVIDER_TYPE;
  if (!isCloudProvider(providerType)) {
    if (request.providerEndpoint === undefined) {
      ctx.addIssue({ code: 'custom', path: ['providerEndpoint'], message: `Required for ${providerWords(providerType).product}: the https:// URL of your server` });
    }
    return;
  }
  const product = providerWords(providerType).product;
  if (request.providerEndpoint !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['providerEndpoint'], message: `${product} is a cloud provider: leave providerEndpoint out (the connection is to ${CLOUD_PROVIDER_ENDPOINTS[providerType]})` });
  }
  if (request.vpcConfiguration !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['vpcConfiguration'], message: `${product} is a cloud provider: it has no host, so no VPC; leave vpcConfiguration out` });
  }
}

/**
 * Git sync works with GitHub, GitHub Enterprise Server, GitLab (both) and Bitbucket, not Azure
 * DevOps (CloudFormation user guide, Git sync); and it links the request's own connection, so never
 * the hub's shared one.
 */
function checkGitSync(request: { providerType?: unknown; gitSync?: unknown; connectionStrategy?: unknown }, ctx: z.RefinementCtx): void {
  if (request.gitSync === undefined) return;
  if (request.providerType === 'AzureDevOps') ctx.addIssue({ code: 'custom', path: ['gitSync'], message: 'Git sync does not support Azure DevOps repositories' });
  if (request.connectionStrategy === 'shared') {
    ctx.addIssue({ code: 'custom', path: ['connectionStrategy'], message: "Git sync links a connection of the request's own account: use auto or dedicated" });
  }
}

/** A cloud request's providerEndpoint is its provider's (the record keys approvers, names and notices on it). */
function withProviderEndpoint<T extends { providerType: ProviderType; providerEndpoint?: string | undefined }>(request: T): T & { providerEndpoint: string } {
  const providerEndpoint = request.providerEndpoint ?? (isCloudProvider(request.providerType) ? CLOUD_PROVIDER_ENDPOINTS[request.providerType] : '');
  return { ...request, providerEndpoint };
}

/** Why `name` is not a usable Git branch name (the git check-ref-format rules), or undefined. */
function branchNameProblem(name: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\s\u0000-\u001f\u007f~^:?*[\\]/u.test(name)) {
    return 'Must not contain spaces, control characters or any of ~ ^ : ? * [ \\';
  }
  if (name.startsWith('-')) return 'Must not start with a hyphen';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return 'Must not start or end with "/" or contain "//"';
  }
  if (name.includes('..') || name.includes('@{') || name === '@') return 'Must not contain "..", "@{" or be "@"';
  if (name.endsWith('.') || name.endsWith('.lock')) return 'Must not end with "." or ".lock"';
  if (name.split('/').some((component) => component.startsWith('.'))) {
    return 'No part between slashes may start with "."';
  }
  return undefined;
}

/** The message of the core error `check` throws for `value`, or undefined when it throws none. */
function coreProblem(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!isCoreError(error)) throw error;
    return problemOf(error);
  }
}

/** The input of a failed check, as the string it was. */
const inputOf = (issue: { input?: unknown }): string => String(issue.input);

/** Reports every repeated value of a list at its index (the schema says `uniqueItems`). */
function rejectDuplicates(what: string) {
  return (values: readonly string[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    values.forEach((value, index) => {
      if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [index], message: `Duplicate ${what} ${value}` });
      seen.add(value);
    });
  };
}

// Plain-object code would turn this key into a prototype change (zod's record parsing skips it
// silently), so the tag would vanish without a word; no one means it as a tag, so refuse it.
const PROTO_KEY = '__proto__';
const PROTO_KEY_MESSAGE = 'Tag key "__proto__" is not allowed';

const tagKeySchema = z
  .string()
  .min(1, { error: 'Tag key must not be empty' })
  .max(128, { error: 'Tag key must be at most 128 characters' })
  .regex(TAG_KEY, { error: (issue) => (inputOf(issue) === PROTO_KEY ? PROTO_KEY_MESSAGE : 'Tag keys starting with "aws:" are reserved by AWS') });
const tagValueSchema = z.string().max(256, { error: 'Tag value must be at most 256 characters' });

const tagListSchema = z
  .array(z.strictObject({ key: tagKeySchema, value: tagValueSchema }))
  // An empty list is neither form as documented: leave `tags` out instead.
  .min(1, { error: 'Must not be an empty list (leave tags out when there are none)' })
  .max(MAX_REQUEST_TAGS, { error: `Must contain at most ${MAX_REQUEST_TAGS} tags` })
  .superRefine((tags, ctx) => {
    const seen = new Set<string>();
    tags.forEach((tag, index) => {
      if (seen.has(tag.key)) ctx.addIssue({ code: 'custom', path: [index, 'key'], message: `Duplicate tag key "${tag.key}"` });
      seen.add(tag.key);
    });
  })
  .meta({ description: 'The list form: `[{ "key": …, "value": … }]`. Keys must be distinct.' })
  .transform((tags): Record<string, string> => Object.fromEntries(tags.map(({ key, value }) => [key, value])));

const tagRecordSchema = z
  .preprocess((tags, ctx) => {
    if (typeof tags === 'object' && tags !== null && Object.hasOwn(tags, PROTO_KEY)) {
      ctx.addIssue({ code: 'custom', path: [PROTO_KEY], message: PROTO_KEY_MESSAGE });
    }
    return tags;
  }, z.record(tagKeySchema, tagValueSchema))
  .refine((tags) => Object.keys(tags).length <= MAX_REQUEST_TAGS, { error: `Must contain at most ${MAX_REQUEST_TAGS} tags` })
  .meta({ description: 'The object form: `{ "key": "value" }`.', maxProperties: MAX_REQUEST_TAGS });

// Trigger filters mirror the CodePipeline model (aws-api-facts §4.3): 1..8 patterns of 1..255
// characters per list, at most 3 push and 3 pull-request filters, and what the model cannot say
// (a push filter uses tags, or branches with optional filePaths; a pull-request filter needs branches).
const patternListSchema = z
  .array(z.string().min(1, { error: 'Pattern must not be empty' }).max(255, { error: 'Pattern must be at most 255 characters' }))
  .min(1, { error: 'Must contain at least 1 pattern' })
  .max(8, { error: 'Must contain at most 8 patterns' });
export const filterCriteriaSchema = z
  .strictObject({ includes: patternListSchema.optional(), excludes: patternListSchema.optional() })
  .refine((criteria) => criteria.includes !== undefined || criteria.excludes !== undefined, { error: 'Give includes, excludes or both' })
  .meta({ description: 'Glob patterns to include, to exclude, or both.', minProperties: 1 });
export const pushFilterSchema = z
  .strictObject({ branches: filterCriteriaSchema.optional(), filePaths: filterCriteriaSchema.optional(), tags: filterCriteriaSchema.optional() })
  .superRefine((filter, ctx) => {
    if (filter.tags && (filter.branches || filter.filePaths)) {
      ctx.addIssue({ code: 'custom', message: 'A push filter uses either tags, or branches (optionally with filePaths)' });
    } else if (!filter.tags && !filter.branches) {
      ctx.addIssue({ code: 'custom', message: 'A push filter needs tags or branches' });
    }
  })
  .meta({
    description: 'Either tags, or branches (optionally with filePaths).',
    minProperties: 1,
    dependentRequired: { filePaths: ['branches'] },
    dependentSchemas: { tags: { properties: { branches: false, filePaths: false } } },
  });
export const pullRequestFilterSchema = z.strictObject({
  branches: filterCriteriaSchema,
  filePaths: filterCriteriaSchema.optional(),
  events: z
    .array(z.enum(['OPEN', 'UPDATED', 'CLOSED'], { error: 'Must be OPEN, UPDATED or CLOSED' }))
    .min(1, { error: 'Must contain at least 1 event' })
    .max(3, { error: 'Must contain at most 3 events' })
    .superRefine(rejectDuplicates('event'))
    .meta({ uniqueItems: true })
    .optional(),
});

/** The filters of the source action's trigger: what the record keeps, and the object form of `pipeline.trigger`. */
export const triggerFiltersSchema = z
  .strictObject({
    push: z.array(pushFilterSchema).min(1, { error: 'Must contain at least 1 push filter' }).max(3, { error: 'Must contain at most 3 push filters' }).optional(),
    pullRequest: z
      .array(pullRequestFilterSchema)
      .min(1, { error: 'Must contain at least 1 pull-request filter' })
      .max(3, { error: 'Must contain at most 3 pull-request filters' })
      .optional(),
  })
  .refine((trigger) => trigger.push !== undefined || trigger.pullRequest !== undefined, { error: 'Give push filters, pull-request filters or both' })
  .meta({ description: 'The push and pull-request filters of the source action’s trigger (CodePipeline’s GitConfiguration).', minProperties: 1 });

const triggerSchema = z
  .union([z.boolean(), triggerFiltersSchema], { error: 'Must be true, false, or an object of push and pullRequest filters' })
  .meta({
    description:
      'V2 pipelines only. `true`: start the pipeline on pushes to branchName; `false`: no trigger; an object: the push and pull-request filters of the ' +
      "source action's trigger (it replaces any trigger that action has). Left out: triggers are not touched.",
  });

/** 1–10 distinct AWS resource ids of one kind (a VPC host's subnets, its security groups). */
const resourceIds = (pattern: RegExp, noun: string, example: string) =>
  z
    .array(z.string().regex(pattern, { error: `Must be a ${noun} such as ${example}` }))
    .min(1, { error: `Must contain at least 1 ${noun}` })
    .max(10, { error: `Must contain at most 10 ${noun}s` })
    .superRefine(rejectDuplicates(noun))
    .meta({ uniqueItems: true });

/** A VPC host's network, without its certificate. */
const vpcFields = {
  vpcId: z.string().regex(VPC_ID, { error: 'Must be a VPC id such as vpc-0123456789abcdef0' }),
  subnetIds: resourceIds(SUBNET_ID, 'subnet id', 'subnet-0123456789abcdef0'),
  securityGroupIds: resourceIds(SECURITY_GROUP_ID, 'security group id', 'sg-0123456789abcdef0'),
};

const actionOrPipelineName = (what: string) =>
  z
    .string()
    .min(1, { error: `${what} must not be empty` })
    .max(100, { error: `${what} must be at most 100 characters` })
    .regex(PIPELINE_OR_ACTION_NAME, { error: `${what} may contain only letters, digits and . @ - _` });

/** What to attach the connection to, as sent (before `trigger: true` becomes filters). */
const pipelineFields = {
  name: actionOrPipelineName('Pipeline name').meta({ description: 'The pipeline, in the broker’s account and Region.' }),
  sourceActionName: actionOrPipelineName('Source action name')
    .optional()
    .meta({ description: 'The source action to point at the connection; needed when the pipeline has several.' }),
  fullRepositoryId: z
    .string()
    .regex(ANY_REPOSITORY_ID, { error: (issue) => anyRepositoryIdProblem(inputOf(issue)) })
    .meta({
      description:
        'GitHub Enterprise Server: `owner/repository`. GitLab self-managed: `group/project`, or with subgroups `group/subgroup/project` (at most 20 levels of groups). ' +
        'Without a `.git` suffix. Which of the two applies follows providerType.',
      examples: ['platform/payments-api', 'platform/backend/payments-api'],
    }),
  branchName: z
    .string()
    .min(1, { error: 'Branch name must not be empty' })
    .max(255, { error: 'Branch name must be at most 255 characters' })
    .regex(BRANCH_NAME, { error: (issue) => branchNameProblem(inputOf(issue)) ?? 'Must be a valid Git branch name' })
    .meta({ description: 'A branch name Git accepts (git check-ref-format).', examples: ['main'] }),
  outputArtifactFormat: z.enum(['CODE_ZIP', 'CODEBUILD_CLONE_REF'], { error: 'Must be CODE_ZIP or CODEBUILD_CLONE_REF' }).default('CODE_ZIP'),
  detectChanges: z.boolean({ error: 'Must be true or false' }).default(true),
};

/** A connection request's pipeline as the record keeps it (and the view shows it): defaults filled in, `trigger` as filters. */
export const pipelineTargetSchema = z.object({ ...pipelineFields, trigger: triggerFiltersSchema.optional() });

/** A CloudFormation stack name that is also a Git sync ResourceName (at most 100, letters, digits and hyphens). */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,99}$/u;
/** CodeConnections' IamRoleArn pattern. */
const IAM_ROLE_ARN = /^arn:aws(-[\w]+)*:iam::\d{12}:role\/[a-zA-Z_0-9+=,.@\-_/]+$/u;
const SYNC_TOGGLE = z.enum(['ENABLED', 'DISABLED'], { error: 'Must be ENABLED or DISABLED' });

/**
 * Git sync (CodeConnections' sync configurations, SyncType CFN_STACK_SYNC): a CloudFormation stack
 * kept in step with a deployment file in a repository branch. The broker links the repository to
 * the connection (or reuses the link), lets the role use the connection and trusts Git sync with
 * it, creates the sync configuration and waits for the first sync.
 */
export const gitSyncTargetSchema = z
  .strictObject({
    stackName: z
      .string()
      .regex(STACK_NAME, { error: 'Must be a CloudFormation stack name: a letter, then up to 99 letters, digits and hyphens' })
      .meta({ description: 'The stack Git sync creates and updates (its ResourceName).', examples: ['payments-infra'] }),
    repository: z
      .string()
      .regex(ANY_REPOSITORY_ID, { error: 'Must be owner/name (GitLab: group/project, subgroups allowed)' })
      .meta({ description: 'The repository holding the deployment file, as owner/name; its link to the connection is reused when one exists.', examples: ['acme/payments-infra'] }),
    branch: pipelineFields.branchName.meta({ description: 'The branch Git sync follows.' }),
    configFile: z
      .string()
      .min(1, { error: 'Must not be empty' })
      .max(1024, { error: 'Must be at most 1024 characters' })
      .regex(/^(?!\/)[^\0\n\r]+$/u, { error: 'Must be a path in the repository, without a leading /' })
      .meta({ description: 'The deployment file: template path, parameters and tags (a path in the repository).', examples: ['deployment/payments.yaml'] }),
    roleArn: z
      .string()
      .regex(IAM_ROLE_ARN, { error: 'Must be an IAM role ARN, arn:aws:iam::<account>:role/<name>' })
      .meta({
        description:
          'The role Git sync deploys the stack with. The broker grants it UseConnection (both prefixes) and adds cloudformation.sync.codeconnections.amazonaws.com to its trust policy; a rollback takes both back.',
      }),
    publishDeploymentStatus: SYNC_TOGGLE.optional().meta({ description: 'Post the deployment status to the repository (default: as Git sync defaults).' }),
    pullRequestComment: SYNC_TOGGLE.optional().meta({ description: 'Comment on pull requests that change the deployment file (CodeConnections only; the sync configuration is then made there).' }),
    triggerResourceUpdateOn: z
      .enum(['ANY_CHANGE', 'FILE_CHANGE'], { error: 'Must be ANY_CHANGE or FILE_CHANGE' })
      .optional()
      .meta({ description: 'ANY_CHANGE: any change to the repository updates the stack; FILE_CHANGE: only a change to the deployment file.' }),
  })
  .meta({ description: 'Git sync as a target, instead of or beside a pipeline.' });

export type GitSyncTarget = z.output<typeof gitSyncTargetSchema>;
type PipelineTarget = z.output<typeof pipelineTargetSchema>;

/** A VPC host's settings as the record keeps them. */
export const vpcSettingsSchema = z.object({ ...vpcFields, tlsCertificate: z.string().optional() });

function buildSchema(now: Date | undefined) {
  const inspect = (pem: string) => (now === undefined ? parseTlsCertificateIgnoringDates(pem) : parseTlsCertificate(pem, now));
  const certificateProblem = (issue: { input?: unknown }) =>
    coreProblem(() => parseTlsCertificateIgnoringDates(inputOf(issue))) ??
    'Must be one PEM certificate: -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----';
  const tlsCertificateSchema = z
    .string()
    .max(MAX_TLS_CERTIFICATE_LENGTH, { error: certificateProblem, abort: true })
    .regex(PEM_CERTIFICATE, { error: certificateProblem, abort: true })
    .superRefine((pem, ctx) => {
      const problem = coreProblem(() => inspect(pem));
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description:
        'PEM certificate of the CA that signed the GHES server certificate: exactly one -----BEGIN CERTIFICATE----- block, never a private key. ' +
        'It must also parse as an X.509 certificate and be valid (not expired, not yet valid) when the request is made.',
    });

  const pipelineSchema = z
    .strictObject({ ...pipelineFields, trigger: triggerSchema.optional() })
    .superRefine((pipeline, ctx) => {
      if (pipeline.trigger === true && GLOB_CHARACTERS.test(pipeline.branchName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['trigger'],
          message: `Branch ${pipeline.branchName} contains glob characters ({ } !), which a trigger's branch filter would read as a pattern; give the filters explicitly`,
        });
      }
    })
    .meta({
      description: 'What to attach the connection to. With `trigger: true` the branch name must not contain glob characters ({ } !).',
      if: { properties: { trigger: { const: true } }, required: ['trigger'] },
      then: { properties: { branchName: { pattern: '^[^{}!]*$' } } },
    });

  return z.strictObject({
    providerEndpoint: z
      .string()
      .regex(PROVIDER_ENDPOINT, { error: (issue) => coreProblem(() => normaliseProviderEndpoint(inputOf(issue))) ?? 'Must be an https:// URL', abort: true })
      .transform((value, ctx) => {
        try {
          return normaliseProviderEndpoint(value).url;
        } catch (error) {
          if (!isCoreError(error)) throw error;
          ctx.addIssue({ code: 'custom', message: problemOf(error) });
          return z.NEVER;
        }
      })
      .meta({
        description:
          'https root URL of the GHES or GitLab server (not its API URL), without user name or password; a path prefix is kept for a server behind a path-routing proxy. ' +
          'It must parse as a URL. The host must be a fully qualified DNS name (letters, digits and hyphens; valid punycode) or an IP address AWS can reach: not localhost, ' +
          'loopback, link-local, multicast, reserved or the instance metadata service; the port, when given, is 1–65535; the path must not be or end in the API path (/api, /api/v3, /api/v4); query and fragment are dropped; ' +
          'at most 4096 characters as sent and 512 once normalised. The host must be on the allow-list (else 403). ' +
          'Required for GitHubEnterpriseServer and GitLabSelfManaged; refused for a cloud provider (GitHub, GitLab, Bitbucket, AzureDevOps), which has no endpoint of its own.',
        examples: ['https://ghe.example.com'],
      })
      .optional(),
    providerType: z
      .enum(PROVIDER_TYPES, { error: `Must be one of ${PROVIDER_TYPES.join(', ')}` })
      .default(DEFAULT_PROVIDER_TYPE)
      .meta({
        description:
          'Self-managed (a host at providerEndpoint): `GitHubEnterpriseServer` (the default) or `GitLabSelfManaged`. The host is created for that provider and reused only by requests for the same ' +
          'provider, endpoint and VPC. For GitLab self-managed the version is not checked (GitLab shows it only with a token). ' +
          `Cloud (no host, no providerEndpoint, no vpcConfiguration): ${CLOUD_PROVIDER_TYPES.map((type) => `\`${type}\``).join(', ')}; the request goes straight to the connection and its handshake. ` +
          '`AzureDevOps` connections are always made through CodeConnections (`arn:aws:codeconnections:` ARNs), the only API that has it; the others through CodeStar Connections. ' +
          'fullRepositoryId: owner/repository for GitHub and GHES, workspace/repository for Bitbucket, group/project (subgroups allowed) for GitLab, organization/project/repository for Azure DevOps.',
      }),
    accountId: accountIdSchema.optional().meta({
      description: "The AWS account to provision in. Leave out for the broker's own; any other must be registered (GET /v1/accounts) and, unless you are an admin, your team's (else 403).",
      examples: ['222222222222'],
    }),
    region: regionSchema.optional().meta({ description: "The Region for the host and the pipeline. Leave out for the broker's own.", examples: ['eu-west-1'] }),
    connectionStrategy: z
      .enum(['auto', 'shared', 'dedicated'], { error: 'Must be auto, shared or dedicated' })
      .default('auto')
      .meta({
        description:
          "In a spoke account: `shared` uses the hub's connection offered for this endpoint and the pipeline's organization (shared with AWS RAM: no host, no handshake); " +
          '`dedicated` makes its own host and connection; `auto` shares when a connection is offered, else dedicated.',
      }),
    connectionName: z
      .string()
      .min(1, { error: 'Connection name must not be empty', abort: true })
      .max(MAX_CONNECTION_NAME_LENGTH, { error: (issue) => `Connection name must be at most ${MAX_CONNECTION_NAME_LENGTH} characters (it has ${inputOf(issue).length})`, abort: true })
      .regex(CONNECTION_NAME, {
        error: (issue) => {
          const check = checkConnectionName(issue.input);
          return check.valid ? 'Not a valid connection name' : check.reason;
        },
      })
      .optional()
      .meta({ description: 'Leave out to get a deterministic, readable name.' }),
    vpcConfiguration: z
      .strictObject({ ...vpcFields, tlsCertificate: tlsCertificateSchema.optional() })
      .optional()
      .meta({ description: 'A host in a VPC.' }),
    pipeline: pipelineSchema
      // `trigger: true` means: start on pushes to the attached branch; false means no trigger.
      .transform(({ trigger, ...pipeline }): PipelineTarget =>
        trigger === undefined || trigger === false ? pipeline : { ...pipeline, trigger: trigger === true ? triggerFiltersSchema.parse(branchPushFilters(pipeline.branchName)) : trigger },
      )
      .optional(),
    gitSync: gitSyncTargetSchema.optional(),
    tags: z
      .union([tagListSchema, tagRecordSchema], {
        error: 'Must be an object of tag keys to values, or a list of { "key": ..., "value": ... }',
      })
      .optional()
      .meta({
        description:
          `Tags for the connection: an object or a list, at most ${MAX_REQUEST_TAGS}; keys 1–128 characters, not starting with "aws:", values up to 256. ` +
          'Leave it out rather than send an empty list.',
      }),
  })
    .superRefine(checkRepositoryIdForProvider)
    .superRefine(checkProviderFields)
    .superRefine(checkGitSync)
    .transform(withProviderEndpoint)
    .meta({
      // What checkRepositoryIdForProvider and checkProviderFields check, said as JSON Schema.
      allOf: [
        {
          if: { properties: { providerType: { enum: ['GitLabSelfManaged', 'GitLab'] } }, required: ['providerType'] },
          then: { properties: { pipeline: { properties: { fullRepositoryId: { pattern: GITLAB_PROJECT_PATH.source } } } } },
          else: {
            if: { properties: { providerType: { const: 'AzureDevOps' } }, required: ['providerType'] },
            else: { properties: { pipeline: { properties: { fullRepositoryId: { pattern: FULL_REPOSITORY_ID.source } } } } },
          },
        },
        {
          if: { properties: { providerType: { enum: [...CLOUD_PROVIDER_TYPES] } }, required: ['providerType'] },
          then: {
            not: {
              anyOf: [
                { properties: { providerEndpoint: { type: 'string' } }, required: ['providerEndpoint'] },
                { properties: { vpcConfiguration: { type: 'object' } }, required: ['vpcConfiguration'] },
              ],
            },
          },
          else: { properties: { providerEndpoint: { type: 'string' } }, required: ['providerEndpoint'] },
        },
      ],
    });
}

const REQUEST_DESCRIPTION = 'The body of POST /v1/connection-requests. Unknown fields are refused at every level; every refusal names its field path.';

/** The schema of a connection request (TLS certificate dates not checked; see {@link parseConnectionRequest}). */
export const connectionRequestSchema = buildSchema(undefined).meta({
  description: REQUEST_DESCRIPTION,
  examples: [
    {
      providerEndpoint: 'https://ghe.example.com',
      connectionName: 'ghe-payments',
      pipeline: { name: 'payments', fullRepositoryId: 'acme/payments', branchName: 'main', trigger: true },
      tags: { team: 'payments' },
    },
  ],
});

/** A valid, normalised connection request. */
export type ConnectionRequest = z.output<typeof connectionRequestSchema>;
/** A connection request as a client sends it (before defaults and normalisation). */
export type ConnectionRequestInput = z.input<typeof connectionRequestSchema>;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** Messages for the issues that no schema above words itself (wrong types, missing fields). */
const messageFor: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'Required';
    return `Must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string') {
    return issue.minimum === 1 ? 'Must not be empty' : `Must be at least ${issue.minimum} characters`;
  }
  if (issue.code === 'too_big' && issue.origin === 'string') return `Must be at most ${issue.maximum} characters`;
  return undefined;
};

function joinPath(path: readonly PropertyKey[]): string {
  return path.map((segment) => String(segment)).join('.');
}

/** The fields the schema allows for the object at `path` (read from the schema itself), to name them in "unknown field" messages. */
function allowedFields(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return allowedFields(def.innerType, path);
    case 'pipe':
      return allowedFields(def.in, path);
    case 'union':
      return [...new Set(def.options.flatMap((option) => allowedFields(option, path)))];
    case 'array':
      return typeof path[0] === 'number' ? allowedFields(def.element, path.slice(1)) : [];
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape);
      const next = typeof path[0] === 'string' && Object.hasOwn(def.shape, path[0]) ? def.shape[path[0]] : undefined;
      return next === undefined ? [] : allowedFields(next, path.slice(1));
    }
    default:
      return [];
  }
}

/** Turns zod issues into flat {@link RequestProblem}s, resolving unions and unknown keys. */
function toProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): RequestProblem[] {
  return issues.flatMap((issue): RequestProblem[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedFields(connectionRequestSchema, path);
        const hint = allowed.length === 0 ? '' : ` (allowed fields: ${allowed.join(', ')})`;
        return issue.keys.map((key) => ({ path: joinPath([...path, key]), message: `Unknown field "${key}"${hint}` }));
      }
      case 'invalid_key':
        // A bad key in a record (tags): report it at the key, with the key schema's message.
        return toProblems(issue.issues, path).map((problem) => ({ ...problem, path: joinPath(path) }));
      case 'invalid_union': {
        // Pick the alternative the client evidently meant: the one that failed on content rather
        // than on the type of the value itself (a list of tags versus an object of tags).
        const meant = issue.errors.filter(
          (branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0),
        );
        if (meant.length === 1 && meant[0] !== undefined) return toProblems(meant[0], path);
        return [{ path: joinPath(path), message: issue.message }];
      }
      case 'invalid_type':
        if (path.length === 0) return [{ path: '', message: 'Request body must be a JSON object' }];
        return [{ path: joinPath(path), message: issue.message }];
      default:
        return [{ path: joinPath(path), message: issue.message }];
    }
  });
}

/**
 * Validates and normalises a `POST /v1/connection-requests` body.
 *
 * @param body - the JSON-parsed request body (anything).
 * @param options - pass `now` to also require a currently valid TLS certificate.
 * @returns the normalised request, or every problem found with its dotted path.
 */
export function parseConnectionRequest(body: unknown, options: ParseConnectionRequestOptions = {}): ParseConnectionRequestResult {
  const schema = options.now === undefined ? connectionRequestSchema : buildSchema(options.now);
  const result = schema.safeParse(body, { error: messageFor });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, details: toProblems(result.error.issues, []) };
}
