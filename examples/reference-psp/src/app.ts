/**
 * Builds the reference PSP from its config and listens (main.ts, and the tests in-process):
 * the HTTP server, the ePayment/Webhooks client, the poller, and the webhook registration
 * (epayments.payment.* for its merchant, deleted again on stop).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PspConfig } from './config.ts';
import { Poller } from './poller.ts';
import { Psp } from './psp.ts';
import { createPspServer, WEBHOOK_PATH, type ServerState } from './server.ts';
import { VippsClient } from './vipps/client.ts';
import { EpaymentApi, WebhooksApi } from './vipps/epayment.ts';

export interface RunningPsp {
  url: string;
  psp: Psp;
  server: Server;
  state: ServerState;
  stop(): Promise<void>;
}

export async function startPsp(config: PspConfig, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningPsp> {
  const state: ServerState = {};
  const server = createPspServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // Port 0: the callback, return and 3-D Secure URLs must carry the port the OS chose.
  const { port } = server.address() as AddressInfo;
  if (new URL(config.publicUrl).port === '0') config = { ...config, publicUrl: `http://${config.host}:${port}` };
  const client = new VippsClient(config, log);
  const psp = new Psp(config, new EpaymentApi(client), log);
  const poller = new Poller(psp);
  state.psp = psp;
  state.poller = poller;

  const webhooks = new WebhooksApi(client);
  let webhookId: string | undefined;
  if (config.registerWebhooks) {
    try {
      const answer = await webhooks.register(`${config.publicUrl}${WEBHOOK_PATH}`);
      webhookId = answer.body.id;
      state.webhookSecret = answer.body.secret;
    } catch (err) {
      log(`refpsp: webhook registration failed: ${(err as Error).message} (polling only)`);
    }
  }

  return {
    url: config.publicUrl,
    psp,
    server,
    state,
    async stop() {
      poller.stop();
      if (webhookId) await webhooks.delete(webhookId).catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
    },
  };
}
