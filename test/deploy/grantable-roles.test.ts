import { describe, expect, it } from 'vitest';
import { wideGrantableRoles } from '../../infra/serverless/grantable-roles.mjs';

describe('which roles the broker may put a policy on without an opt-in', () => {
  it('accepts one role by name, or a path whose folders have no wildcard', () => {
    for (const narrow of ['role/service-role/*', 'role/orders-pipeline-role', 'role/pipelines/team-a-*', 'role/ci/pipelines/*']) {
      expect(wideGrantableRoles(narrow), narrow).toBeUndefined();
    }
  });

  it('calls wide whatever reaches roles outside a path of their own', () => {
    for (const wide of ['role/*', 'role/team-*', 'role/?', '*', 'role/*/pipelines/*', 'role//x', 'role/', 'user/*', '']) {
      expect(wideGrantableRoles(wide), wide).toMatch(/./);
    }
  });
});
