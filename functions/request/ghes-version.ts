/**
 * Reads the GHES version from its `GET /api/v3/meta` answer and decides whether CodeStar
 * Connections can work with it.
 *
 * The only documented incompatibility is 2.22.0: "AWS CodeStar Connections does not support GitHub
 * Enterprise Server version 2.22.0 due to a known issue in the release. To connect, upgrade to
 * version 2.22.1 or the latest available version." (aws-api-facts §7). We do not invent a minimum
 * version beyond that. Pre-release or build-suffixed 2.22.0 builds (`2.22.0-rc1`) are treated as
 * 2.22.0, since the known issue is in that release line.
 *
 * GitHub.com's `/meta` has no `installed_version`, and proxies or login pages may answer with
 * something else entirely; those give `supported: 'unknown'` so the caller can decide (warn and
 * continue, typically) instead of blocking on a check that could not be made.
 */

import { UnsupportedGhesVersionError } from './input-errors.ts';

/** A parsed GHES version. */
export interface GhesVersion {
  major: number;
  minor: number;
  patch: number;
  /** Whatever followed `major.minor.patch` (`-rc1`, `+build.5`), or `''`. */
  suffix: string;
}

/** The verdict on a GHES `/api/v3/meta` answer. */
export type GhesVersionVerdict =
  | { supported: true; version: string }
  | { supported: false; version: string; reason: string }
  | { supported: 'unknown'; version: string | undefined; reason: string };

const UNSUPPORTED_2_22_0_REASON =
  'AWS CodeStar Connections does not support GitHub Enterprise Server version 2.22.0 due to a known issue; ' +
  'upgrade to 2.22.1 or later.';

/**
 * Parses `major.minor.patch` with an optional leading `v` and an optional `-pre`/`+build` suffix.
 * Returns undefined for anything else (including `2.22`, which does not say which patch release).
 */
export function parseGhesVersion(text: string): GhesVersion | undefined {
  const match = /^v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})([-+][0-9A-Za-z.+-]*)?$/u.exec(text.trim());
  if (match === null) return undefined;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    suffix: match[4] ?? '',
  };
}

/**
 * Decides whether CodeStar Connections supports the GHES that produced `metaJson`.
 *
 * @param metaJson - the parsed JSON body of `GET https://<ghes>/api/v3/meta`.
 * @returns `supported: true` with the version, `false` with the reason to show, or `'unknown'`
 *   when the answer carries no usable `installed_version`.
 */
export function evaluateGhesMeta(metaJson: unknown): GhesVersionVerdict {
  if (typeof metaJson !== 'object' || metaJson === null || Array.isArray(metaJson)) {
    return { supported: 'unknown', version: undefined, reason: 'The /api/v3/meta answer is not a JSON object.' };
  }
  const installed = (metaJson as Record<string, unknown>)['installed_version'];
  if (installed === undefined || installed === null) {
    return {
      supported: 'unknown',
      version: undefined,
      reason: 'The /api/v3/meta answer has no installed_version; this may not be a GitHub Enterprise Server.',
    };
  }
  if (typeof installed !== 'string') {
    return { supported: 'unknown', version: undefined, reason: 'installed_version in the /api/v3/meta answer is not a string.' };
  }
  const version = installed.trim();
  const parsed = parseGhesVersion(version);
  if (parsed === undefined) {
    return {
      supported: 'unknown',
      version,
      reason: `installed_version "${version.slice(0, 50)}" is not a major.minor.patch version.`,
    };
  }
  if (parsed.major === 2 && parsed.minor === 22 && parsed.patch === 0) {
    return { supported: false, version, reason: UNSUPPORTED_2_22_0_REASON };
  }
  return { supported: true, version };
}

/**
 * {@link evaluateGhesMeta} that throws on a known-unsupported version and passes `unknown` through.
 *
 * @throws UnsupportedGhesVersionError for 2.22.0.
 */
export function assertGhesVersionSupported(metaJson: unknown): GhesVersionVerdict {
  const verdict = evaluateGhesMeta(metaJson);
  if (verdict.supported === false) throw new UnsupportedGhesVersionError(verdict.version, verdict.reason);
  return verdict;
}
