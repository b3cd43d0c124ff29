import { defineConfig } from '@playwright/test';
import { join } from 'node:path';
import { readRunConfig, RUN_CONFIG_ENV } from './src/runner/run-config.ts';
import { ALLURE_RESULTS, allureListeners } from './src/report/allure.ts';
import { videoSupport } from './src/report/video.ts';

/**
 * The conformance runner's Playwright configuration. `golive run` writes a run config and
 * points GOLIVE_RUN_CONFIG at it; without one (e.g. a bare `npx playwright test`), nothing runs.
 */
const run = process.env[RUN_CONFIG_ENV] ? readRunConfig() : undefined;
const out = run?.runDir ?? 'reports/_no-run';

// Videos of browser flows: Playwright's ffmpeg, or Debian's linked where Playwright looks (src/report/video.ts).
// Workers inherit this process's environment, so they find it too.
const video = run ? videoSupport() : undefined;
if (video?.browsersPath) process.env.PLAYWRIGHT_BROWSERS_PATH = video.browsersPath;

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
    // One live line per flow, outside text escaped (src/runner/live-reporter.ts); it also records the selected flows.
    ['./src/runner/live-reporter.ts'],
    ['junit', { outputFile: join(out, 'junit.xml') }],
    // One Allure result per flow; steps, labels and attachments come from flows.spec.ts. The HTML
    // is rendered after the run by generateAllureHtml (src/report/allure.ts) or `golive report`.
    ['allure-playwright', { resultsDir: join(out, ALLURE_RESULTS), detail: false, suiteTitle: false, listeners: allureListeners() }],
  ],
  use: {
    launchOptions: { executablePath: process.env.GOLIVE_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    actionTimeout: run?.actionTimeoutMs ?? 15_000,
    navigationTimeout: run?.actionTimeoutMs ?? 15_000,
  },
});
