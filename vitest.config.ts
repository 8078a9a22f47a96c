import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit`: the tests next to the code (functions/**), which call handlers and pure
 * functions in-process and clean up after themselves: they share one module graph per worker
 * thread (no per-file isolation), which halves their time. `system`: the suites that start the local
 * system, the sandbox, the packager or the local Step Functions engine (which patches timers and
 * promises), each file in its own process.
 */
const env = {
  // Real SDK clients insist on credentials; the sandbox ignores them.
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Unit tests that run the local Step Functions engine: they need a process of their own. */
const ENGINE_TESTS = ['functions/workflow/cancel.test.ts', 'functions/waits/provisioning-waits.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Vitest's default is one worker fewer than the CPUs: one on a 2-core machine, so every file
    // waited for the one before. The system suites mostly wait (on HTTP, timers, the sandbox
    // clock), so two run side by side (three crowd the 3-second Slack clicks).
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['functions/**/*.test.ts', 'console/**/*.test.ts', 'cli/**/*.test.ts'], exclude: ENGINE_TESTS, pool: 'threads', isolate: false },
      },
      {
        extends: true,
        test: { name: 'system', include: ['test/**/*.test.ts', ...ENGINE_TESTS], pool: 'forks' },
      },
    ],
  },
});
