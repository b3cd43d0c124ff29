import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEnvironment } from './environment.ts';
import { finishRun } from './finish.ts';
import { readRunConfig, RUNTIME_ENV } from './run-config.ts';

/**
 * Playwright global setup: one sandbox (and, when the profile says how, the integration) for
 * the whole run; workers reach them over HTTP. The returned teardown judges the run-scoped
 * items over all traffic and writes the run's summary.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const config = readRunConfig();
  const environment = await startEnvironment(config);
  process.env[RUNTIME_ENV.sandboxUrl] = environment.sandboxUrl;
  writeFileSync(
    join(config.runDir, 'environment.json'),
    JSON.stringify({ sandboxUrl: environment.sandboxUrl, profile: environment.profile.profile, integrationStarted: Boolean(environment.integration) }, null, 2),
  );
  return async () => {
    try {
      await finishRun(config, environment);
    } finally {
      await environment.close();
    }
  };
}
