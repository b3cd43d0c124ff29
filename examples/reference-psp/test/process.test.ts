import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../../../test/helpers/processes.ts';
import { api, CLIENT_SECRET, FakeVipps, MSN, PSP_ID, sendCardCallback } from './fake-vipps.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The PSP as golive starts it (profile start.command): its own process, GOLIVE_INTEGRATION_PORT, SIGTERM. */
describe('reference-psp as a process', () => {
  let vipps: FakeVipps;
  beforeAll(async () => {
    vipps = await new FakeVipps().start();
  });
  afterAll(async () => {
    await vipps?.stop();
  });

  it('starts on GOLIVE_INTEGRATION_PORT, registers its webhook, answers a card callback, stops on SIGTERM (deleting the webhook)', async () => {
    const port = await freePort();
    const tag = randomUUID();
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'examples/reference-psp/src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        GOLIVE_INTEGRATION_PORT: String(port),
        REFERENCE_PSP_TEST_TAG: tag,
        VIPPS_BASE_URL: vipps.url,
        VIPPS_CLIENT_ID: 'psp-client-id',
        VIPPS_CLIENT_SECRET: CLIENT_SECRET,
        VIPPS_SUBSCRIPTION_KEY: 'psp-subscription-key',
        VIPPS_PSP_ID: PSP_ID,
        VIPPS_MSN: MSN,
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
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`PSP did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output).toContain(`reference-psp listening on ${base} for MSN ${MSN}`);
      expect((await api('GET', `${base}/health`)).body).toEqual({ status: 'ok' });
      expect(vipps.calls('POST', '/webhooks/v1/webhooks')[0].body.url).toBe(`${base}/webhooks/vipps`);
      const created = await api('POST', `${base}/api/payments`, { amount: 6000, description: 'Socks' });
      expect(created.status).toBe(201);
      expect((await sendCardCallback(vipps, created.body.reference)).body.status).toBe('RESERVE');
      expect((await api('GET', `${base}/api/payments/${created.body.reference}`)).body.status).toBe('authorised');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(output).toContain('reference-psp stopped (SIGTERM)');
    expect(vipps.calls('DELETE', '/webhooks/v1/webhooks/')).toHaveLength(1);
    expect(await settle('REFERENCE_PSP_TEST_TAG', tag)).toEqual([]);
  });

  it('refuses an unknown fault switch at start-up', async () => {
    const child = spawn(process.execPath, ['bin/run-ts.mjs', 'examples/reference-psp/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: '0', VIPPS_CLIENT_ID: 'c', VIPPS_CLIENT_SECRET: 's', VIPPS_SUBSCRIPTION_KEY: 'k', VIPPS_PSP_ID: 'p', VIPPS_MSN: MSN, REFERENCE_PSP_FAULTS: 'typo' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr!.on('data', (c) => (output += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).not.toBe(0);
    expect(output).toContain('unknown REFERENCE_PSP_FAULTS: typo');
  });
});
