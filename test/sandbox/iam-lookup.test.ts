import { describe, expect, it } from 'vitest';
import { SandboxClock } from '../../infra/local/sandbox/clock.ts';
import { DEFAULT_CONFIG } from '../../infra/local/sandbox/service.ts';
import { createIamModule } from '../../infra/local/sandbox/services/iam/module.ts';
import { SandboxStore } from '../../infra/local/sandbox/store.ts';

/** What CodePipeline asks IAM: a role's inline policies, parsed, or undefined for no such role. */
describe('IAM lookup for other services', () => {
  function setUp() {
    const store = new SandboxStore();
    const iam = createIamModule({ store, clock: new SandboxClock(), config: { ...DEFAULT_CONFIG } });
    const seed = iam.controlRoutes!.find((route) => route.method === 'POST' && route.path === '/roles')!;
    return { store, iam, seed };
  }

  it('returns parsed inline policies, finding the role by any case', async () => {
    const { iam, seed } = setUp();
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codestar-connections:UseConnection', Resource: '*' }] };
    await seed.handle({
      params: {},
      query: new URLSearchParams(),
      body: { roleName: 'PipelineRole', inlinePolicies: { 'use-connection': JSON.stringify(document, null, 2) } },
      accountId: '111111111111',
      region: 'us-east-1',
    });
    expect(iam.lookup.inlinePolicies('111111111111', 'pipelinerole')).toEqual([{ policyName: 'use-connection', document }]);
    expect(iam.lookup.inlinePolicies('222222222222', 'PipelineRole')).toBeUndefined();
    expect(iam.lookup.inlinePolicies('111111111111', 'other')).toBeUndefined();
  });

  it('creates no state by looking', () => {
    const { store, iam } = setUp();
    expect(iam.lookup.inlinePolicies('111111111111', 'anything')).toBeUndefined();
    expect(store.slicesOf('iam')).toEqual([]);
    expect(iam.inventory!()).toEqual({ iam: {} });
  });
});
