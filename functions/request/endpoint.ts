/**
 * GitHub Enterprise Server endpoint handling: turn what a requester typed into the one canonical
 * URL we register as a CodeStar host's `ProviderEndpoint`, and decide whether the operator allows it.
 *
 * Why normalise at all: `CreateHost` has no idempotency token and AWS only matches hosts by URL in
 * the console, so our "reuse the existing host for this GHES" lookup (field notes §3.6) compares
 * canonical URLs. `https://GHE.example.com/`, `https://ghe.example.com:443` and
 * `https://ghe.example.com` must all be the same host.
 *
 * Rules (each rejection throws {@link InvalidProviderEndpointError} with a message saying why):
 * - scheme: `https://` only (CodeStar talks to GHES over TLS; a plain-HTTP GHES cannot be set up);
 * - no user name or password in the URL (they would end up in AWS resources and logs);
 * - host: lower-cased, a single trailing dot dropped; must be a fully qualified DNS name (at least
 *   two labels of letters, digits and hyphens) or an IP address literal;
 * - IP literals are allowed because a GHES inside a VPC is sometimes addressed by its private IP,
 *   but loopback, "this network", link-local (which includes the EC2 instance metadata service),
 *   multicast and reserved addresses are refused, as are `localhost` and `*.localhost`: none can be a
 *   GHES reachable from AWS, and our own Lambdas fetch `/api/v3/meta` from this URL, so these
 *   would be server-side request forgery targets;
 * - port: the default 443 is dropped, any other port is kept;
 * - port: 0 is refused (no server listens there);
 * - host labels in punycode (`xn--`) must be valid A-labels;
 * - path: kept as a prefix (GHES behind a path-routing proxy) without trailing slashes; but GHES's
 *   API path (`/api/...`, or a prefix ending in `/api/v3`) is refused: the URL is the server's root;
 * - query and fragment: dropped (they carry no meaning for a host and would split one GHES into many);
 * - at most 512 characters after normalisation (the `ProviderEndpoint` limit).
 */

import { domainToASCII, domainToUnicode } from 'node:url';
import { InvalidProviderEndpointError, ProviderEndpointNotAllowedError } from './input-errors.ts';

/** A canonical GHES endpoint. */
export interface NormalisedEndpoint {
  /** The canonical URL, e.g. `https://ghe.example.com`, `https://ghe.example.com:8443/github`. */
  readonly url: string;
  /**
   * The lower-case host name without port (`ghe.example.com`), or the IP literal (`10.0.0.5`,
   * `[fd00::5]` with brackets for IPv6). This is what allow-lists and names are derived from.
   */
  readonly host: string;
  /** The port when it is not the default 443, otherwise `undefined`. */
  readonly port: number | undefined;
  /** The path prefix without trailing slash (`/github`), or `''` when there is none. */
  readonly pathPrefix: string;
  /** True when {@link host} is an IPv4 or IPv6 literal rather than a DNS name. */
  readonly isIpAddress: boolean;
}

/** `ProviderEndpoint` (the model's `Url` shape) is limited to 512 characters. */
export const MAX_PROVIDER_ENDPOINT_LENGTH = 512;

// Anything longer cannot normalise to ≤ 512 characters in any sensible way; refusing early keeps
// pathological inputs away from the URL parser and out of error messages.
const MAX_RAW_INPUT_LENGTH = 4096;

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalises a GHES URL into its canonical form.
 *
 * @param input - what the requester sent, e.g. `" https://GHE.Example.com:443/ "`.
 * @returns the canonical endpoint; normalising its `url` again returns the same value.
 * @throws InvalidProviderEndpointError when the URL cannot be a GHES host endpoint; the message says why.
 */
export function normaliseProviderEndpoint(input: string): NormalisedEndpoint {
  const reject = (reason: string): never => {
    throw new InvalidProviderEndpointError(String(input).slice(0, 200), `Invalid GitHub Enterprise Server URL: ${reason}`);
  };

  if (typeof input !== 'string') return reject('expected a string.');
  const trimmed = input.trim();
  if (trimmed === '') return reject('the URL is empty.');
  if (trimmed.length > MAX_RAW_INPUT_LENGTH) return reject(`the URL is longer than ${MAX_RAW_INPUT_LENGTH} characters.`);
  // The WHATWG parser silently deletes tabs and newlines inside URLs and treats "\" as "/", so
  // "https://ghe.exa\nmple.com" would become a different, valid-looking host. Refuse instead.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\s\u0000-\u001f\u007f\\]/u.test(trimmed)) {
    return reject('it contains whitespace, control characters or backslashes.');
  }
  // Require "<scheme>://": the parser also accepts "https:ghe.example.com" and "https:/ghe.example.com",
  // and "ghe.example.com:8443" would otherwise read as a URL with the scheme "ghe.example.com".
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//iu.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return reject('it must start with https:// (for example https://ghe.example.com).');
  if (scheme !== 'https') return reject(`only https:// is supported, not ${scheme}://.`);

  // Look for userinfo in the raw authority: the parser drops an empty one ("https://@host") without trace.
  const authority = trimmed.slice('https://'.length).split(/[/?#]/u, 1)[0] ?? '';
  if (authority.includes('@')) return reject('it must not contain a user name or password.');
  if (authority === '') return reject('it has no host name.');

  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch (error) {
    throw new InvalidProviderEndpointError(input.slice(0, 200), 'Invalid GitHub Enterprise Server URL: it is not a valid URL.', {
      cause: error,
    });
  }

  const { host, isIpAddress } = canonicalHost(parsed.hostname, reject);
  // The parser already turns ":443" into "" for https; any remaining port is meaningful.
  const port = parsed.port === '' ? undefined : Number(parsed.port);
  if (port === 0) return reject('port 0 is not a port a server can listen on (use 1–65535, or leave it out for 443).');
  const pathPrefix = parsed.pathname.replace(/\/+$/u, '');
  // A pasted API URL (".../api/v3") would become a second host, probed at /api/v3/api/v3/meta.
  if (isApiPath(pathPrefix)) {
    const root = `https://${host}${port === undefined ? '' : `:${port}`}`;
    return reject(`${pathPrefix} is the server's API path, not its address: use the server's root URL (${root}).`);
  }
  const url = `https://${host}${port === undefined ? '' : `:${port}`}${pathPrefix}`;
  if (url.length > MAX_PROVIDER_ENDPOINT_LENGTH) {
    return reject(`the normalised URL is longer than ${MAX_PROVIDER_ENDPOINT_LENGTH} characters.`);
  }
  return { url, host, port, pathPrefix, isIpAddress };
}

function canonicalHost(parserHostname: string, reject: (reason: string) => never): { host: string; isIpAddress: boolean } {
  // The parser lower-cases, punycode-encodes and canonicalises IP literals ("0x7f.1" → "127.0.0.1").
  const host = parserHostname.endsWith('.') ? parserHostname.slice(0, -1) : parserHostname;
  if (host === '') return reject('it has no host name.');

  if (host.startsWith('[')) {
    const problem = ipv6Problem(host.slice(1, -1));
    if (problem !== undefined) return reject(`${host} is ${problem} and cannot be a GitHub Enterprise Server reachable from AWS.`);
    return { host, isIpAddress: true };
  }
  if (isIpv4(host)) {
    const problem = ipv4Problem(host);
    if (problem !== undefined) return reject(`${host} is ${problem} and cannot be a GitHub Enterprise Server reachable from AWS.`);
    return { host, isIpAddress: true };
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return reject(`${host} is a loopback name and cannot be a GitHub Enterprise Server reachable from AWS.`);
  }
  if (host.length > 253) return reject('the host name is longer than 253 characters.');
  const labels = host.split('.');
  if (labels.length < 2) {
    return reject(`"${host}" is not a fully qualified domain name (for example ghe.example.com).`);
  }
  if (!labels.every((label) => DNS_LABEL.test(label))) {
    return reject(`"${host}" is not a valid host name (letters, digits and hyphens separated by dots).`);
  }
  const badPunycode = labels.find((label) => label.startsWith('xn--') && !isValidALabel(label));
  if (badPunycode !== undefined) {
    return reject(`"${badPunycode}" is not valid punycode for an internationalised host name label.`);
  }
  return { host, isIpAddress: false };
}

/**
 * Whether a path is (or starts with) GitHub Enterprise Server's or GitLab's REST API path rather
 * than a proxy prefix: `/api`, `/api/v3/...`, or a prefix ending in the API path (`/github/api/v3`,
 * GitLab under a relative URL root: `/gitlab/api/v4`).
 */
function isApiPath(pathPrefix: string): boolean {
  return /^\/api(?:\/|$)/iu.test(pathPrefix) || /\/api\/v[34](?:\/|$)/iu.test(pathPrefix);
}

/**
 * Whether an `xn--` label is a valid A-label: it decodes, the decoded label is not plain ASCII, it
 * encodes back to the same label, and it holds only letters, combining marks, digits and hyphens
 * (IDNA2008 disallows symbols and punctuation, e.g. `xn--gh-xxx` decodes to "gh♃").
 */
function isValidALabel(label: string): boolean {
  const unicode = domainToUnicode(label);
  // Stryker disable next-line all: defence in depth; the URL parser already refuses an xn-- label that decodes to nothing or to ASCII
  if (unicode === '' || unicode === label || [...unicode].every((char) => char.charCodeAt(0) < 0x80)) return false;
  if (domainToASCII(unicode) !== label) return false;
  return /^[\p{L}\p{M}\p{Nd}-]+$/u.test(unicode.normalize('NFC'));
}

function isIpv4(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/u.test(host);
}

function ipv4Octets(address: string): number[] {
  return address.split('.').map(Number);
}

/** Why an IPv4 address cannot be a GHES endpoint, or undefined when it can. */
function ipv4Problem(address: string): string | undefined {
  const [a = 0, b = 0] = ipv4Octets(address);
  if (a === 0) return 'a "this network" address';
  if (a === 127) return 'a loopback address';
  if (a === 169 && b === 254) return 'a link-local address (this includes the instance metadata service)';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved or broadcast address';
  return undefined;
}

/** Expands a canonical (WHATWG-serialised, so hex-only) IPv6 address into its eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const headGroups = parse(head);
  if (tail === undefined) return headGroups;
  const tailGroups = parse(tail);
  return [...headGroups, ...new Array<number>(8 - headGroups.length - tailGroups.length).fill(0), ...tailGroups];
}

/** Why an IPv6 address cannot be a GHES endpoint, or undefined when it can. */
function ipv6Problem(address: string): string | undefined {
  const groups = ipv6Groups(address);
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = groups;
  const allZeroBefore = (count: number): boolean => groups.slice(0, count).every((group) => group === 0);
  if (allZeroBefore(8)) return 'the unspecified address';
  if (allZeroBefore(7) && g7 === 1) return 'a loopback address';
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((g0 & 0xff00) === 0xff00) return 'a multicast address';
  // fd00:ec2::254 is the IPv6 address of the EC2 instance metadata service.
  if (address === 'fd00:ec2::254') return 'the instance metadata service address';
  if (allZeroBefore(5) && g5 === 0xffff) {
    // An IPv4-mapped address (::ffff:a.b.c.d) reaches the IPv4 address inside it.
    return ipv4Problem(`${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`);
  }
  return undefined;
}

/** One parsed allow-list entry. */
type AllowListRule = { kind: 'exact'; host: string } | { kind: 'wildcard'; suffix: string };

/**
 * Parses an allow-list entry: an exact host (`ghe.example.com`, `10.0.0.5`, `fd00::5` or `[fd00::5]`)
 * or a wildcard `*.example.com`. Returns undefined for anything else (URLs, ports, bare `*`, `*.com`).
 */
function parseAllowListEntry(entry: string): AllowListRule | undefined {
  const cleaned = entry.trim().toLowerCase().replace(/\.$/u, '');
  if (cleaned.startsWith('*.')) {
    const suffix = cleaned.slice(2);
    // At least two labels after "*." so that "*.com" cannot allow a whole top-level domain.
    const labels = suffix.split('.');
    if (labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) return undefined;
    return { kind: 'wildcard', suffix };
  }
  if (cleaned === '' || /[*/@?#\s]/u.test(cleaned)) return undefined;
  const bracketed = cleaned.includes(':') && !cleaned.startsWith('[') ? `[${cleaned}]` : cleaned;
  try {
    const probe = new URL(`https://${bracketed}/`);
    // A port in the entry ("ghe.example.com:8443") is not a host: refuse rather than guess.
    if (probe.port !== '' || probe.hostname === '') return undefined;
    const host = probe.hostname.replace(/\.$/u, '');
    const isIp = host.startsWith('[') || isIpv4(host);
    if (!isIp && !host.split('.').every((label) => DNS_LABEL.test(label))) return undefined;
    if (!isIp && host.split('.').length < 2) return undefined;
    return { kind: 'exact', host };
  } catch {
    return undefined;
  }
}

function ruleMatches(rule: AllowListRule, endpoint: NormalisedEndpoint): boolean {
  if (rule.kind === 'exact') return rule.host === endpoint.host;
  if (endpoint.isIpAddress || !endpoint.host.endsWith(`.${rule.suffix}`)) return false;
  // Exactly one extra label, as in TLS wildcard certificates (RFC 6125): "*.example.com" allows
  // "ghe.example.com" but neither "example.com" nor "a.ghe.example.com", so delegating a
  // sub-zone to another team does not silently widen the allow-list.
  const extra = endpoint.host.slice(0, -(rule.suffix.length + 1));
  return extra !== '' && !extra.includes('.');
}

/**
 * Entries of an allow-list that can never match anything (typos such as `https://ghe.example.com`,
 * `ghe.example.com:8443`, `*`, `*.com`). Call it when loading configuration so mistakes fail loudly
 * instead of silently denying every request.
 */
export function findInvalidAllowListEntries(allowList: readonly string[]): string[] {
  return allowList.filter((entry) => parseAllowListEntry(entry) === undefined);
}

/**
 * Whether a GHES URL may be used under the operator's allow-list.
 *
 * Entries are exact hosts (`ghe.example.com`, IP literals) or one-label wildcards
 * (`*.example.com` matches `ghe.example.com`, not `example.com` nor `a.b.example.com`); comparison
 * ignores case and a trailing dot. The port and path of the URL are not considered: the operator
 * trusts a host, not a port. An empty list allows nothing (fail closed); an invalid URL or an
 * invalid entry never matches.
 *
 * @param url - the GHES URL, raw or already normalised.
 * @param allowList - the operator's entries.
 */
export function isEndpointAllowed(url: string, allowList: readonly string[]): boolean {
  let endpoint: NormalisedEndpoint;
  try {
    endpoint = normaliseProviderEndpoint(url);
  } catch {
    return false;
  }
  return allowList.some((entry) => {
    const rule = parseAllowListEntry(entry);
    return rule !== undefined && ruleMatches(rule, endpoint);
  });
}

/**
 * Normalises `url` and checks it against the allow-list in one step.
 *
 * @throws InvalidProviderEndpointError when the URL is invalid.
 * @throws ProviderEndpointNotAllowedError when the host is not on the allow-list.
 */
export function assertEndpointAllowed(url: string, allowList: readonly string[]): NormalisedEndpoint {
  const endpoint = normaliseProviderEndpoint(url);
  if (!isEndpointAllowed(endpoint.url, allowList)) {
    throw new ProviderEndpointNotAllowedError(
      endpoint.host,
      `GitHub Enterprise Server host ${endpoint.host} is not on this service's allow-list; ask the platform team to add it.`,
    );
  }
  return endpoint;
}
