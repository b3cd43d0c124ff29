import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEnvironment } from '../../src/runner/environment.ts';
import type { RunConfig } from '../../src/runner/run-config.ts';

const answers = (url: string) =>
  request(url, { headersTimeout: 1000 }).then(
    async (r) => (await r.body.dump(), true),
    () => false,
  );

/** The test-api side of a run: the integration gets the proxy as `{{sandbox.url}}`, and everything started is closed again. */
describe('startEnvironment with --target test-api', () => {
  const dir = mkdtempSync(join(tmpdir(), 'golive-test-api-env-'));
  const profile = (start: string) => {
    const file = join(dir, `p-${Math.random().toString(36).slice(2)}.profile.yaml`);
    writeFileSync(
      file,
      `profile: env-shop
name: Env shop
kind: direct
merchant:
  msn: "123456"
  clientId: \${env:GOLIVE_TEST_CLIENT_ID}
  clientSecret: \${env:GOLIVE_TEST_CLIENT_SECRET}
  subscriptionKey: \${env:GOLIVE_TEST_SUBSCRIPTION_KEY}
baseUrl: http://127.0.0.1:9
${start}
actions:
  checkout: { http: { method: POST, url: "{{baseUrl}}/c", extract: { reference: $.reference } } }
  orderStatus: { http: { url: "{{baseUrl}}/o/{{reference}}", extract: { status: $.status } } }
  capture: { http: { method: POST, url: "{{baseUrl}}/x" } }
  refund: { http: { method: POST, url: "{{baseUrl}}/x" } }
  cancel: { http: { method: POST, url: "{{baseUrl}}/x" } }
`,
    );
    return file;
  };
  const config = (profileFile: string) =>
    ({ runId: 't', runDir: dir, startedAt: new Date().toISOString(), profileFile, suiteFiles: ['x'], sandbox: { mode: 'embedded' }, stepTimeoutMs: 1000, actionTimeoutMs: 1000, integrationEnv: {}, target: 'test-api', testApi: { upstream: 'http://127.0.0.1:9', requestsPerSecond: 10, customer: 'force-approve', customerTimeoutMs: 1000, relay: {} } }) as RunConfig;
  const env = { ...process.env, GOLIVE_TEST_CLIENT_ID: 'ci', GOLIVE_TEST_CLIENT_SECRET: 'cs-test-api-env-secret', GOLIVE_TEST_SUBSCRIPTION_KEY: 'sk' };

  it('starts no sandbox, hands the proxy to the integration as {{sandbox.url}}, and closes proxy and control server', async () => {
    const environment = await startEnvironment(config(profile('')), env);
    try {
      expect(environment.sandbox).toBeUndefined();
      expect(environment.sandboxUrl).toBe(environment.testApi!.proxyUrl);
      expect(environment.controlUrl).toBe(environment.testApi!.controlUrl);
      // The upstream (port 9) is down: the proxy answers 502 itself, marked as the environment's problem.
      const res = await request(`${environment.sandboxUrl}/epayment/v1/payments/x`);
      expect(res.statusCode).toBe(502);
      await res.body.dump();
      expect(environment.testApi!.log.all()[0].notes).toMatchObject({ environmentProblem: { kind: 'environment problem' } });
      expect(await answers(`${environment.controlUrl}/_sandbox/v1/health`)).toBe(true);
    } finally {
      await environment.close();
    }
    expect(await answers(environment.sandboxUrl)).toBe(false);
    expect(await answers(`${environment.controlUrl}/_sandbox/v1/health`)).toBe(false);
  });

  it('closes the proxy when the integration fails to start', async () => {
    const file = profile(`start:
  command: 'node -e "console.log(process.env.VIPPS_BASE_URL); process.exit(4)"'
  env:
    VIPPS_BASE_URL: "{{sandbox.url}}"
  url: http://127.0.0.1:9/health
  timeout: 10s`);
    const error = (await startEnvironment(config(file), env).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/the integration exited \(code 4\)/);
    const proxyUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(error.message.split('\n').slice(1).join('\n'))?.[0];
    expect(proxyUrl).toBeDefined();
    expect(await answers(proxyUrl!)).toBe(false);
  }, 20_000);
});
