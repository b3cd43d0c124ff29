/**
 * Builds the PSP API mode from its config and listens (main.ts, and the tests in-process): a
 * fresh RSA-2048 card-data key (memory only), the HTTP server, the PSP API client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newCardDataKey, type CardDataKey } from './card-data.ts';
import type { PspApiConfig } from './config.ts';
import { PspApiPsp } from './psp.ts';
import { createPspApiServer } from './server.ts';
import { newClient, PspApi } from './vipps.ts';

export interface RunningPspApi {
  url: string;
  psp: PspApiPsp;
  server: Server;
  stop(): Promise<void>;
}

export async function startPspApi(config: PspApiConfig, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`), key: CardDataKey = newCardDataKey()): Promise<RunningPspApi> {
  const state: { psp?: PspApiPsp } = {};
  const server = createPspApiServer(state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // Port 0: makePaymentUrl, pspRedirectUrl and url3dSecure must carry the port the OS chose.
  const { port } = server.address() as AddressInfo;
  if (new URL(config.publicUrl).port === '0') config = { ...config, publicUrl: `http://${config.host}:${port}` };
  const client = newClient(config, log);
  const psp = new PspApiPsp(config, key, new PspApi(client, config.version), log);
  state.psp = psp;
  return {
    url: config.publicUrl,
    psp,
    server,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await client.close();
    },
  };
}
