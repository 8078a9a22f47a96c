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

/** The `ProviderType` values that use a host: the self-managed servers, each at an endpoint the request names. */
export const HOST_PROVIDER_TYPES = ['GitHubEnterpriseServer', 'GitLabSelfManaged'] as const;
export type HostProviderType = (typeof HOST_PROVIDER_TYPES)[number];

/**
 * The cloud providers: no host (AWS knows where they are), so a request goes straight to the
 * connection and its handshake. `AzureDevOps` exists only in the CodeConnections API (its model's
 * ProviderType; CodeStar Connections' lacks it), so its connections are always made there and carry
 * `arn:aws:codeconnections:` ARNs ({@link connectionPrefixFor}).
 */
export const CLOUD_PROVIDER_TYPES = ['GitHub', 'GitLab', 'Bitbucket', 'AzureDevOps'] as const;
export type CloudProviderType = (typeof CLOUD_PROVIDER_TYPES)[number];

export const PROVIDER_TYPES = [...HOST_PROVIDER_TYPES, ...CLOUD_PROVIDER_TYPES] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** What a request that names no provider connects to: what the broker served before GitLab. */
export const DEFAULT_PROVIDER_TYPE: ProviderType = 'GitHubEnterpriseServer';

/** The provider of a request (or of a host or connection AWS describes); records made before GitLab was supported have none, and are GHES. */
export function providerTypeOf(subject: { providerType?: string | undefined }): ProviderType {
  return (PROVIDER_TYPES as readonly string[]).includes(subject.providerType ?? '') ? (subject.providerType as ProviderType) : DEFAULT_PROVIDER_TYPE;
}

export function isCloudProvider(providerType: ProviderType): providerType is CloudProviderType {
  return (CLOUD_PROVIDER_TYPES as readonly string[]).includes(providerType);
}

/**
 * Where a cloud provider is, as the record's `providerEndpoint` names it: a request for one names
 * no endpoint, and the approvers, names and notices key on this.
 */
export const CLOUD_PROVIDER_ENDPOINTS: Readonly<Record<CloudProviderType, string>> = {
  GitHub: 'https://github.com',
  GitLab: 'https://gitlab.com',
  Bitbucket: 'https://bitbucket.org',
  AzureDevOps: 'https://dev.azure.com',
};

/**
 * The ARN prefix (and so the API) a new connection is made with. CodeStar Connections by default,
 * as before (every existing grant, pipeline and audit names that prefix); CodeConnections when the
 * request asks for it (a replacement's `arnPrefix`) and always for Azure DevOps, which only
 * CodeConnections knows.
 */
export function connectionPrefixFor(subject: { providerType?: string | undefined; connectionPrefix?: 'codestar-connections' | 'codeconnections' | undefined }): 'codestar-connections' | 'codeconnections' {
  if (providerTypeOf(subject) === 'AzureDevOps') return 'codeconnections';
  return subject.connectionPrefix ?? 'codestar-connections';
}

/** How people name a provider and the people who finish its connections. */
export interface ProviderWords {
  /** The product: `GitHub Enterprise Server`, `GitLab self-managed`, `Bitbucket`. */
  product: string;
  /** Short, for who-fields and timeline lines: `GHES`, `GitLab`. */
  short: string;
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

/** How people name the administrators of a self-managed server's host. */
export interface HostWords {
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
}

const WORDS: Readonly<Record<ProviderType, ProviderWords>> = {
  GitHubEnterpriseServer: {
    product: 'GitHub Enterprise Server',
    short: 'GHES',
    connectionOwner: 'a GitHub organization owner',
    connectionOwnerOn: (endpoint) => `organization owner of the GitHub organization on ${endpoint}`,
    connectionOwnerNeeds: 'Only an organization owner can install the AWS Connector app the connection needs.',
    handshakeDoes: 'install the app on the organization',
    repositoryIdShape: 'owner/repository',
  },
  GitLabSelfManaged: {
    product: 'GitLab self-managed',
    short: 'GitLab',
    connectionOwner: 'a GitLab project owner',
    connectionOwnerOn: (endpoint) => `owner of the GitLab project on ${endpoint}`,
    connectionOwnerNeeds: "The connection reaches only the projects of the GitLab account that authorizes it, so it must be one with the Owner role on the projects the connection is for.",
    handshakeDoes: 'authorize the connection with your GitLab account',
    repositoryIdShape: 'group/project (or group/subgroup/…/project)',
  },
  GitHub: {
    product: 'GitHub',
    short: 'GitHub',
    connectionOwner: 'a GitHub organization owner',
    connectionOwnerOn: () => 'organization owner of the GitHub organization that owns the repositories',
    connectionOwnerNeeds: 'Only an organization owner can install the AWS Connector for GitHub app the connection needs.',
    handshakeDoes: 'install the AWS Connector for GitHub app on the organization',
    repositoryIdShape: 'owner/repository',
  },
  GitLab: {
    product: 'GitLab.com',
    short: 'GitLab',
    connectionOwner: 'a GitLab group owner',
    connectionOwnerOn: () => 'owner of the GitLab.com group that holds the projects',
    connectionOwnerNeeds: 'The connection reaches only the projects of the GitLab account that authorizes it, so it must be one with the Owner role on them.',
    handshakeDoes: 'authorize the connection with your GitLab.com account',
    repositoryIdShape: 'group/project (or group/subgroup/…/project)',
  },
  Bitbucket: {
    product: 'Bitbucket Cloud',
    short: 'Bitbucket',
    connectionOwner: 'a Bitbucket workspace administrator',
    connectionOwnerOn: () => 'administrator of the Bitbucket workspace that holds the repositories',
    connectionOwnerNeeds: 'Only a workspace administrator can install the AWS CodeStar app in the workspace.',
    handshakeDoes: 'install the AWS CodeStar app in the workspace',
    repositoryIdShape: 'workspace/repository',
  },
  AzureDevOps: {
    product: 'Azure DevOps',
    short: 'Azure DevOps',
    connectionOwner: 'an Azure DevOps organization administrator',
    connectionOwnerOn: () => 'administrator of the Azure DevOps organization that holds the repositories',
    connectionOwnerNeeds: 'Only an organization administrator can authorize the AWS app for the organization.',
    handshakeDoes: 'authorize the AWS app for the Azure DevOps organization',
    repositoryIdShape: 'organization/project/repository',
  },
};

const HOST_WORDS: Readonly<Record<HostProviderType, HostWords>> = {
  GitHubEnterpriseServer: {
    hostAdmin: 'a GitHub Enterprise Server administrator',
    hostAdmins: 'GHES administrators',
    hostAdminRole: 'site administrator',
    hostSetupNeeds: 'Setting up the host creates a GitHub App on the server, which needs administrator rights there.',
    hostSetupDoes: 'follow the steps to create the GitHub App on the server',
  },
  GitLabSelfManaged: {
    hostAdmin: 'a GitLab administrator',
    hostAdmins: 'GitLab administrators',
    hostAdminRole: 'administrator',
    hostSetupNeeds: 'Setting up the host asks for a GitLab personal access token with the api and admin_mode scopes, which only an administrator has.',
    hostSetupDoes: 'give a GitLab personal access token with the api and admin_mode scopes',
  },
};

/** The words for a provider (see {@link ProviderWords}). */
export function providerWords(providerType: ProviderType): ProviderWords {
  return WORDS[providerType];
}

/** The words for a self-managed server's host; a cloud provider has no host, so nothing ever asks (it throws). */
export function hostWords(providerType: ProviderType): HostWords {
  if (isCloudProvider(providerType)) throw new Error(`${providerType} is a cloud provider: it has no host`);
  return HOST_WORDS[providerType];
}
