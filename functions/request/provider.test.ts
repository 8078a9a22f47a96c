import { describe, expect, it } from 'vitest';
import { CLOUD_PROVIDER_TYPES, connectionPrefixFor, DEFAULT_PROVIDER_TYPE, HOST_PROVIDER_TYPES, hostWords, PROVIDER_TYPES, providerTypeOf, providerWords } from './provider.ts';

describe('providerTypeOf', () => {
  it('reads GitLabSelfManaged, and takes anything else (a record from before GitLab, a host AWS describes) as GHES', () => {
    expect(providerTypeOf({ providerType: 'GitLabSelfManaged' })).toBe('GitLabSelfManaged');
    expect(providerTypeOf({ providerType: 'GitHubEnterpriseServer' })).toBe('GitHubEnterpriseServer');
    expect(providerTypeOf({})).toBe(DEFAULT_PROVIDER_TYPE);
    expect(DEFAULT_PROVIDER_TYPE).toBe('GitHubEnterpriseServer');
  });
});

describe('providerWords', () => {
  it('never say GitHub for GitLab, nor GitLab for GHES', () => {
    const text = (words: ReturnType<typeof providerWords>) => JSON.stringify({ ...words, connectionOwnerOn: words.connectionOwnerOn('https://server.example.com') });
    expect(text(providerWords('GitLabSelfManaged'))).not.toMatch(/GitHub|GHES/u);
    expect(text(providerWords('GitHubEnterpriseServer'))).not.toMatch(/GitLab/u);
  });

  it('give each provider its own product name and people', () => {
    const names = PROVIDER_TYPES.map((type) => providerWords(type));
    expect(names.map((words) => words.product)).toEqual(['GitHub Enterprise Server', 'GitLab self-managed', 'GitHub', 'GitLab.com', 'Bitbucket Cloud', 'Azure DevOps']);
    expect(HOST_PROVIDER_TYPES.map((type) => hostWords(type).hostAdmin)).toEqual(['a GitHub Enterprise Server administrator', 'a GitLab administrator']);
    expect(names.map((words) => words.connectionOwner)).toEqual([
      'a GitHub organization owner',
      'a GitLab project owner',
      'a GitHub organization owner',
      'a GitLab group owner',
      'a Bitbucket workspace administrator',
      'an Azure DevOps organization administrator',
    ]);
  });

  it('have no host for a cloud provider, and make Azure DevOps connections through CodeConnections only', () => {
    for (const type of CLOUD_PROVIDER_TYPES) expect(() => hostWords(type)).toThrow(/cloud provider/);
    expect(connectionPrefixFor({ providerType: 'AzureDevOps' })).toBe('codeconnections');
    expect(connectionPrefixFor({ providerType: 'AzureDevOps', connectionPrefix: 'codestar-connections' })).toBe('codeconnections');
    expect(connectionPrefixFor({ providerType: 'GitHub' })).toBe('codestar-connections');
    expect(connectionPrefixFor({ providerType: 'Bitbucket', connectionPrefix: 'codeconnections' })).toBe('codeconnections');
    expect(providerTypeOf({ providerType: 'Bitbucket' })).toBe('Bitbucket');
    expect(providerTypeOf({ providerType: 'Nonsense' })).toBe('GitHubEnterpriseServer');
  });
});
