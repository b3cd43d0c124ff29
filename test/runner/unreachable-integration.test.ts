import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.ts';

/**
 * An integration that accepts connections and never answers (and one that is not there at
 * all) must fail its flow with a reason within a bounded time, and the run must still end
 * with a summary and an exit code.
 */
describe('golive run against an unreachable or hanging integration', () => {
  let hanging: Server;
  let hangingUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'golive-hang-'));

  beforeAll(async () => {
    hanging = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
    writeFileSync(
      join(dir, 'hang.suite.yaml'),
      `suite: hang
title: Hanging integration
api: epayment-v1
flows:
  - id: checkout-hangs
    title: Checkout against an integration that never answers
    checklist: [EP-ENDPOINT-CREATE]
    steps:
      - merchant.checkout: { amount: 10000 }
      - expect.merchantOrder: { status: paid, within: 2s }
`,
    );
    const profile = (baseUrl: string) => `profile: hanging-shop
name: Hanging shop
kind: direct
merchant:
  msn: "123456"
  clientId: \${env:GOLIVE_TEST_CLIENT_ID}
  clientSecret: \${env:GOLIVE_TEST_CLIENT_SECRET}
  subscriptionKey: \${env:GOLIVE_TEST_SUBSCRIPTION_KEY}
baseUrl: ${baseUrl}
actions:
  checkout:
    http: { method: POST, url: "{{baseUrl}}/api/checkout", body: { amount: "{{amount}}" }, extract: { reference: $.reference } }
  orderStatus:
    http: { url: "{{baseUrl}}/api/orders/{{reference}}", extract: { status: $.status } }
  capture:
    http: { method: POST, url: "{{baseUrl}}/api/orders/{{reference}}/capture" }
  refund:
    http: { method: POST, url: "{{baseUrl}}/api/orders/{{reference}}/refund" }
  cancel:
    http: { method: POST, url: "{{baseUrl}}/api/orders/{{reference}}/cancel" }
`;
    writeFileSync(join(dir, 'hanging.profile.yaml'), profile('PLACEHOLDER'));
  });
  afterAll(() => new Promise<void>((r) => hanging.close(() => r())));

  const run = async (baseUrl: string) => {
    const profileFile = join(dir, `p-${Math.random().toString(36).slice(2)}.profile.yaml`);
    writeFileSync(profileFile, readFileSync(join(dir, 'hanging.profile.yaml'), 'utf8').replace('PLACEHOLDER', baseUrl));
    const started = Date.now();
    const outcome = await runCommand({ profile: profileFile, suite: [join(dir, 'hang.suite.yaml')], out: join(dir, 'reports'), quiet: true, actionTimeout: 2000, workers: '1' });
    return { outcome, seconds: (Date.now() - started) / 1000 };
  };

  it('fails the flow with a timeout reason and still writes the summary', async () => {
    const { outcome } = await run(hangingUrl);
    expect(outcome.exitCode).toBe(1);
    expect(existsSync(join(outcome.runDir!, 'summary.json'))).toBe(true);
    const flow = outcome.summary!.flows.find((f) => f.id === 'checkout-hangs')!;
    expect(flow.outcome).toBe('step-failed');
    expect(flow.error).toMatch(/no answer within 2000 ms \(timeout\)/);
  }, 90_000);

  it('fails the flow with "connection refused" when nothing listens', async () => {
    const { outcome } = await run('http://127.0.0.1:9'); // discard port: nothing listens on loopback
    expect(outcome.exitCode).toBe(1);
    const flow = outcome.summary!.flows.find((f) => f.id === 'checkout-hangs')!;
    expect(flow.outcome).toBe('step-failed');
    expect(flow.error).toMatch(/connection refused/);
  }, 90_000);
});
