import { defineConfig } from '@playwright/test';
import { join } from 'node:path';
import { readRunConfig, RUN_CONFIG_ENV } from './src/runner/run-config.ts';

/**
 * The conformance runner's Playwright configuration. `golive run` writes a run config and
 * points GOLIVE_RUN_CONFIG at it; without one (e.g. a bare `npx playwright test`), nothing runs.
 */
const run = process.env[RUN_CONFIG_ENV] ? readRunConfig() : undefined;
const out = run?.runDir ?? 'reports/_no-run';

export const CHROMIUM_ARGS = ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export default defineConfig({
  testDir: './src/runner',
  testMatch: run ? 'flows.spec.ts' : 'no-run.spec.ts',
  globalSetup: './src/runner/global-setup.ts',
  outputDir: join(out, 'test-results'),
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  timeout: 120_000,
  reporter: [
    ['list'],
    ['junit', { outputFile: join(out, 'junit.xml') }],
    ['json', { outputFile: join(out, 'playwright-report.json') }],
  ],
  use: {
    launchOptions: { executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    actionTimeout: run?.actionTimeoutMs ?? 15_000,
    navigationTimeout: run?.actionTimeoutMs ?? 15_000,
  },
});
