import { defineConfig } from 'vitest/config';

// Only *.test.ts: Playwright specs (*.spec.ts) belong to the conformance runner, not to vitest.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A cache folder for golive runs several test files share (test/helpers/shared-run.ts).
    globalSetup: ['test/setup/run-cache.ts'],
  },
});
