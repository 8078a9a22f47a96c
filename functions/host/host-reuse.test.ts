import { describe, expect, it } from 'vitest';
import { hostReuseKey, isReusableHost } from './host-reuse.ts';
import { PROVIDER_TYPES } from '../request/provider.ts';

const normalise = (url: string) => url.toLowerCase().replace(/\/+$/u, '');
const endpoint = 'https://git.example.com';

describe('hostReuseKey', () => {
  it('keeps the key a GHES host always had, so its existing lock still counts', () => {
    expect(hostReuseKey({ providerEndpoint: endpoint, vpcId: undefined })).toBe('https://git.example.com|public');
    expect(hostReuseKey({ providerEndpoint: endpoint, vpcId: 'vpc-0123abcd', providerType: 'GitHubEnterpriseServer' })).toBe('https://git.example.com|vpc-0123abcd');
    expect(hostReuseKey({ providerEndpoint: endpoint, vpcId: undefined }, { accountId: '222222222222', region: 'eu-west-1', homeRegion: 'us-east-1' })).toBe(
      '222222222222|eu-west-1|https://git.example.com|public',
    );
  });

  it('never gives a GitLab request the key of a GHES host for the same endpoint and VPC, at home or in a spoke', () => {
    for (const where of [{}, { accountId: '222222222222', region: 'eu-west-1', homeRegion: 'us-east-1' }, { region: 'eu-west-1', homeRegion: 'us-east-1' }]) {
      for (const vpcId of [undefined, 'vpc-0123abcd']) {
        const keys = PROVIDER_TYPES.map((providerType) => hostReuseKey({ providerEndpoint: endpoint, vpcId, providerType }, where));
        expect(new Set(keys).size, JSON.stringify({ where, vpcId })).toBe(PROVIDER_TYPES.length);
      }
    }
    expect(hostReuseKey({ providerEndpoint: endpoint, vpcId: undefined, providerType: 'GitLabSelfManaged' })).toBe('GitLabSelfManaged|https://git.example.com|public');
  });
});

describe('isReusableHost', () => {
  const host = { ProviderType: 'GitHubEnterpriseServer' as const, ProviderEndpoint: 'https://GIT.example.com/', Status: 'AVAILABLE' };

  it('reuses a host of the same provider, endpoint (normalised) and VPC', () => {
    expect(isReusableHost(host, { providerEndpoint: endpoint, vpcId: undefined }, normalise)).toBe(true);
    expect(isReusableHost({ ...host, ProviderType: 'GitLabSelfManaged' }, { providerEndpoint: endpoint, vpcId: undefined, providerType: 'GitLabSelfManaged' }, normalise)).toBe(true);
  });

  it('never reuses across provider types, in either direction', () => {
    expect(isReusableHost({ ...host, ProviderType: 'GitHubEnterpriseServer' }, { providerEndpoint: endpoint, vpcId: undefined, providerType: 'GitLabSelfManaged' }, normalise)).toBe(false);
    expect(isReusableHost({ ...host, ProviderType: 'GitLabSelfManaged' }, { providerEndpoint: endpoint, vpcId: undefined, providerType: 'GitHubEnterpriseServer' }, normalise)).toBe(false);
    // A request without a provider (made before GitLab) is GHES's.
    expect(isReusableHost({ ...host, ProviderType: 'GitLabSelfManaged' }, { providerEndpoint: endpoint, vpcId: undefined }, normalise)).toBe(false);
  });

  it('does not reuse another endpoint or VPC, or a host that cannot come back', () => {
    expect(isReusableHost(host, { providerEndpoint: 'https://other.example.com', vpcId: undefined }, normalise)).toBe(false);
    expect(isReusableHost(host, { providerEndpoint: endpoint, vpcId: 'vpc-0123abcd' }, normalise)).toBe(false);
    expect(isReusableHost({ ...host, VpcConfiguration: { VpcId: 'vpc-0123abcd', SubnetIds: [], SecurityGroupIds: [] } }, { providerEndpoint: endpoint, vpcId: 'vpc-0123abcd' }, normalise)).toBe(true);
    for (const Status of ['VPC_CONFIG_FAILED_INITIALIZATION', 'VPC_CONFIG_DELETING', 'ERROR']) {
      expect(isReusableHost({ ...host, Status }, { providerEndpoint: endpoint, vpcId: undefined }, normalise), Status).toBe(false);
    }
    expect(isReusableHost({ ...host, Status: 'PENDING' }, { providerEndpoint: endpoint, vpcId: undefined }, normalise)).toBe(true);
  });
});
