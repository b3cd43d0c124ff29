import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createSandbox, DEFAULT_TEST_MERCHANT } from '../sandbox/index.ts';
import { MerchantSchema } from '../sandbox/merchants.ts';
import { DEFAULT_TEST_PSP, PspSchema } from '../sandbox/psps.ts';
import { DEFAULT_TEST_PARTNER, PartnerSchema } from '../sandbox/partners.ts';
import { SettingsSchema } from '../sandbox/settings.ts';

export const SandboxConfigSchema = z.object({
  settings: SettingsSchema.partial().optional(),
  merchants: z.array(MerchantSchema).default([]),
  includeDefaultMerchant: z.boolean().default(true),
  /** PSPs with their own credentials (card passthrough), besides the default test PSP. */
  psps: z.array(PspSchema).default([]),
  includeDefaultPsp: z.boolean().default(true),
  /** Partners with partner keys acting for several sales units, besides the default test partner. */
  partners: z.array(PartnerSchema).default([]),
  includeDefaultPartner: z.boolean().default(true),
});

export interface SandboxCommandOptions {
  port: string;
  host: string;
  config?: string;
  publicUrl?: string;
}

interface OptionSources {
  getOptionValueSource(key: string): string | undefined;
}

/** Whether `--host` was on the command line (its default 127.0.0.1 keeps the control API loopback-only). */
export function hostGivenExplicitly(command: OptionSources | undefined): boolean {
  return command?.getOptionValueSource('host') === 'cli';
}

/**
 * `golive sandbox`: run the embedded sandbox until interrupted. It binds to 127.0.0.1 unless
 * `--host` says otherwise; only an explicit `--host` lets non-loopback clients use the control API.
 */
export async function runSandboxCommand(options: SandboxCommandOptions, command?: OptionSources): Promise<void> {
  const hostExplicit = hostGivenExplicitly(command);
  let config = SandboxConfigSchema.parse({});
  if (options.config) {
    const text = await readFile(options.config, 'utf8');
    const parsed = SandboxConfigSchema.safeParse(parseYaml(text));
    if (!parsed.success) {
      console.error(`golive: invalid sandbox config ${options.config}:\n${z.prettifyError(parsed.error)}`);
      process.exit(2);
    }
    config = parsed.data;
  }
  const sandbox = await createSandbox({
    settings: { ...config.settings, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}), ...(hostExplicit ? { controlAllowRemote: true } : {}) },
    merchants: config.merchants,
    includeDefaultMerchant: config.includeDefaultMerchant,
    psps: config.psps,
    includeDefaultPsp: config.includeDefaultPsp,
    partners: config.partners,
    includeDefaultPartner: config.includeDefaultPartner,
  });
  const url = await sandbox.listen({ port: Number(options.port), host: options.host });
  const m = DEFAULT_TEST_MERCHANT;
  console.log(`golive sandbox listening on ${url}`);
  if (config.includeDefaultMerchant) {
    console.log(`
Default test merchant (public sandbox-only keys):
  Merchant-Serial-Number     ${m.msn}
  client_id                  ${m.clientId}
  client_secret              ${m.clientSecret}
  Ocp-Apim-Subscription-Key  ${m.subscriptionKeys[0]}  (secondary: ${m.subscriptionKeys[1]})`);
  }
  if (config.includeDefaultPsp && !config.psps.some((p) => p.pspId === DEFAULT_TEST_PSP.pspId)) {
    const p = DEFAULT_TEST_PSP;
    console.log(`
Default test PSP (card passthrough; public sandbox-only keys):
  Psp-Id                     ${p.pspId}
  Merchant-Serial-Number     ${p.merchants.join(' or ')}
  client_id                  ${p.clientId}
  client_secret              ${p.clientSecret}
  Ocp-Apim-Subscription-Key  ${p.subscriptionKeys[0]}  (secondary: ${p.subscriptionKeys[1]})`);
  }
  if (config.includeDefaultPartner && !config.partners.some((p) => p.id === DEFAULT_TEST_PARTNER.id)) {
    const p = DEFAULT_TEST_PARTNER;
    console.log(`
Default test partner (partner keys; public sandbox-only keys; send the sales unit's MSN on every call):
  Merchant-Serial-Number     ${p.salesUnits.join(' or ')}   (not the partner id ${p.id})
  client_id                  ${p.clientId}
  client_secret              ${p.clientSecret}
  Ocp-Apim-Subscription-Key  ${p.subscriptionKeys[0]}  (secondary: ${p.subscriptionKeys[1]})`);
  }
  for (const extra of config.partners) console.log(`  + partner ${extra.id} (${extra.name}) for ${extra.salesUnits.join(', ')}, client_id ${extra.clientId}`);
  for (const extra of config.psps) console.log(`  + PSP ${extra.pspId} (${extra.name}) for ${extra.merchants.join(', ')}, client_id ${extra.clientId}`);
  for (const extra of config.merchants) console.log(`  + merchant ${extra.msn} (${extra.name}), client_id ${extra.clientId}`);
  console.log(`
Vipps API base URL:  ${url}   (use it where you would use https://apitest.vipps.no)
Control API:         ${url}/_sandbox/v1/   (clock, faults, traffic, customer actions)
Press Ctrl+C to stop.`);
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
