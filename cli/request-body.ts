/**
 * `connection-broker request`: the flags (and an optional JSON file) → the body of
 * `POST /v1/connection-requests` (functions/request/contract.ts, `connectionRequestSchema`).
 *
 * Pure. It only shapes the body: whether the values are valid is the API's to say (its 400 names
 * every field), so the CLI and the API never disagree. The problems reported here are the ones
 * only the command line can have: a `--tag` without `=`, the same tag key twice, a file that is
 * not a JSON object. Flags override the file's fields; inside `pipeline` and `vpcConfiguration`
 * field by field, and `--tag`s are added to the file's tags (a flag's value wins for its key).
 */

/** The request's flags as commander parses them (absent: not given). */
export interface RequestFlags {
  providerEndpoint?: string;
  providerType?: string;
  accountId?: string;
  region?: string;
  connectionStrategy?: string;
  connectionName?: string;
  vpcId?: string;
  /** Repeatable, each may also be comma-separated. */
  subnetId?: string[];
  securityGroupId?: string[];
  /** The PEM text itself (the command reads `--tls-certificate-file`). */
  tlsCertificate?: string;
  pipelineName?: string;
  /** `pipeline.sourceActionName`. */
  pipelineAction?: string;
  /** `pipeline.fullRepositoryId`. */
  repository?: string;
  branch?: string;
  outputArtifactFormat?: string;
  detectChanges?: boolean;
  /** `--trigger` (true) / `--no-trigger` (false); filters are given in the file. */
  trigger?: boolean;
  /** `key=value`, repeatable. */
  tag?: string[];
}

export type RequestBodyResult = { ok: true; body: Record<string, unknown> } | { ok: false; problems: string[] };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Drops the members whose value is undefined (flags not given). */
function defined(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** `a,b` `c` → `[a, b, c]`; undefined when the flag was not given. */
function idList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

/** `--tag k=v` flags → an object, or the problems with them. */
export function parseTags(tags: readonly string[] | undefined): { ok: true; tags: Record<string, string> | undefined } | { ok: false; problems: string[] } {
  if (tags === undefined || tags.length === 0) return { ok: true, tags: undefined };
  const problems: string[] = [];
  const parsed: Record<string, string> = {};
  for (const tag of tags) {
    const at = tag.indexOf('=');
    if (at <= 0) {
      problems.push(`--tag ${tag}: give key=value (the value may be empty: key=)`);
      continue;
    }
    const key = tag.slice(0, at);
    if (Object.hasOwn(parsed, key)) {
      problems.push(`--tag ${key} is given more than once`);
      continue;
    }
    Object.defineProperty(parsed, key, { value: tag.slice(at + 1), enumerable: true, writable: true, configurable: true });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, tags: parsed };
}

/** The file's tags as an object (either form of the contract), or undefined when they are neither form. */
function tagsObject(tags: unknown): Record<string, string> | undefined {
  if (isObject(tags)) return tags as Record<string, string>;
  if (Array.isArray(tags) && tags.every((tag) => isObject(tag) && typeof tag.key === 'string' && Object.keys(tag).every((key) => key === 'key' || key === 'value'))) {
    return Object.fromEntries((tags as { key: string; value?: unknown }[]).map(({ key, value }) => [key, value])) as Record<string, string>;
  }
  return undefined;
}

/** The flags' part of an object field merged over the file's (the file's dropped when it is not an object). */
function mergeObject(fromFile: unknown, fromFlags: JsonObject): unknown {
  if (Object.keys(fromFlags).length === 0) return fromFile;
  return { ...(isObject(fromFile) ? fromFile : {}), ...fromFlags };
}

/**
 * The request body from the flags, over the file's body when one was given.
 *
 * @param flags - what commander parsed.
 * @param file - the JSON-parsed `--file`, if any (anything: a non-object is a problem).
 */
export function requestBody(flags: RequestFlags, file?: unknown): RequestBodyResult {
  const problems: string[] = [];
  if (file !== undefined && !isObject(file)) problems.push('--file must hold one JSON object: the request body');
  const tags = parseTags(flags.tag);
  if (!tags.ok) problems.push(...tags.problems);
  if (problems.length > 0) return { ok: false, problems };

  const base: JsonObject = isObject(file) ? { ...file } : {};
  const body: JsonObject = {
    ...base,
    ...defined({
      providerEndpoint: flags.providerEndpoint,
      providerType: flags.providerType,
      accountId: flags.accountId,
      region: flags.region,
      connectionStrategy: flags.connectionStrategy,
      connectionName: flags.connectionName,
    }),
  };

  const vpc = mergeObject(
    base.vpcConfiguration,
    defined({
      vpcId: flags.vpcId,
      subnetIds: idList(flags.subnetId),
      securityGroupIds: idList(flags.securityGroupId),
      tlsCertificate: flags.tlsCertificate,
    }),
  );
  if (vpc !== undefined) body.vpcConfiguration = vpc;

  const pipeline = mergeObject(
    base.pipeline,
    defined({
      name: flags.pipelineName,
      sourceActionName: flags.pipelineAction,
      fullRepositoryId: flags.repository,
      branchName: flags.branch,
      outputArtifactFormat: flags.outputArtifactFormat,
      detectChanges: flags.detectChanges,
      trigger: flags.trigger,
    }),
  );
  if (pipeline !== undefined) body.pipeline = pipeline;

  if (tags.ok && tags.tags !== undefined) {
    const fileTags = tagsObject(base.tags);
    body.tags = fileTags === undefined ? tags.tags : { ...fileTags, ...tags.tags };
  }
  return { ok: true, body };
}
