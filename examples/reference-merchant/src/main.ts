/**
 * Command line: node bin/run-ts.mjs examples/reference-merchant/src/main.ts [--port 4100] [--fault a,b] …
 * Every flag has an environment variable twin (see the README).
 */
import { configFromArgs, FAULT_SWITCHES, PLATFORM_FAULT_SWITCHES, startReferenceMerchant, startReferencePlatform } from './index.ts';

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`reference merchant — a demo shop integrated with Vipps MobilePay ePayment
usage: node bin/run-ts.mjs examples/reference-merchant/src/main.ts [--port 4100] [--vipps-base-url URL]
       [--client-id ID --client-secret S --subscription-key K --msn N] [--public-url URL]
       [--poll-initial-delay-ms 5000 --poll-interval-ms 2000] [--fault ${FAULT_SWITCHES[0]},…]
platform mode (partner keys, several shops under /shops/<tenant>/):
       --platform-tenants alpha:123456,beta:234567 [--client-id … partner keys] [--fault ${PLATFORM_FAULT_SWITCHES[0]},…]
See examples/reference-merchant/README.md for every option and fault switch.`);
    return;
  }
  const input = configFromArgs(argv, process.env);
  const logger = { level: process.env.LOG_LEVEL ?? 'info' };
  if (input.platformTenants) {
    const platform = await startReferencePlatform({ ...input, logger });
    console.log(`platform open at ${platform.url} (Vipps API: ${platform.config.vippsBaseUrl}, partner keys, webhook ${platform.webhook ? 'registered' : 'NOT registered'})`);
    for (const t of platform.tenants) console.log(`  tenant ${t.id}: ${t.url} (MSN ${t.msn})`);
    if (platform.faults.size > 0) console.log(`fault switches ON: ${[...platform.faults].join(', ')}`);
    const stopPlatform = async () => {
      await platform.close();
      process.exit(0);
    };
    process.once('SIGINT', stopPlatform);
    process.once('SIGTERM', stopPlatform);
    return;
  }
  const shop = await startReferenceMerchant({ ...input, logger });
  console.log(`${shop.config.shopName} is open at ${shop.url} (Vipps API: ${shop.config.vippsBaseUrl}, MSN ${shop.config.msn})`);
  if (shop.faults.size > 0) console.log(`fault switches ON: ${[...shop.faults].join(', ')}`);
  const stop = async () => {
    await shop.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
