import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnvironment } from './environment.ts';
import { finishRun } from './finish.ts';
import { signalGroup } from './process-group.ts';
import { readRunConfig, RUNTIME_ENV } from './run-config.ts';
import { recordPhase } from './timings.ts';

/** Written by global setup when the sandbox or the integration could not be started; `golive run` prints it. */
export const SETUP_ERROR_FILE = 'setup-error.txt';

/**
 * Playwright global setup: one sandbox (and, when the profile says how, the integration) for
 * the whole run; workers reach them over HTTP. The returned teardown judges the run-scoped
 * items over all traffic and writes the run's summary.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const config = readRunConfig();
  const setupStart = Date.now();
  let environment: Awaited<ReturnType<typeof startEnvironment>>;
  try {
    environment = await startEnvironment(config);
  } catch (err) {
    writeFileSync(join(config.runDir, SETUP_ERROR_FILE), (err as Error)?.message ?? String(err));
    throw err;
  }
  const pgid = environment.integration?.pgid;
  // Last resort when Playwright exits without running the teardown (a forced second Ctrl+C): no orphan.
  if (pgid) process.once('exit', () => signalGroup(pgid, 'SIGKILL'));
  process.env[RUNTIME_ENV.sandboxUrl] = environment.sandboxUrl;
  process.env[RUNTIME_ENV.controlUrl] = environment.controlUrl;
  if (environment.testApi) process.env[RUNTIME_ENV.testApiLane] = environment.testApi.laneUrl;
  writeFileSync(
    join(config.runDir, 'environment.json'),
    JSON.stringify({ target: config.target, sandboxUrl: environment.sandboxUrl, ...(environment.testApi ? { upstream: environment.testApi.upstream, controlUrl: environment.controlUrl } : {}), profile: environment.profile.profile, integrationStarted: Boolean(environment.integration), integrationPgid: pgid }, null, 2),
  );
  recordPhase(config.runDir, { phase: 'setup', start: setupStart, end: Date.now() });
  return async () => {
    const teardownStart = Date.now();
    try {
      await finishRun(config, environment);
    } finally {
      await environment.close();
      recordPhase(config.runDir, { phase: 'teardown', start: teardownStart, end: Date.now() });
    }
  };
}
