// @ts-check
/**
 * Mutation testing of the pure decision modules (`npm run mutation`; not part of `npm test`).
 * StrykerJS 9 (10 needs Node 22) with its vitest runner over the unit tests only
 * (vitest.mutation.config.ts). The report is written to .local/mutation/index.html.
 * While working on one module: `npx stryker run --mutate functions/attach/policy-evaluator.ts`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  plugins: ['@stryker-mutator/vitest-runner', './stryker.plugins.mjs'],
  ignorers: ['message-text'],
  mutate: [
    'functions/attach/policy-evaluator.ts',
    'functions/attach/use-connection.ts',
    'functions/attach/tag-based-grant.ts',
    'functions/adapters/slack/signature.ts',
    'functions/adapters/slack/retry-policy.ts',
    'functions/approval/decide.ts',
    'functions/approval/schedule.ts',
    'functions/approval/approvers.ts',
    'functions/workflow/rollback-plan.ts',
    'functions/attach/attach-plan.ts',
    'functions/attach/triggers.ts',
    'functions/attach/source-action.ts',
    'functions/attach/declaration-diff.ts',
    'functions/audit/rules/*.ts',
    'functions/audit/resource-key.ts',
    'functions/audit/use-connection-policy.ts',
    'functions/request/endpoint.ts',
    'functions/connection/naming.ts',
    'functions/waits/sweep-plan.ts',
    'functions/request/caller.ts',
    'functions/request/next-action.ts',
    'functions/request/attention.ts',
  ],
  concurrency: 2,
  timeoutMS: 10_000,
  // Inside the project, so the sandboxes find node_modules by walking up; no symlink needed (and no
  // walk of the whole tree looking for node_modules directories, which trips over .serverless being rebuilt).
  tempDirName: '.local/stryker-tmp',
  symlinkNodeModules: false,
  ignorePatterns: ['/.local', '/.serverless', '/.esbuild', '/coverage'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: '.local/mutation/index.html' },
  jsonReporter: { fileName: '.local/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: null },
};
