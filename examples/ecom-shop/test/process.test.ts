import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../../src/sandbox/index.ts';
import { settle } from '../../../test/helpers/processes.ts';
import { TEST_MERCHANT } from '../../../test/helpers/sandbox.ts';
import { checkout, control, http, startSandbox, waitForStatus } from './harness.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The shop as golive starts it (profile start.command): its own process, GOLIVE_INTEGRATION_PORT, SIGTERM. */
describe('ecom-shop as a process', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('starts on GOLIVE_INTEGRATION_PORT, takes an order through the sandbox, stops on SIGTERM', async () => {
    const port = await freePort();
    const tag = randomUUID();
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'examples/ecom-shop/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        GOLIVE_INTEGRATION_PORT: String(port),
        ECOM_SHOP_TEST_TAG: tag,
        VIPPS_BASE_URL: sandbox.url,
        VIPPS_CLIENT_ID: TEST_MERCHANT.clientId,
        VIPPS_CLIENT_SECRET: TEST_MERCHANT.clientSecret,
        VIPPS_SUBSCRIPTION_KEY: TEST_MERCHANT.subscriptionKeys[0],
        VIPPS_MSN: TEST_MERCHANT.msn,
        ECOM_SHOP_FIRST_POLL_MS: '300',
        ECOM_SHOP_POLL_INTERVAL_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      while (!output.includes('listening on')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`shop did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output).toContain(`ecom-shop listening on ${base}`);
      expect((await http('GET', `${base}/health`)).body).toEqual({ status: 'ok' });
      const shop = { url: base } as Parameters<typeof checkout>[0];
      const { orderId } = await checkout(shop, 33_300);
      await control(sandbox).approve(orderId);
      await waitForStatus(shop, orderId, 'reserved');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(output).toContain('ecom-shop stopped (SIGTERM)');
    expect(await settle('ECOM_SHOP_TEST_TAG', tag)).toEqual([]);
  });

  it('refuses an unknown fault switch at start-up', async () => {
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'examples/ecom-shop/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: '0', VIPPS_CLIENT_ID: 'c', VIPPS_CLIENT_SECRET: 's', VIPPS_SUBSCRIPTION_KEY: 'k', VIPPS_MSN: '123456', ECOM_SHOP_FAULTS: 'typo' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (c) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(output).toContain('unknown ECOM_SHOP_FAULTS: typo');
  });
});
