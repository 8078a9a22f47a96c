/**
 * The self-managed providers a request can connect to, and the words people read for each.
 *
 * Both have a CodeStar host (only self-managed providers do) that an administrator of the server
 * finishes with "Set up host", and a connection someone finishes with "Update pending connection";
 * who those people are, and what the console asks of them, differ:
 * - GitHub Enterprise Server: "Set up host" registers a GitHub App on the server (a site
 *   administrator); the handshake installs it on a GitHub organization (an organization owner).
 * - GitLab self-managed: "Set up host" takes a GitLab personal access token with the `api` and
 *   `admin_mode` scopes (an administrator); the handshake authorizes the connection with a GitLab
 *   account, which reaches only the projects that account owns (Developer Tools console guide,
 *   "Create a connection to GitLab self-managed").
 *
 * Every message, timeline line and next action that names a provider takes its words from
 * {@link providerWords}, so a GitLab request never says GitHub.
 */

/** The `ProviderType` values of CodeStar Connections that use a host (the cloud providers do not). */
export const PROVIDER_TYPES = ['GitHubEnterpriseServer', 'GitLabSelfManaged'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** What a request that names no provider connects to: what the broker served before GitLab. */
export const DEFAULT_PROVIDER_TYPE: ProviderType = 'GitHubEnterpriseServer';

/** The provider of a request (or of a host AWS describes); records made before GitLab was supported have none, and are GHES. */
export function providerTypeOf(subject: { providerType?: string | undefined }): ProviderType {
  return subject.providerType === 'GitLabSelfManaged' ? 'GitLabSelfManaged' : DEFAULT_PROVIDER_TYPE;
}

/** How people name a provider and the people who act for it. */
export interface ProviderWords {
  /** The product: `GitHub Enterprise Server`, `GitLab self-managed`. */
  product: string;
  /** Short, for who-fields and timeline lines: `GHES`, `GitLab`. */
  short: string;
  /** Who chooses "Set up host": `a GitHub Enterprise Server administrator`. */
  hostAdmin: string;
  /** The same people, asked as a group: `GHES administrators`. */
  hostAdmins: string;
  /** Their role on the server, as a Slack notice names it: `site administrator`. */
  hostAdminRole: string;
  /** What "Set up host" needs from them, one sentence. */
  hostSetupNeeds: string;
  /** What they do on the console's "Set up host" page. */
  hostSetupDoes: string;
  /** Who finishes the handshake ("Update pending connection"): `a GitHub organization owner`. */
  connectionOwner: string;
  /** The same, in full, after "an", for a server (its URL already escaped for where it goes): `organization owner of the GitHub organization on <url>`. */
  connectionOwnerOn: (endpoint: string) => string;
  /** What the handshake needs of them, one sentence. */
  connectionOwnerNeeds: string;
  /** What they do on the console's "Update pending connection" page. */
  handshakeDoes: string;
  /** The repository id the pipeline names, as requesters know it: `owner/repository`. */
  repositoryIdShape: string;
}

const WORDS: Readonly<Record<ProviderType, ProviderWords>> = {
  GitHubEnterpriseServer: {
    product: 'GitHub Enterprise Server',
    short: 'GHES',
    hostAdmin: 'a GitHub Enterprise Server administrator',
    hostAdmins: 'GHES administrators',
    hostAdminRole: 'site administrator',
    hostSetupNeeds: 'Setting up the host creates a GitHub App on the server, which needs administrator rights there.',
    hostSetupDoes: 'follow the steps to create the GitHub App on the server',
    connectionOwner: 'a GitHub organization owner',
    connectionOwnerOn: (endpoint) => `organization owner of the GitHub organization on ${endpoint}`,
    connectionOwnerNeeds: 'Only an organization owner can install the AWS Connector app the connection needs.',
    handshakeDoes: 'install the app on the organization',
    repositoryIdShape: 'owner/repository',
  },
  GitLabSelfManaged: {
    product: 'GitLab self-managed',
    short: 'GitLab',
    hostAdmin: 'a GitLab administrator',
    hostAdmins: 'GitLab administrators',
    hostAdminRole: 'administrator',
    hostSetupNeeds: 'Setting up the host asks for a GitLab personal access token with the api and admin_mode scopes, which only an administrator has.',
    hostSetupDoes: 'give a GitLab personal access token with the api and admin_mode scopes',
    connectionOwner: 'a GitLab project owner',
    connectionOwnerOn: (endpoint) => `owner of the GitLab project on ${endpoint}`,
    connectionOwnerNeeds: "The connection reaches only the projects of the GitLab account that authorizes it, so it must be one with the Owner role on the projects the connection is for.",
    handshakeDoes: 'authorize the connection with your GitLab account',
    repositoryIdShape: 'group/project (or group/subgroup/…/project)',
  },
};

/** The words for a provider (see {@link ProviderWords}). */
export function providerWords(providerType: ProviderType): ProviderWords {
  return WORDS[providerType];
}
