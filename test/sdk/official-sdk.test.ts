import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { startSandbox, TEST_MERCHANT } from '../helpers/sandbox.ts';
import { specAvailable, validateTraffic } from '../helpers/openapi.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

/**
 * The official SDK, unchanged, pointed at the sandbox by golive's intercept helper
 * (`node --import src/intercept/register.mjs`), exercising the whole merchant life cycle.
 */
describe('official @vippsmobilepay/sdk against the sandbox', () => {
  let sandbox: Sandbox;
  let out: any;

  beforeAll(async () => {
    sandbox = await startSandbox();
    const { stdout } = await run(process.execPath, ['--import', './src/intercept/register.mjs', 'test/fixtures/sdk-app.mjs'], {
      cwd: root,
      timeout: 30_000,
      env: {
        ...process.env,
        GOLIVE_SANDBOX_URL: sandbox.url,
        GOLIVE_INTERCEPT_QUIET: '1',
        MSN: TEST_MERCHANT.msn,
        CLIENT_ID: TEST_MERCHANT.clientId,
        CLIENT_SECRET: TEST_MERCHANT.clientSecret,
        SUBSCRIPTION_KEY: TEST_MERCHANT.subscriptionKeys[0],
      },
    });
    out = JSON.parse(stdout.trim().split('\n').pop()!);
  }, 40_000);
  afterAll(() => sandbox?.close());

  it('gets a token, creates, force-approves, captures, refunds and reads the payment', () => {
    expect(out.created.redirectUrl).toContain(`${sandbox.url}/landing?token=`);
    expect(out.capture.aggregate.capturedAmount.value).toBe(49900);
    expect(out.refund.aggregate.refundedAmount.value).toBe(10000);
    expect(out.info.state).toBe('AUTHORIZED');
    expect(out.history.map((e: any) => e.name)).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED', 'REFUNDED']);
    expect(out.cancel.aggregate.cancelledAmount.value).toBe(1000);
  });

  it('registers a webhook and receives correctly signed deliveries', () => {
    expect(out.webhooks.some((w: any) => w.url === out.webhookUrl)).toBe(true);
    const names = out.deliveries.map((d: any) => JSON.parse(d.raw).name);
    expect(names).toEqual(expect.arrayContaining(['CREATED', 'AUTHORIZED', 'CAPTURED']));
    const url = new URL(out.webhookUrl);
    for (const d of out.deliveries) {
      // Independent implementation of the documented scheme (vipps-facts §3.4).
      const contentHash = createHash('sha256').update(d.raw, 'utf8').digest('base64');
      expect(d.headers['x-ms-content-sha256']).toBe(contentHash);
      const toSign = `POST\n${url.pathname}${url.search}\n${d.headers['x-ms-date']};${url.host};${contentHash}`;
      const signature = createHmac('sha256', out.webhookSecret).update(toSign, 'utf8').digest('base64');
      expect(d.headers.authorization).toBe(`HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`);
      expect(d.headers.host).toBe(url.host);
    }
  });

  it.skipIf(!specAvailable())('every sandbox response it got validates against the official specs', async () => {
    const { validated, failures } = await validateTraffic(sandbox.traffic.all());
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThanOrEqual(12);
  });
});
