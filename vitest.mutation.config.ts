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
    testTimeout: base.test?.testTimeout,
    env: base.test?.env,
    globalSetup: [],
    include: [
      'functions/attach/policy-evaluator.test.ts',
      'functions/attach/tag-based-grant*.test.ts',
      'functions/adapters/slack/signature.test.ts',
      'functions/adapters/slack/retry-policy.test.ts',
      'functions/approval/decide.test.ts',
      'functions/approval/schedule.test.ts',
      'functions/approval/approvers.test.ts',
      'functions/workflow/rollback-plan.test.ts',
      'functions/attach/attach-plan.test.ts',
      'functions/attach/declaration-diff.test.ts',
      'functions/attach/first-run-choice.test.ts',
      'functions/attach/source-action.test.ts',
      'functions/attach/triggers.test.ts',
      'functions/audit/rules/rules.test.ts',
      'functions/audit/use-connection-policy.test.ts',
      'functions/audit/resource-key.test.ts',
      'functions/request/endpoint.test.ts',
      'functions/connection/naming.test.ts',
      'functions/waits/sweep-plan.test.ts',
      'functions/request/caller.test.ts',
      'functions/request/next-action.test.ts',
      'functions/request/attention.test.ts',
    ],
  },
});
