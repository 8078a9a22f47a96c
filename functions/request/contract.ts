/**
 * The body of `POST /v1/connection-requests`: its schema, and a parser that reports every problem
 * at once with a dotted path (`vpcConfiguration.subnetIds.2`) and a plain-English message, so the
 * API can answer `400 { error: { details: [{ path, message }] } }` that a requester can act on.
 *
 * Constraints mirror the CodeStar Connections and CodePipeline models (aws-api-facts §3.3, §4.3)
 * so a request we accept is not refused by AWS halfway through the workflow, plus a few checks AWS
 * leaves to run time (the URL is a usable GHES endpoint, the TLS certificate parses). Unknown
 * fields are rejected, at every level, so a typo (`subnetID`) is an error rather than silently
 * ignored.
 *
 * The parsed value is normalised: `providerEndpoint` is the canonical URL
 * ({@link normaliseProviderEndpoint}), `pipeline.outputArtifactFormat` and `pipeline.detectChanges`
 * have their defaults, and `tags` is always an object of key → value whichever form was sent (the
 * list form cannot repeat a key, so nothing is lost; AWS's `[{ Key, Value }]` is one map away).
 */

import { z } from 'zod';
import { branchPushFilters, type TriggerFilters } from '../attach/triggers.ts';
import { normaliseProviderEndpoint } from './endpoint.ts';
import { isCoreError } from './input-errors.ts';
import { checkConnectionName } from '../connection/naming.ts';
import { parseTlsCertificate, parseTlsCertificateIgnoringDates } from './tls-certificate.ts';

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

/** Reports every repeated value of a list at its index. */
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
  .refine((key) => !key.toLowerCase().startsWith('aws:'), { error: 'Tag keys starting with "aws:" are reserved by AWS' })
  .refine((key) => key !== PROTO_KEY, { error: PROTO_KEY_MESSAGE });
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
  .transform((tags): Record<string, string> => Object.fromEntries(tags.map(({ key, value }) => [key, value])));

const tagRecordSchema = z
  .preprocess((tags, ctx) => {
    if (typeof tags === 'object' && tags !== null && Object.hasOwn(tags, PROTO_KEY)) {
      ctx.addIssue({ code: 'custom', path: [PROTO_KEY], message: PROTO_KEY_MESSAGE });
    }
    return tags;
  }, z.record(tagKeySchema, tagValueSchema))
  .refine((tags) => Object.keys(tags).length <= MAX_REQUEST_TAGS, { error: `Must contain at most ${MAX_REQUEST_TAGS} tags` });

// Trigger filters mirror the CodePipeline model (aws-api-facts §4.3): 1..8 patterns of 1..255
// characters per list, at most 3 push and 3 pull-request filters, and what the model cannot say
// (a push filter uses tags, or branches with optional filePaths; a pull-request filter needs branches).
const GLOB_CHARACTERS = /[{}!]/u;
const patternListSchema = z
  .array(z.string().min(1, { error: 'Pattern must not be empty' }).max(255, { error: 'Pattern must be at most 255 characters' }))
  .min(1, { error: 'Must contain at least 1 pattern' })
  .max(8, { error: 'Must contain at most 8 patterns' });
const filterCriteriaSchema = z
  .strictObject({ includes: patternListSchema.optional(), excludes: patternListSchema.optional() })
  .refine((criteria) => criteria.includes !== undefined || criteria.excludes !== undefined, { error: 'Give includes, excludes or both' });
const pushFilterSchema = z
  .strictObject({ branches: filterCriteriaSchema.optional(), filePaths: filterCriteriaSchema.optional(), tags: filterCriteriaSchema.optional() })
  .superRefine((filter, ctx) => {
    if (filter.tags && (filter.branches || filter.filePaths)) {
      ctx.addIssue({ code: 'custom', message: 'A push filter uses either tags, or branches (optionally with filePaths)' });
    } else if (!filter.tags && !filter.branches) {
      ctx.addIssue({ code: 'custom', message: 'A push filter needs tags or branches' });
    }
  });
const pullRequestFilterSchema = z.strictObject({
  branches: filterCriteriaSchema,
  filePaths: filterCriteriaSchema.optional(),
  events: z
    .array(z.enum(['OPEN', 'UPDATED', 'CLOSED'], { error: 'Must be OPEN, UPDATED or CLOSED' }))
    .min(1, { error: 'Must contain at least 1 event' })
    .max(3, { error: 'Must contain at most 3 events' })
    .superRefine(rejectDuplicates('event'))
    .optional(),
});
const triggerSchema = z.union(
  [
    z.boolean(),
    z
      .strictObject({
        push: z.array(pushFilterSchema).min(1, { error: 'Must contain at least 1 push filter' }).max(3, { error: 'Must contain at most 3 push filters' }).optional(),
        pullRequest: z
          .array(pullRequestFilterSchema)
          .min(1, { error: 'Must contain at least 1 pull-request filter' })
          .max(3, { error: 'Must contain at most 3 pull-request filters' })
          .optional(),
      })
      .refine((trigger) => trigger.push !== undefined || trigger.pullRequest !== undefined, { error: 'Give push filters, pull-request filters or both' }),
  ],
  { error: 'Must be true, false, or an object of push and pullRequest filters' },
);

function buildSchema(now: Date | undefined) {
  const tlsCertificateSchema = z.string().superRefine((pem, ctx) => {
    try {
      if (now === undefined) parseTlsCertificateIgnoringDates(pem);
      else parseTlsCertificate(pem, now);
    } catch (error) {
      if (!isCoreError(error)) throw error;
      ctx.addIssue({ code: 'custom', message: problemOf(error) });
    }
  });

  const vpcConfigurationSchema = z.strictObject({
    vpcId: z.string().regex(VPC_ID, { error: 'Must be a VPC id such as vpc-0123456789abcdef0' }),
    subnetIds: z
      .array(z.string().regex(SUBNET_ID, { error: 'Must be a subnet id such as subnet-0123456789abcdef0' }))
      .min(1, { error: 'Must contain at least 1 subnet id' })
      .max(10, { error: 'Must contain at most 10 subnet ids' })
      .superRefine(rejectDuplicates('subnet id')),
    securityGroupIds: z
      .array(z.string().regex(SECURITY_GROUP_ID, { error: 'Must be a security group id such as sg-0123456789abcdef0' }))
      .min(1, { error: 'Must contain at least 1 security group id' })
      .max(10, { error: 'Must contain at most 10 security group ids' })
      .superRefine(rejectDuplicates('security group id')),
    tlsCertificate: tlsCertificateSchema.optional(),
  });

  const actionOrPipelineName = (what: string) =>
    z
      .string()
      .min(1, { error: `${what} must not be empty` })
      .max(100, { error: `${what} must be at most 100 characters` })
      .regex(PIPELINE_OR_ACTION_NAME, { error: `${what} may contain only letters, digits and . @ - _` });

  const pipelineSchema = z.strictObject({
    name: actionOrPipelineName('Pipeline name'),
    sourceActionName: actionOrPipelineName('Source action name').optional(),
    fullRepositoryId: z.string().superRefine((value, ctx) => {
      const problem = repositoryIdProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
    branchName: z
      .string()
      .min(1, { error: 'Branch name must not be empty' })
      .max(255, { error: 'Branch name must be at most 255 characters' })
      .superRefine((value, ctx) => {
        const problem = branchNameProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      }),
    outputArtifactFormat: z
      .enum(['CODE_ZIP', 'CODEBUILD_CLONE_REF'], { error: 'Must be CODE_ZIP or CODEBUILD_CLONE_REF' })
      .default('CODE_ZIP'),
    detectChanges: z.boolean({ error: 'Must be true or false' }).default(true),
    trigger: triggerSchema.optional(),
  });

  return z.strictObject({
    providerEndpoint: z.string().transform((value, ctx) => {
      try {
        return normaliseProviderEndpoint(value).url;
      } catch (error) {
        if (!isCoreError(error)) throw error;
        ctx.addIssue({ code: 'custom', message: problemOf(error) });
        return z.NEVER;
      }
    }),
    connectionName: z
      .string()
      .superRefine((name, ctx) => {
        const check = checkConnectionName(name);
        if (!check.valid) ctx.addIssue({ code: 'custom', message: check.reason });
      })
      .optional(),
    vpcConfiguration: vpcConfigurationSchema.optional(),
    pipeline: pipelineSchema
      .superRefine((pipeline, ctx) => {
        if (pipeline.trigger === true && GLOB_CHARACTERS.test(pipeline.branchName)) {
          ctx.addIssue({
            code: 'custom',
            path: ['trigger'],
            message: `Branch ${pipeline.branchName} contains glob characters ({ } !), which a trigger's branch filter would read as a pattern; give the filters explicitly`,
          });
        }
      })
      // `trigger: true` means: start on pushes to the attached branch; false means no trigger.
      .transform(({ trigger, ...pipeline }): typeof pipeline & { trigger?: TriggerFilters } =>
        trigger === undefined || trigger === false ? pipeline : { ...pipeline, trigger: trigger === true ? branchPushFilters(pipeline.branchName) : trigger },
      )
      .optional(),
    tags: z
      .union([tagListSchema, tagRecordSchema], {
        error: 'Must be an object of tag keys to values, or a list of { "key": ..., "value": ... }',
      })
      .optional(),
  });
}

/** The schema of a connection request (TLS certificate dates not checked; see {@link parseConnectionRequest}). */
export const connectionRequestSchema = buildSchema(undefined);

/** A valid, normalised connection request. */
export type ConnectionRequest = z.output<typeof connectionRequestSchema>;
/** A connection request as a client sends it (before defaults and normalisation). */
export type ConnectionRequestInput = z.input<typeof connectionRequestSchema>;

/** Fields allowed per object path (numeric segments as `*`), to name them in "unknown field" messages. */
const ALLOWED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  '': ['providerEndpoint', 'connectionName', 'vpcConfiguration', 'pipeline', 'tags'],
  vpcConfiguration: ['vpcId', 'subnetIds', 'securityGroupIds', 'tlsCertificate'],
  pipeline: ['name', 'sourceActionName', 'fullRepositoryId', 'branchName', 'outputArtifactFormat', 'detectChanges', 'trigger'],
  'pipeline.trigger': ['push', 'pullRequest'],
  'pipeline.trigger.push.*': ['branches', 'filePaths', 'tags'],
  'pipeline.trigger.pullRequest.*': ['branches', 'filePaths', 'events'],
  'tags.*': ['key', 'value'],
};

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

/** Turns zod issues into flat {@link RequestProblem}s, resolving unions and unknown keys. */
function toProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): RequestProblem[] {
  return issues.flatMap((issue): RequestProblem[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = ALLOWED_FIELDS[joinPath(path.map((segment) => (typeof segment === 'number' ? '*' : segment)))];
        const hint = allowed === undefined ? '' : ` (allowed fields: ${allowed.join(', ')})`;
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
