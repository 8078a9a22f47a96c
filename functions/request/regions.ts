/**
 * Where GitHub Enterprise Server (and GitLab self-managed) connections can be created.
 *
 * Source: the CodePipeline action reference for `CodeStarSourceConnection` (aws-api-facts §7). It
 * lists the Regions where the feature is *not* available and says Europe (Milan) "has
 * considerations" (an opt-in Region with its own GitHub App). The China Regions do not offer
 * connections (docs.amazonaws.cn). The current reference gives one list for every provider of the
 * action (GitHub Enterprise Server and GitLab self-managed among them), so it serves both; only
 * the words name the provider.
 *
 * Decision: we answer from two explicit lists and treat every other Region as `unknown` rather
 * than guessing. A Region launched after the documentation (for example ca-west-1 or
 * mx-central-1) is neither confirmed nor excluded; {@link assertGhesRegionSupported} refuses it
 * unless the operator opts in with `allowUnknownRegions`, because finding out from a failing
 * `CreateHost` halfway through a workflow is worse than a clear refusal up front.
 */

import { UnsupportedRegionError } from './input-errors.ts';

/** Regions where GHES connections are documented as not available, with their display names. */
export const GHES_UNAVAILABLE_REGIONS: Readonly<Record<string, string>> = Object.freeze({
  'ap-east-1': 'Asia Pacific (Hong Kong)',
  'ap-south-2': 'Asia Pacific (Hyderabad)',
  'ap-southeast-3': 'Asia Pacific (Jakarta)',
  'ap-southeast-4': 'Asia Pacific (Melbourne)',
  'ap-northeast-3': 'Asia Pacific (Osaka)',
  'af-south-1': 'Africa (Cape Town)',
  'me-south-1': 'Middle East (Bahrain)',
  'me-central-1': 'Middle East (UAE)',
  'eu-south-2': 'Europe (Spain)',
  'eu-central-2': 'Europe (Zurich)',
  'il-central-1': 'Israel (Tel Aviv)',
  'us-gov-west-1': 'AWS GovCloud (US-West)',
  'cn-north-1': 'China (Beijing)',
  'cn-northwest-1': 'China (Ningxia)',
});

/**
 * Regions where GHES connections are available: the Regions that existed when the exclusion list
 * was written and are not on it.
 */
export const GHES_AVAILABLE_REGIONS: Readonly<Record<string, string>> = Object.freeze({
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'sa-east-1': 'South America (São Paulo)',
  'eu-west-1': 'Europe (Ireland)',
  'eu-west-2': 'Europe (London)',
  'eu-west-3': 'Europe (Paris)',
  'eu-central-1': 'Europe (Frankfurt)',
  'eu-north-1': 'Europe (Stockholm)',
  'eu-south-1': 'Europe (Milan)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-northeast-2': 'Asia Pacific (Seoul)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
});

/** Europe (Milan): available, but it is an opt-in Region with its own GitHub App. */
const MILAN = 'eu-south-1';
const MILAN_WARNING =
  'Europe (Milan) is an opt-in Region: it must be enabled for the account, and the GitHub App used by ' +
  'connections there is a separate, Region-specific app that the GHES and organization admins must install.';
/** Milan for a provider without a GitHub App: only the opt-in applies. */
const MILAN_OPT_IN_WARNING = 'Europe (Milan) is an opt-in Region: it must be enabled for the account.';
const GHES = 'GitHub Enterprise Server';

const REGION_CODE = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/u;

/** What we know about GHES connections in a Region. */
export type GhesRegionSupport =
  | { status: 'available'; region: string; displayName: string; warning?: undefined }
  | { status: 'available-with-considerations'; region: string; displayName: string; warning: string }
  | { status: 'unavailable'; region: string; displayName: string; reason: string }
  | { status: 'unknown'; region: string; reason: string };

/**
 * Looks a Region up in the documented lists.
 *
 * @param region - a Region code such as `eu-west-1` (case-insensitive, surrounding spaces ignored).
 * @param providerName - how the reasons name the provider (`GitLab self-managed`); GHES by default.
 */
export function describeGhesRegionSupport(region: string, providerName: string = GHES): GhesRegionSupport {
  const code = String(region).trim().toLowerCase();
  if (!REGION_CODE.test(code)) {
    return { status: 'unknown', region: code, reason: `"${region}" is not an AWS Region code (such as eu-west-1).` };
  }
  const unavailable = GHES_UNAVAILABLE_REGIONS[code];
  if (unavailable !== undefined) {
    return {
      status: 'unavailable',
      region: code,
      displayName: unavailable,
      reason: `${providerName} connections are not available in ${unavailable} (${code}).`,
    };
  }
  const available = GHES_AVAILABLE_REGIONS[code];
  if (available === undefined) {
    return {
      status: 'unknown',
      region: code,
      reason: `${code} is not a Region where ${providerName} connections are documented as available.`,
    };
  }
  if (code === MILAN) {
    return { status: 'available-with-considerations', region: code, displayName: available, warning: providerName === GHES ? MILAN_WARNING : MILAN_OPT_IN_WARNING };
  }
  return { status: 'available', region: code, displayName: available };
}

/** True when GHES connections are documented as available in the Region (Milan included). */
export function isGhesConnectionRegion(region: string): boolean {
  const { status } = describeGhesRegionSupport(region);
  return status === 'available' || status === 'available-with-considerations';
}

/** Options of {@link assertGhesRegionSupported}. */
export interface AssertGhesRegionOptions {
  /** Accept Regions that are in neither documented list (newer Regions). Default false. */
  allowUnknownRegions?: boolean;
  /** How refusals and warnings name the provider (`GitLab self-managed`); GHES by default. */
  providerName?: string;
}

/** A supported Region, with a warning to show the requester when there are considerations. */
export interface SupportedGhesRegion {
  region: string;
  warning: string | undefined;
}

/**
 * Refuses Regions where GHES connections are not (known to be) available.
 *
 * @returns the normalised Region code and, for Milan, a warning to pass on to the requester.
 * @throws UnsupportedRegionError when unavailable, or unknown without `allowUnknownRegions`.
 */
export function assertGhesRegionSupported(region: string, options: AssertGhesRegionOptions = {}): SupportedGhesRegion {
  const providerName = options.providerName ?? GHES;
  const support = describeGhesRegionSupport(region, providerName);
  switch (support.status) {
    case 'available':
      return { region: support.region, warning: undefined };
    case 'available-with-considerations':
      return { region: support.region, warning: support.warning };
    case 'unavailable':
      throw new UnsupportedRegionError(support.region, support.reason);
    case 'unknown':
      if (options.allowUnknownRegions === true && REGION_CODE.test(support.region)) {
        return {
          region: support.region,
          warning: `${support.region} is not in the documented list of Regions for ${providerName} connections; creating the host may fail.`,
        };
      }
      throw new UnsupportedRegionError(support.region, support.reason);
  }
}
