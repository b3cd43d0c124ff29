import { z } from 'zod';
import { ActingKeyRegistry, MSN_PATTERN } from './acting-keys.ts';
import type { MerchantInput } from './merchants.ts';

/**
 * Payment service providers (vipps-facts §1.4, §4.1): a PSP has its own credentials and acts
 * for the sales units (MSNs) it serves. Its access token works for any of them; every request
 * names the merchant in `Merchant-Serial-Number` and the PSP in `Psp-Id` (checked in psp-auth.ts).
 */
export const PspSchema = z.object({
  /** The `Psp-Id` the PSP sends (the PSP partner manager's identifier). */
  pspId: z.string().min(1),
  name: z.string().min(1).default('golive test PSP'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The PSP's own subscription keys, the same for all its merchants (§1.4). */
  subscriptionKeys: z.array(z.string().min(1)).min(1),
  /** MSNs of the sales units this PSP serves. */
  merchants: z.array(z.string().regex(MSN_PATTERN, 'an MSN is 4–6 digits')).default([]),
  /**
   * PSP API v2: the RSA-2048 public key (SPKI/PKCS#8 PEM) the PSP gave at onboarding; makePayment's
   * `cardData` is encrypted with it (src/sandbox/psp-api/card-data.ts). v2 payments need it.
   */
  publicKey: z.string().min(1).optional(),
});

export type Psp = z.output<typeof PspSchema>;
export type PspInput = z.input<typeof PspSchema>;

/**
 * The default test PSP and its two sales units, registered by every sandbox unless told
 * otherwise. Like DEFAULT_TEST_MERCHANT, the keys are public on purpose: they work only
 * against the embedded sandbox.
 */
export const DEFAULT_TEST_PSP = {
  pspId: 'golive-test-psp',
  name: 'golive test PSP',
  clientId: '5d0c7a1e-8f3b-4c62-9e14-2b7f6a9d3c58',
  clientSecret: 'golive-sandbox-psp-client-secret',
  subscriptionKeys: ['9a8b7c6d5e4f30211203f4e5d6c7b8a9', '1f2e3d4c5b6a79888897a6b5c4d3e2f1'],
  merchants: ['223344', '223355'],
} as const satisfies PspInput;

/** The default PSP's sales units (merchant credentials of their own too, for merchant-side calls). */
export const DEFAULT_TEST_PSP_MERCHANTS: MerchantInput[] = DEFAULT_TEST_PSP.merchants.map((msn, i) => ({
  msn,
  name: i === 0 ? 'golive PSP shop one' : 'golive PSP shop two',
  clientId: `golive-psp-merchant-${msn}`,
  clientSecret: `golive-sandbox-psp-merchant-${msn}-secret`,
  subscriptionKeys: [`golive-psp-merchant-${msn}-key`],
  currency: 'NOK',
  pspId: DEFAULT_TEST_PSP.pspId,
}));

/** PSPs by id, client id and key (acting-keys.ts); `serves` = acts for. */
export class PspRegistry extends ActingKeyRegistry<Psp> {
  constructor(psps: PspInput[] = []) {
    super('PSP', PspSchema, (p) => p.pspId, (p) => p.merchants, psps);
  }

  byPspId(pspId: string | undefined): Psp | undefined {
    return this.byId(pspId);
  }

  serves(psp: Psp, msn: string): boolean {
    return this.actsFor(psp, msn);
  }
}
