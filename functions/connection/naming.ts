/**
 * Names for the CodeStar resources we create, and validation of names requesters choose.
 *
 * Scheme (all derived names use only `a-z`, `0-9` and `-`, so they are safe in Slack messages,
 * console URLs, log queries and IAM policy resource strings):
 *
 * - Connection: `<host label>-<owner>-<repo>-<6 hex>`, or `<host>-<6 hex>` without a repository,
 *   at most 32 characters (the CodeStar limit, not adjustable). When that is too long the owner is
 *   dropped (`<host label>-<repo>-<6 hex>`), then the readable part is truncated; the hash is over the host, the repository and the request id. Including the request id
 *   means a retried request (same id: the API's idempotency key) converges on the same name, while
 *   two distinct requests for the same repository never collide on the account-wide uniqueness of
 *   connection names; deciding to *reuse* a connection is a policy made by explicit lookup, not a
 *   side effect of a name clash.
 * - Host: `<host>[-<port>]-[<vpc id>-]<8 hex>`, at most 64 characters. The hash is over the
 *   normalised endpoint URL and the VPC id only (and the provider, for GitLab self-managed, so a
 *   GitLab host never takes the name of a GHES host for the same URL), so every request for the
 *   same GHES (and VPC) derives the same host name. `CreateHost` has no idempotency token; a deterministic name lets a
 *   retry after a lost response find the host it already created with `ListHosts`.
 */

import { createHash } from 'node:crypto';
import { normaliseProviderEndpoint } from '../request/endpoint.ts';
import { InvalidConnectionNameError, InvalidNamingInputError } from '../request/input-errors.ts';
import { DEFAULT_PROVIDER_TYPE, type ProviderType } from '../request/provider.ts';

/** CodeStar's limit on connection names (model and quota page; not adjustable). */
export const MAX_CONNECTION_NAME_LENGTH = 32;
/** CodeStar's limit on host names (`HostName`, 1..64). */
export const MAX_HOST_NAME_LENGTH = 64;

const CONNECTION_HASH_LENGTH = 6;
const HOST_HASH_LENGTH = 8;
// Keeps "<host label>" short enough that the repository, the part people recognise, stays visible.
const MAX_HOST_LABEL_IN_CONNECTION_NAME = 10;
const VPC_ID_PATTERN = /^vpc-\w{8}(\w{9})?$/u;

/** Inputs of {@link deriveConnectionName}. */
export interface ConnectionNameInput {
  /** The normalised GHES host (`NormalisedEndpoint.host`), e.g. `ghe.example.com`. */
  host: string;
  /** `owner/repo` (GitLab: `group/…/project`) when the connection is requested for a pipeline source action. */
  fullRepositoryId?: string | undefined;
  /** The request's stable id (idempotency key): the same id always yields the same name. */
  requestId: string;
}

/** Inputs of {@link deriveHostName}. */
export interface HostNameInput {
  /** The GHES URL, raw or normalised; equivalent spellings yield the same name. */
  providerEndpoint: string;
  /** The VPC the host is attached to, when it is a VPC host. */
  vpcId?: string | undefined;
  /** The host's provider; GHES when left out. */
  providerType?: ProviderType | undefined;
}

/** Result of {@link checkConnectionName}. */
export type ConnectionNameCheck = { valid: true } | { valid: false; reason: string };

/** Lower-case `a-z0-9` runs joined by single hyphens, no leading or trailing hyphen. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
}

/** Cuts `text` to `max` characters without leaving a dangling hyphen. */
function truncateSlug(text: string, max: number): string {
  return text.slice(0, Math.max(0, max)).replace(/-+$/u, '');
}

function shortHash(parts: readonly string[], length: number): string {
  // Parts are joined with a newline, which none of them can contain, so ("a", "bc") ≠ ("ab", "c").
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, length);
}

function canonicalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/u, '');
}

/**
 * Derives the connection name for a request: deterministic, at most 32 characters, `[a-z0-9-]`.
 *
 * @example deriveConnectionName({ host: 'ghe.example.com', fullRepositoryId: 'platform/payments-api', requestId: 'r-1' })
 *   // → 'ghe-platform-payments-api-<6 hex>'
 * @throws InvalidNamingInputError when `host` or `requestId` is empty.
 */
export function deriveConnectionName(input: ConnectionNameInput): string {
  const host = canonicalHost(input.host);
  const requestId = input.requestId.trim();
  if (host === '') throw new InvalidNamingInputError('deriveConnectionName needs a non-empty host.');
  if (requestId === '') throw new InvalidNamingInputError('deriveConnectionName needs a non-empty requestId.');
  // GitHub treats owner and repository names case-insensitively, so "Org/Repo" is "org/repo".
  const repository = input.fullRepositoryId?.trim().toLowerCase() ?? '';

  const hash = shortHash([host, repository, requestId], CONNECTION_HASH_LENGTH);
  const readableBudget = MAX_CONNECTION_NAME_LENGTH - CONNECTION_HASH_LENGTH - 1;
  // For a DNS name the first label ("ghe", "github") is the recognisable part; an IP has none.
  const isIp = /^[\d.]+$/u.test(host) || host.startsWith('[');
  const hostSlug = slug(isIp ? host : (host.split('.')[0] ?? host));

  let readable: string;
  if (repository === '') {
    readable = truncateSlug(slug(host), readableBudget);
  } else {
    const hostPart = truncateSlug(hostSlug, MAX_HOST_LABEL_IN_CONNECTION_NAME);
    // A GitLab project under subgroups: the groups together are its owner, the last part its name.
    const segments = repository.split('/');
    const name = segments.at(-1) ?? '';
    const owner = segments.slice(0, -1).join('/');
    const join = (...parts: string[]): string => parts.filter((part) => part !== '').join('-');
    const full = join(hostPart, slug(owner), slug(name));
    // When everything does not fit, the repository name is what people recognise: drop the owner first.
    readable = truncateSlug(full.length <= readableBudget ? full : join(hostPart, slug(name)), readableBudget);
  }
  return readable === '' ? `ghes-${hash}` : `${readable}-${hash}`;
}

/**
 * Derives the host name for a GHES endpoint (and VPC): deterministic, at most 64 characters, `[a-z0-9-]`.
 *
 * @example deriveHostName({ providerEndpoint: 'https://GHE.example.com/' }) // → 'ghe-example-com-<8 hex>'
 * @throws InvalidProviderEndpointError when the endpoint is invalid.
 * @throws InvalidNamingInputError when `vpcId` is not a VPC id.
 */
export function deriveHostName(input: HostNameInput): string {
  const endpoint = normaliseProviderEndpoint(input.providerEndpoint);
  const vpcId = input.vpcId?.trim() ?? '';
  if (vpcId !== '' && !VPC_ID_PATTERN.test(vpcId)) {
    throw new InvalidNamingInputError(`deriveHostName got "${vpcId}", which is not a VPC id (vpc-xxxxxxxx).`);
  }
  const providerType = input.providerType ?? DEFAULT_PROVIDER_TYPE;
  // GHES names stay what they always were; another provider's hash differs for the same URL.
  const hash = shortHash(providerType === DEFAULT_PROVIDER_TYPE ? [endpoint.url, vpcId] : [endpoint.url, vpcId, providerType], HOST_HASH_LENGTH);
  const suffix = vpcId === '' ? `-${hash}` : `-${vpcId}-${hash}`;
  const hostSlug = slug(endpoint.port === undefined ? endpoint.host : `${endpoint.host}-${endpoint.port}`);
  const readable = truncateSlug(hostSlug, MAX_HOST_NAME_LENGTH - suffix.length);
  return readable === '' ? `ghes${suffix}` : `${readable}${suffix}`;
}

/**
 * Checks a connection name a requester chose. CodeStar accepts any 1..32 characters; we also
 * refuse leading/trailing whitespace and control characters, which are invisible in the console
 * and in Slack and make two names look identical. Uniqueness within the account is checked
 * elsewhere (it needs `ListConnections`).
 *
 * Length is counted in UTF-16 code units, which is never less than the code-point count AWS may
 * use, so a name that passes here cannot be too long for AWS.
 */
export function checkConnectionName(name: unknown): ConnectionNameCheck {
  if (typeof name !== 'string') return { valid: false, reason: 'Connection name must be a string' };
  if (name.length === 0) return { valid: false, reason: 'Connection name must not be empty' };
  if (name.length > MAX_CONNECTION_NAME_LENGTH) {
    return {
      valid: false,
      reason: `Connection name must be at most ${MAX_CONNECTION_NAME_LENGTH} characters (it has ${name.length})`,
    };
  }
  if (name.trim() !== name) {
    return { valid: false, reason: 'Connection name must not start or end with whitespace' };
  }
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) {
    return { valid: false, reason: 'Connection name must not contain control characters (such as newlines or tabs)' };
  }
  return { valid: true };
}

/**
 * {@link checkConnectionName} that throws.
 *
 * @returns the name, unchanged.
 * @throws InvalidConnectionNameError with the reason.
 */
export function assertValidConnectionName(name: string): string {
  const check = checkConnectionName(name);
  if (!check.valid) throw new InvalidConnectionNameError(String(name).slice(0, 100), `${check.reason}.`);
  return name;
}

/** The key a connection name is held under: the name in the broker's own account, `<account>/<name>` in a spoke. */
export function nameReservationKey(connectionName: string, accountId: string | undefined): string {
  return accountId ? `${accountId}/${connectionName}` : connectionName;
}
