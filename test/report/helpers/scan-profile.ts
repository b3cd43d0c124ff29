import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_PROFILE, GOLIVE_ROOT } from '../../../src/cli/run.ts';

/**
 * Distinctive credentials for runs whose outputs are scanned: the embedded sandbox registers
 * them (src/runner/environment.ts) and the reference merchant gets them through the profile's
 * start.env, so every request of the run carries them.
 */
export const SCAN_SECRETS = {
  clientId: 'ci-SCAN-3b8d5f0a-91c2-4e77-a6d4-0c1f9e2b7a55',
  clientSecret: 'cs-SCAN-7f3a9e1b-5d2c-48e0-b9a1-6e4f2c8d0b13',
  subscriptionKey: 'sk-SCAN-d41c8e7a92b04f63a15e0c7b9d2f8a64',
  /** Marked secret by the profile's `secrets:` list and sent to the shop in an action header. */
  shopKey: 'shop-SCAN-5e9a1c7d3b2f40a8e6c1',
} as const;
export const SCAN_MSN = '765432';
export const SHOP_KEY_ENV = 'GOLIVE_SCAN_SHOP_KEY';

/** Point this process's environment (which `runCommand` hands to the run) at the scan credentials. */
export function useScanCredentials(): void {
  process.env.GOLIVE_TEST_CLIENT_ID = SCAN_SECRETS.clientId;
  process.env.GOLIVE_TEST_CLIENT_SECRET = SCAN_SECRETS.clientSecret;
  process.env.GOLIVE_TEST_SUBSCRIPTION_KEY = SCAN_SECRETS.subscriptionKey;
  process.env[SHOP_KEY_ENV] = SCAN_SECRETS.shopKey;
}

/**
 * A copy of the reference merchant's profile for MSN 765432 whose `secrets:` list marks
 * GOLIVE_SCAN_SHOP_KEY, sent as `X-Shop-Key` on every order-status call. Returns its path.
 */
export function writeScanProfile(dir: string): string {
  const profile = parse(readFileSync(DEFAULT_PROFILE, 'utf8'));
  profile.profile = 'secret-scan';
  profile.merchant.msn = SCAN_MSN;
  profile.start.env.VIPPS_MSN = SCAN_MSN;
  profile.start.cwd = GOLIVE_ROOT;
  profile.secrets = [SHOP_KEY_ENV];
  profile.actions.orderStatus.http.headers = { 'X-Shop-Key': `{{env.${SHOP_KEY_ENV}}}` };
  const file = join(dir, 'secret-scan.profile.yaml');
  writeFileSync(file, stringify(profile));
  return file;
}
