import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The tests mutation testing runs (`npm run mutation`, stryker.config.mjs): the unit tests of the
 * pure decision modules, which must catch a changed decision on their own. All run in-process
 * (decide's against an in-memory DynamoDB); the suites that start the local system, the sandbox,
 * fake Slack or the handlers are left out, and so is the global set-up that packages the bundles.
 * A mutant Stryker cannot map to tests (one run while a module loads) runs all of these, so keep
 * the list to fast suites.
 */
export default defineConfig({
  test: {
    ...base.test,
    globalSetup: [],
    include: [
      'test/permissions/*.test.ts',
      'test/slack/signature.test.ts',
      'test/slack/retry-policy.test.ts',
      'test/approvals/decide.test.ts',
      'test/approvals/schedule.test.ts',
      'test/approvals/approvers.test.ts',
      'test/workflow/rollback-plan.test.ts',
      'test/pipelines/*.test.ts',
      'test/audit/rules.test.ts',
      'test/audit/use-connection-policy.test.ts',
      'test/audit/resource-key.test.ts',
      'test/core/endpoint.test.ts',
      'test/core/naming.test.ts',
      'test/waits/sweep-plan.test.ts',
      'test/api/caller.test.ts',
      'test/requests/next-action.test.ts',
      'test/requests/attention.test.ts',
    ],
  },
});
