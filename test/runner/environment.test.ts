import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEnvironment } from '../../src/runner/environment.ts';
import type { RunConfig } from '../../src/runner/run-config.ts';

describe('starting the integration', () => {
  it('reports an integration that exits before answering, with its output redacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-env-'));
    const secret = 'cs-ENVTEST-5d1e9c07b3a2f4e6';
    const profileFile = join(dir, 'crash.profile.yaml');
    writeFileSync(
      profileFile,
      `profile: crashing-shop
name: Crashing shop
kind: direct
merchant:
  msn: "123456"
  clientId: \${env:GOLIVE_TEST_CLIENT_ID}
  clientSecret: \${env:GOLIVE_TEST_CLIENT_SECRET}
  subscriptionKey: \${env:GOLIVE_TEST_SUBSCRIPTION_KEY}
baseUrl: http://127.0.0.1:9
start:
  command: 'node -e "console.log(\\"starting with secret \\" + process.env.GOLIVE_TEST_CLIENT_SECRET); process.exit(3)"'
  url: http://127.0.0.1:9/health
  timeout: 20s
actions:
  checkout: { http: { method: POST, url: "{{baseUrl}}/c", extract: { reference: $.reference } } }
  orderStatus: { http: { url: "{{baseUrl}}/o/{{reference}}", extract: { status: $.status } } }
  capture: { http: { method: POST, url: "{{baseUrl}}/x" } }
  refund: { http: { method: POST, url: "{{baseUrl}}/x" } }
  cancel: { http: { method: POST, url: "{{baseUrl}}/x" } }
`,
    );
    const config = { runId: 't', runDir: dir, startedAt: new Date().toISOString(), profileFile, suiteFiles: ['x'], sandbox: { mode: 'embedded' }, stepTimeoutMs: 1000, actionTimeoutMs: 1000, integrationEnv: {} } as RunConfig;
    const env = { ...process.env, GOLIVE_TEST_CLIENT_ID: 'ci-envtest', GOLIVE_TEST_CLIENT_SECRET: secret, GOLIVE_TEST_SUBSCRIPTION_KEY: 'sk-envtest-0001' };
    const error = await startEnvironment(config, env).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/the integration exited \(code 3\) before http:\/\/127\.0\.0\.1:9\/health answered/);
    expect(error?.message).toMatch(/starting with secret \[REDACTED:[0-9a-f]{8}\]/);
    expect(error?.message).not.toContain(secret);
  }, 30_000);

  it("accepts the profile's own keys for the default test MSN (they replace the default merchant's)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-env-'));
    const profileFile = join(dir, 'own-keys.profile.yaml');
    writeFileSync(
      profileFile,
      `profile: own-keys
name: Own keys
kind: direct
merchant:
  msn: "123456"
  clientId: \${env:GOLIVE_TEST_CLIENT_ID}
  clientSecret: \${env:GOLIVE_TEST_CLIENT_SECRET}
  subscriptionKey: \${env:GOLIVE_TEST_SUBSCRIPTION_KEY}
baseUrl: http://127.0.0.1:9
actions:
  checkout: { http: { method: POST, url: "{{baseUrl}}/c", extract: { reference: $.reference } } }
  orderStatus: { http: { url: "{{baseUrl}}/o/{{reference}}", extract: { status: $.status } } }
  capture: { http: { method: POST, url: "{{baseUrl}}/x" } }
  refund: { http: { method: POST, url: "{{baseUrl}}/x" } }
  cancel: { http: { method: POST, url: "{{baseUrl}}/x" } }
`,
    );
    const config = { runId: 't', runDir: dir, startedAt: new Date().toISOString(), profileFile, suiteFiles: ['x'], sandbox: { mode: 'embedded' }, stepTimeoutMs: 1000, actionTimeoutMs: 1000, integrationEnv: {} } as RunConfig;
    const keys = { GOLIVE_TEST_CLIENT_ID: 'ci-own-keys', GOLIVE_TEST_CLIENT_SECRET: 'cs-own-keys-7a3b', GOLIVE_TEST_SUBSCRIPTION_KEY: 'sk-own-keys-9c1d' };
    const environment = await startEnvironment(config, { ...process.env, ...keys });
    try {
      const token = await request(`${environment.sandboxUrl}/accesstoken/get`, {
        method: 'POST',
        headers: { client_id: keys.GOLIVE_TEST_CLIENT_ID, client_secret: keys.GOLIVE_TEST_CLIENT_SECRET, 'ocp-apim-subscription-key': keys.GOLIVE_TEST_SUBSCRIPTION_KEY, 'merchant-serial-number': '123456' },
      });
      expect(token.statusCode).toBe(200);
      await token.body.dump();
    } finally {
      await environment.close();
    }
  }, 30_000);

  const platformProfile = (dir: string, kindAndInstallations: string) => {
    const profileFile = join(dir, 'platform.profile.yaml');
    writeFileSync(
      profileFile,
      `profile: platform
name: Platform
${kindAndInstallations}
merchant:
  msn: "123456"
  clientId: \${env:P_ID}
  clientSecret: \${env:P_SECRET}
  subscriptionKey: \${env:P_KEY}
baseUrl: http://127.0.0.1:9
actions:
  checkout: { http: { method: POST, url: "{{baseUrl}}/c", extract: { reference: $.reference } } }
  orderStatus: { http: { url: "{{baseUrl}}/o/{{reference}}", extract: { status: $.status } } }
  capture: { http: { method: POST, url: "{{baseUrl}}/x" } }
  refund: { http: { method: POST, url: "{{baseUrl}}/x" } }
  cancel: { http: { method: POST, url: "{{baseUrl}}/x" } }
`,
    );
    return { runId: 't', runDir: dir, startedAt: new Date().toISOString(), profileFile, suiteFiles: ['x'], sandbox: { mode: 'embedded' }, stepTimeoutMs: 1000, actionTimeoutMs: 1000, integrationEnv: {} } as RunConfig;
  };
  const tokenFor = async (url: string, keys: Record<string, string>, msn: string) => {
    const res = await request(`${url}/accesstoken/get`, { method: 'POST', headers: { client_id: keys.P_ID, client_secret: keys.P_SECRET, 'ocp-apim-subscription-key': keys.P_KEY, 'merchant-serial-number': msn } });
    await res.body.dump();
    return res.statusCode;
  };

  it("gives a platform's own partner keys a partner acting for its installations' MSNs, and no others", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-env-'));
    const config = platformProfile(dir, 'kind: partner\ninstallations:\n  - { id: alpha, msn: "123456" }\n  - { id: beta, msn: "234567" }');
    const keys = { P_ID: 'ci-platform', P_SECRET: 'cs-platform-4e2a', P_KEY: 'sk-platform-8b1c' };
    const environment = await startEnvironment(config, { ...process.env, ...keys });
    try {
      expect(await tokenFor(environment.sandboxUrl, keys, '123456')).toBe(200);
      expect(await tokenFor(environment.sandboxUrl, keys, '234567')).toBe(200);
      expect(await tokenFor(environment.sandboxUrl, keys, '345678')).toBe(403);
    } finally {
      await environment.close();
    }
  }, 30_000);

  it('keeps a plugin (kind: partner without installations) with merchant keys a merchant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'golive-env-'));
    const keys = { P_ID: 'ci-plugin', P_SECRET: 'cs-plugin-1f9d', P_KEY: 'sk-plugin-3a7e' };
    const environment = await startEnvironment(platformProfile(dir, 'kind: partner'), { ...process.env, ...keys });
    try {
      expect(await tokenFor(environment.sandboxUrl, keys, '123456')).toBe(200);
    } finally {
      await environment.close();
    }
  }, 30_000);
});
